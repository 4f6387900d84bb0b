import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MailboxView } from '../../shared/contract';
import { inboxUnreadTotal, trayMenuTemplate, trayTooltip, unreadSummary, UnreadCounter, wantsTray } from '../../electron/shell/unread';

function mailbox(accountId: string, role: string | null, unreadEmails: number, id = `${accountId}-${role ?? 'folder'}`): MailboxView {
  return {
    accountId,
    id,
    name: role ?? 'Folder',
    parentId: null,
    role,
    sortOrder: 0,
    totalEmails: 100,
    unreadEmails,
    totalThreads: 50,
    unreadThreads: Math.min(unreadEmails, 50),
    isSubscribed: true,
  };
}

/** Electron's click handlers take (item, window, event); ours ignore them. */
function click(item: MenuItemConstructorOptions | undefined): void {
  (item?.click as (() => void) | undefined)?.();
}

describe('inboxUnreadTotal', () => {
  it('sums every account’s inbox and nothing else', () => {
    const alice = [mailbox('a', 'inbox', 3), mailbox('a', 'junk', 40), mailbox('a', null, 7), mailbox('a', 'archive', 2)];
    const bob = [mailbox('b', 'inbox', 12), mailbox('b', 'trash', 5)];
    expect(inboxUnreadTotal([alice, bob])).toBe(15);
  });

  it('is 0 with no accounts, no inbox, or nonsense counts', () => {
    expect(inboxUnreadTotal([])).toBe(0);
    expect(inboxUnreadTotal([[mailbox('a', 'sent', 4)]])).toBe(0);
    expect(inboxUnreadTotal([[mailbox('a', 'inbox', -1), mailbox('b', 'inbox', Number.NaN, 'x')]])).toBe(0);
  });
});

describe('tray', () => {
  it('appears on Windows and Linux only (macOS has the dock badge)', () => {
    expect(wantsTray('win32')).toBe(true);
    expect(wantsTray('linux')).toBe(true);
    expect(wantsTray('darwin')).toBe(false);
  });

  it('says the count in words', () => {
    expect(unreadSummary(0)).toBe('No unread messages');
    expect(unreadSummary(1)).toBe('1 unread message');
    expect(unreadSummary(12345)).toBe('12,345 unread messages');
    expect(trayTooltip('Meridian Mail', 3)).toBe('Meridian Mail — 3 unread messages');
  });

  it('offers Show, New Message, Check Mail and Quit, with the count on top', () => {
    const actions = { show: vi.fn(), compose: vi.fn(), checkMail: vi.fn(), quit: vi.fn() };
    const menu = trayMenuTemplate('Meridian Mail', 7, actions);
    expect(menu.map((i) => i.label ?? i.type)).toEqual([
      '7 unread messages',
      'separator',
      'Show Meridian Mail',
      'New Message',
      'Check Mail',
      'separator',
      'Quit',
    ]);
    expect(menu[0]!.enabled).toBe(false);
    for (const [id, fn] of [
      ['show', actions.show],
      ['compose', actions.compose],
      ['check', actions.checkMail],
      ['quit', actions.quit],
    ] as const) {
      click(menu.find((i) => i.id === id));
      expect(fn).toHaveBeenCalledTimes(1);
    }
  });
});

describe('UnreadCounter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces a burst of changes into one recount, and applies only changes', async () => {
    vi.useFakeTimers();
    let value = 4;
    const count = vi.fn(async () => value);
    const apply = vi.fn();
    const counter = new UnreadCounter({ count, apply, delayMs: 500 });
    for (let i = 0; i < 20; i++) counter.schedule();
    await vi.advanceTimersByTimeAsync(499);
    expect(count).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(count).toHaveBeenCalledTimes(1);
    expect(apply).toHaveBeenLastCalledWith(4);

    counter.schedule();
    await vi.advanceTimersByTimeAsync(500);
    expect(count).toHaveBeenCalledTimes(2);
    expect(apply).toHaveBeenCalledTimes(1); // still 4: the OS is not bothered

    value = 9;
    counter.schedule();
    await vi.advanceTimersByTimeAsync(500);
    expect(apply).toHaveBeenLastCalledWith(9);
    counter.stop();
  });

  it('runs one more recount when asked during one, never two at once', async () => {
    let release: () => void = () => {};
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const counter = new UnreadCounter({
      count: () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        return new Promise<number>((resolve) => {
          release = () => {
            running--;
            resolve(calls);
          };
        });
      },
      apply: () => {},
    });
    const first = counter.recount();
    void counter.recount();
    void counter.recount();
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await first;
    expect(calls).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('reports a failed count and keeps working', async () => {
    const onError = vi.fn();
    const apply = vi.fn();
    let fail = true;
    const counter = new UnreadCounter({
      count: async () => {
        if (fail) throw new Error('core closed');
        return 2;
      },
      apply,
      onError,
    });
    await counter.recount();
    expect(onError).toHaveBeenCalledTimes(1);
    fail = false;
    await counter.recount();
    expect(apply).toHaveBeenCalledWith(2);
  });
});
