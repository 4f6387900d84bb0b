// The unread count the OS shows (dock badge, tray), and the tray's menu. Pure, so the
// numbers and the menu are tested without Electron; main.ts feeds them to app and Tray.
import type { MenuItemConstructorOptions } from 'electron';
import type { MailboxView } from '../../shared/contract';

/** Unread emails in every account's inbox: what the unified "All Inboxes" view counts. */
export function inboxUnreadTotal(mailboxesPerAccount: readonly (readonly MailboxView[])[]): number {
  let total = 0;
  for (const mailboxes of mailboxesPerAccount) {
    for (const m of mailboxes) {
      if (m.role === 'inbox' && Number.isFinite(m.unreadEmails) && m.unreadEmails > 0) total += m.unreadEmails;
    }
  }
  return total;
}

export function unreadSummary(count: number): string {
  if (count <= 0) return 'No unread messages';
  return count === 1 ? '1 unread message' : `${count.toLocaleString('en-US')} unread messages`;
}

export function trayTooltip(appName: string, count: number): string {
  return `${appName} — ${unreadSummary(count)}`;
}

/** Platforms that get a tray icon: macOS has the dock badge and dock menu instead. */
export function wantsTray(platform: NodeJS.Platform): boolean {
  return platform === 'win32' || platform === 'linux';
}

export interface TrayActions {
  show(): void;
  compose(): void;
  checkMail(): void;
  quit(): void;
}

/**
 * The tray's menu. The count is also a (disabled) item because many Linux trays
 * (AppIndicator) never show a tooltip.
 */
export function trayMenuTemplate(appName: string, count: number, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'unread', label: unreadSummary(count), enabled: false },
    { type: 'separator' },
    { id: 'show', label: `Show ${appName}`, click: () => actions.show() },
    { id: 'compose', label: 'New Message', click: () => actions.compose() },
    { id: 'check', label: 'Check Mail', click: () => actions.checkMail() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit', click: () => actions.quit() },
  ];
}

/**
 * Recounts unread mail when the core says something changed, at most once per delay: a sync
 * pass sends many 'mailboxes.changed' events, and each recount reads every account.
 */
export class UnreadCounter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private last: number | null = null;

  constructor(
    private readonly options: {
      count: () => Promise<number>;
      apply: (count: number) => void;
      delayMs?: number;
      onError?: (err: unknown) => void;
    },
  ) {}

  /** Asks for a recount soon. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.recount();
    }, this.options.delayMs ?? 500);
  }

  /** Recounts now; a request during a recount queues exactly one more. */
  async recount(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const count = await this.options.count();
          // The OS calls are cheap but not free (a Linux tray rebuilds its menu): only on change.
          if (count !== this.last) {
            this.last = count;
            this.options.apply(count);
          }
        } catch (err) {
          this.options.onError?.(err);
        }
      } while (this.again);
    })();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
