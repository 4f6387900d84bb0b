// What the window knows about accounts and mailboxes, kept current from the core's events.
// Components read it through context; only this class talks to the Transport.
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { AccountView, MailboxView, Params, Result } from '../../shared/contract';
import { IpcError } from '../../shared/errors';
import type { Transport } from '../../shared/transport';
import { defaultMailbox } from './mailbox-tree';

export type AppInfo = Result<'app.info'>;

export interface Selection {
  accountId: string;
  mailboxId: string;
}

/** What the message list shows: one mailbox, or one role across every account. */
export type ListSource =
  | { kind: 'mailbox'; accountId: string; mailboxId: string }
  | { kind: 'unified'; role: 'inbox' };

export function sameSource(a: ListSource | null, b: ListSource | null): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'unified' || b.kind === 'unified') return a.kind === b.kind;
  return a.accountId === b.accountId && a.mailboxId === b.mailboxId;
}

export class MailState {
  info = $state.raw<AppInfo | null>(null);
  accounts = $state.raw<AccountView[]>([]);
  /** Mailboxes by account id; absent until the first list for that account arrives. */
  readonly mailboxes = new SvelteMap<string, MailboxView[]>();
  /** Why an account's mailboxes could not be listed, by account id. */
  readonly mailboxErrors = new SvelteMap<string, string>();
  loaded = $state(false);
  loadError = $state<string | null>(null);
  selection = $state.raw<Selection | null>(null);
  /** "All Inboxes" is open; `selection` is kept so the tree keeps its focus target. */
  unified = $state(false);

  /** The unified view only exists with two or more accounts. */
  readonly listSource = $derived.by((): ListSource | null => {
    if (this.unified && this.accounts.length > 1) return { kind: 'unified', role: 'inbox' };
    const s = this.selection;
    return s ? { kind: 'mailbox', accountId: s.accountId, mailboxId: s.mailboxId } : null;
  });

  readonly selectedMailbox = $derived.by(() => {
    const s = this.selection;
    if (this.listSource?.kind === 'unified') return undefined;
    return s ? this.mailboxes.get(s.accountId)?.find((m) => m.id === s.mailboxId) : undefined;
  });
  readonly selectedAccount = $derived(this.accounts.find((a) => a.id === this.selection?.accountId));

  /** One refresh per key at a time; a change during a refresh queues exactly one more. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly stale = new Set<string>();
  private relistAll = false;

  constructor(private readonly transport: Transport) {}

  /** Subscribes to the core's events; returns the unsubscribe. */
  listen(): () => void {
    const offs = [
      this.transport.on('accounts.changed', () => void this.refreshAccounts()),
      this.transport.on('mailboxes.changed', ({ accountId }) => void this.refreshMailboxes(accountId)),
      this.transport.on('account.status', ({ accountId, status }) => {
        this.accounts = this.accounts.map((a) => (a.id === accountId ? { ...a, status } : a));
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Everything from scratch: at start and after the connection to the core comes back. */
  async load(): Promise<void> {
    try {
      // Events may have been missed while disconnected, so every list is fetched again.
      this.relistAll = true;
      const [info] = await Promise.all([this.transport.request('app.info', {}), this.refreshAccounts(true)]);
      this.info = info;
      this.loadError = null;
      this.loaded = true;
    } catch (err) {
      this.loadError = messageOf(err);
    }
  }

  refreshAccounts(throwOnError = false): Promise<void> {
    return this.coalesce('accounts', async () => {
      let accounts: AccountView[];
      try {
        accounts = await this.transport.request('accounts.list', {});
      } catch (err) {
        if (throwOnError) throw err;
        console.warn('accounts.list failed', err);
        return;
      }
      const ids = new Set(accounts.map((a) => a.id));
      const toList = this.relistAll ? accounts : accounts.filter((a) => !this.mailboxes.has(a.id));
      this.relistAll = false;
      for (const id of [...this.mailboxes.keys()]) if (!ids.has(id)) this.mailboxes.delete(id);
      for (const id of [...this.mailboxErrors.keys()]) if (!ids.has(id)) this.mailboxErrors.delete(id);
      this.accounts = accounts;
      if (accounts.length < 2) this.unified = false;
      if (this.selection && !ids.has(this.selection.accountId)) this.selection = null;
      this.ensureSelection();
      await Promise.all(toList.map((a) => this.refreshMailboxes(a.id)));
    }, throwOnError);
  }

  refreshMailboxes(accountId: string): Promise<void> {
    return this.coalesce(`mailboxes:${accountId}`, async () => {
      try {
        const list = await this.transport.request('mailboxes.list', { accountId });
        // The account may have been removed while the list was on its way.
        if (!this.accounts.some((a) => a.id === accountId)) return;
        this.mailboxes.set(accountId, list);
        this.mailboxErrors.delete(accountId);
        if (this.selection?.accountId === accountId && !list.some((m) => m.id === this.selection?.mailboxId)) {
          this.selection = null;
        }
        this.ensureSelection();
      } catch (err) {
        if (err instanceof IpcError && err.code === 'not-found') return;
        this.mailboxErrors.set(accountId, messageOf(err));
      }
    });
  }

  async addAccount(params: Params<'accounts.add'>): Promise<AccountView> {
    const account = await this.transport.request('accounts.add', params);
    await this.refreshAccounts();
    return account;
  }

  async removeAccount(accountId: string): Promise<void> {
    await this.transport.request('accounts.remove', { accountId });
    await this.refreshAccounts();
  }

  select(accountId: string, mailboxId: string): void {
    this.unified = false;
    if (this.selection?.accountId === accountId && this.selection.mailboxId === mailboxId) return;
    this.selection = { accountId, mailboxId };
  }

  selectUnified(): void {
    this.unified = true;
  }

  /** First-sync progress of the accounts a view shows, while any of them is still downloading. */
  syncProgress(source: ListSource | null): { fetched: number; total: number | null } | null {
    if (!source) return null;
    const accounts = source.kind === 'mailbox' ? this.accounts.filter((a) => a.id === source.accountId) : this.accounts;
    const running = accounts.map((a) => a.status.initialSync).filter((p) => p !== null);
    if (running.length === 0) return null;
    const totals = running.map((p) => p.total);
    return {
      fetched: running.reduce((n, p) => n + p.fetched, 0),
      total: totals.every((t) => t !== null) ? totals.reduce<number>((n, t) => n + (t ?? 0), 0) : null,
    };
  }

  /** An account's mailbox with a role (inbox, trash, …), if it has one. */
  mailboxByRole(accountId: string, role: string): MailboxView | undefined {
    return this.mailboxes.get(accountId)?.find((m) => m.role === role);
  }

  /** Asks the core to check every account for changes now; failures only matter to the log. */
  syncNow(): void {
    if (this.accounts.length === 0) return;
    this.transport.request('sync.now', {}).catch((err: unknown) => console.warn('sync.now failed', err));
  }

  /** With nothing (valid) selected, open the first account's inbox once its mailboxes are known. */
  private ensureSelection(): void {
    if (this.selection) return;
    for (const account of this.accounts) {
      const list = this.mailboxes.get(account.id);
      const mailbox = list && defaultMailbox(list);
      if (mailbox) {
        this.selection = { accountId: account.id, mailboxId: mailbox.id };
        return;
      }
    }
  }

  private coalesce(key: string, run: () => Promise<void>, propagate = false): Promise<void> {
    let loop = this.running.get(key);
    if (loop) {
      this.stale.add(key);
    } else {
      loop = (async () => {
        try {
          do {
            this.stale.delete(key);
            await run();
          } while (this.stale.has(key));
        } finally {
          this.running.delete(key);
          this.stale.delete(key);
        }
      })();
      this.running.set(key, loop);
    }
    return propagate ? loop : loop.catch((err: unknown) => console.warn(`refresh ${key} failed`, err));
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const key = Symbol('mail-state');

export function setMailState(state: MailState): void {
  setContext(key, state);
}

export function getMailState(): MailState {
  const state = getContext<MailState | undefined>(key);
  if (!state) throw new Error('MailState is not in context');
  return state;
}
