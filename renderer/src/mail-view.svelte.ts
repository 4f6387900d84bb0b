// What the middle and right panes show and do: the rows (a mailbox's pages or search
// results), the selection, the open message, and the actions on messages. Actions go to
// the core, which applies them locally at once and says so with emails.changed; the view
// then asks again rather than patching its copy by hand.
import { getContext, setContext, tick } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { EmailDetail, EmailListItem, Params, Result } from '../../shared/contract';
import type { Transport } from '../../shared/transport';
import { plural } from './format';
import { messageOf, sameSource, type ListSource, type MailState } from './mail-state.svelte';
import { itemKey, PagedList } from './paged-list.svelte';
import { SearchResults } from './search-results.svelte';
import type { Toasts } from './toasts.svelte';

export type MoveTarget = Params<'emails.move'>['to'];
type Keyword = Params<'emails.setKeyword'>['keyword'];

/** What the list component needs from either kind of rows. */
export interface Rows {
  readonly count: number;
  at(index: number): EmailListItem | undefined;
  indexOf(key: string): number;
  loaded(): Iterable<EmailListItem>;
}

const threadsKey = 'meridian.conversations';

function readThreads(): boolean {
  try {
    return localStorage.getItem(threadsKey) === '1';
  } catch {
    return false;
  }
}

export class MailView {
  readonly list: PagedList;
  readonly search: SearchResults;
  threads = $state(readThreads());
  /** Selected rows by key, with the copy of each row last seen. */
  readonly selected = new SvelteMap<string, EmailListItem>();
  /** The row j/k move from and shift-click extends from. */
  cursor = $state<string | null>(null);
  /** Where the cursor's row was when j/k last moved it. */
  private cursorIndex: number | null = null;
  private anchor: string | null = null;
  /** The message in the reading pane. */
  opened = $state.raw<EmailListItem | null>(null);
  /** Bumped per account on emails.changed, so an open message can be fetched again. */
  readonly changes = new SvelteMap<string, number>();
  /** Messages in Trash waiting for "delete forever" to be confirmed. */
  confirmingDestroy = $state.raw<EmailListItem[] | null>(null);
  /** Messages waiting for a folder from the move picker. */
  picking = $state.raw<EmailListItem[] | null>(null);
  /** Set by the search bar, so "/" can reach it. */
  focusSearch: () => void = () => {};
  /** Set by the list, so keyboard moves keep the cursor on screen. */
  focusList: () => void = () => {};

  constructor(
    private readonly transport: Transport,
    private readonly mail: MailState,
    private readonly toasts: Toasts,
  ) {
    this.list = new PagedList(transport);
    this.search = new SearchResults(transport);
  }

  get rows(): Rows {
    return this.search.active ? this.search : this.list;
  }

  listen(): () => void {
    const offs = [
      this.transport.on('emails.changed', ({ accountId }) => {
        this.changes.set(accountId, (this.changes.get(accountId) ?? 0) + 1);
        if (this.list.affects(accountId)) void this.list.refreshVisible().then(() => this.refreshSelection());
        if (this.search.active) void this.search.refreshLocal().then(() => this.refreshSelection());
      }),
      this.transport.on('outbox.failed', ({ message }) => {
        // A refused send is nothing undone: the compose send status says what happened to it.
        if (message.startsWith('could not send "')) return;
        this.toasts.error(`The server refused a change, so it was undone: ${message}`);
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  setSource(source: ListSource | null): void {
    if (sameSource(source, this.list.source)) return;
    this.search.clear();
    this.clearSelection();
    this.list.reset(source, this.threads);
  }

  setThreads(on: boolean): void {
    this.threads = on;
    try {
      localStorage.setItem(threadsKey, on ? '1' : '0');
    } catch {
      // Private mode or storage full: the choice lasts for this window only.
    }
    this.clearSelection();
    this.list.reset(this.list.source, on);
  }

  async runSearch(query: string): Promise<void> {
    const wasActive = this.search.active;
    if (!query.trim()) {
      this.endSearch();
      return;
    }
    if (!wasActive) this.clearSelection();
    await this.search.run(query);
  }

  endSearch(): void {
    if (!this.search.active) return;
    this.search.clear();
    this.clearSelection();
  }

  // ---- selection -------------------------------------------------------------------

  isSelected(key: string): boolean {
    return this.selected.has(key);
  }

  selectedItems(): EmailListItem[] {
    return [...this.selected.values()];
  }

  clearSelection(): void {
    this.selected.clear();
    this.cursor = null;
    this.cursorIndex = null;
    this.anchor = null;
    this.opened = null;
  }

  /** Plain click: this one, opened. Ctrl/Cmd: toggle. Shift: the range from the anchor. */
  async click(index: number, mods: { toggle: boolean; range: boolean }): Promise<void> {
    const item = this.rows.at(index);
    if (!item) return;
    const key = itemKey(item);
    this.cursorIndex = index;
    if (mods.range && this.anchor) {
      const from = this.rows.indexOf(this.anchor);
      if (from !== -1) {
        const [lo, hi] = from < index ? [from, index] : [index, from];
        if (this.rows === this.list) await this.list.ensure(lo, hi + 1);
        if (!mods.toggle) this.selected.clear();
        for (let i = lo; i <= hi; i++) {
          const row = this.rows.at(i);
          if (row) this.selected.set(itemKey(row), row);
        }
        this.cursor = key;
        this.opened = this.selected.size === 1 ? item : null;
        return;
      }
    }
    if (mods.toggle) {
      if (this.selected.has(key)) this.selected.delete(key);
      else this.selected.set(key, item);
      this.cursor = key;
      this.anchor = key;
      const only = this.selected.size === 1 ? [...this.selected.values()][0] : undefined;
      this.opened = only ?? null;
      return;
    }
    this.selectOnly(item, true);
  }

  private selectOnly(item: EmailListItem, open: boolean): void {
    const key = itemKey(item);
    this.selected.clear();
    this.selected.set(key, item);
    this.cursor = key;
    this.anchor = key;
    if (open) this.opened = item;
  }

  /** j/k: the next or previous row, opened; with extend, added to the selection instead. */
  async step(delta: 1 | -1, extend = false): Promise<void> {
    const rows = this.rows;
    const count = rows.count;
    if (count === 0) return;
    let from = this.cursor ? rows.indexOf(this.cursor) : -1;
    // The cursor's row went away underneath (moved or deleted elsewhere, then the list was
    // fetched again): carry on from where it stood, as if it had been archived here.
    if (from === -1 && this.cursor && this.cursorIndex !== null) from = Math.min(count, this.cursorIndex) - (delta > 0 ? 1 : 0);
    const index = from === -1 && delta > 0 ? 0 : from < 0 ? (delta > 0 ? 0 : count - 1) : Math.min(count - 1, Math.max(0, from + delta));
    if (rows === this.list) await this.list.ensure(index, index + 1);
    const item = rows.at(index);
    if (!item) return;
    this.cursorIndex = index;
    if (extend) {
      this.selected.set(itemKey(item), item);
      this.cursor = itemKey(item);
      this.opened = this.selected.size === 1 ? item : null;
    } else {
      this.selectOnly(item, true);
    }
  }

  /** x: adds the cursor's row to the selection, or takes it out. */
  toggleCursor(): void {
    const index = this.cursor ? this.rows.indexOf(this.cursor) : -1;
    const item = index === -1 ? undefined : this.rows.at(index);
    if (item) void this.click(index, { toggle: true, range: false });
  }

  /** Enter/o: the cursor's row alone, opened. */
  openCursor(): void {
    const index = this.cursor ? this.rows.indexOf(this.cursor) : -1;
    const item = index === -1 ? undefined : this.rows.at(index);
    if (item) this.selectOnly(item, true);
    else void this.step(1);
  }

  /** Fresh copies of the selected and open rows after the rows were fetched again. */
  private refreshSelection(): void {
    if (this.selected.size === 0 && !this.opened) return;
    const seen = new Set<string>();
    for (const item of this.rows.loaded()) {
      const key = itemKey(item);
      seen.add(key);
      if (this.selected.has(key)) this.selected.set(key, item);
      if (this.opened && itemKey(this.opened) === key) this.opened = item;
    }
    // With every row at hand, a selected row that is missing has gone (moved elsewhere):
    // it must not be acted on unseen. The open message stays open; it still exists.
    if (seen.size >= this.rows.count) {
      for (const key of [...this.selected.keys()]) if (!seen.has(key)) this.selected.delete(key);
    }
  }

  /** One message with its body, for the reading pane. */
  detail(item: EmailListItem): Promise<EmailDetail> {
    return this.transport.request('emails.get', { accountId: item.accountId, emailId: item.id });
  }

  /** Every local email of a message's conversation, oldest first. */
  async thread(item: EmailListItem): Promise<EmailListItem[]> {
    return (await this.transport.request('emails.thread', { accountId: item.accountId, threadId: item.threadId })).items;
  }

  attachment(accountId: string, emailId: string, blobId: string): Promise<Result<'attachments.get'>> {
    return this.transport.request('attachments.get', { accountId, emailId, blobId });
  }

  source(accountId: string, emailId: string): Promise<Result<'emails.source'>> {
    return this.transport.request('emails.source', { accountId, emailId });
  }

  /** Whether rows are conversations: then an action on a row means every email of it in view. */
  get conversationRows(): boolean {
    return this.list.threads && !this.search.active;
  }

  /** A message from elsewhere (a notification): its account's Inbox, with it open. */
  async openMessage(accountId: string, emailId: string): Promise<void> {
    const inbox = this.mail.mailboxByRole(accountId, 'inbox');
    this.endSearch();
    if (inbox) this.mail.select(accountId, inbox.id);
    // The new source resets the list and the selection (App's effect); open after that.
    await tick();
    try {
      const detail = await this.transport.request('emails.get', { accountId, emailId });
      this.selectOnly(detail, true);
    } catch (err) {
      this.toasts.error(`Could not open the message: ${messageOf(err)}`);
    }
  }

  /**
   * The emails a set of rows stands for. A conversation row carries only its newest email;
   * acting on it means acting on every email of that conversation in the mailbox in view.
   */
  private async members(items: EmailListItem[]): Promise<EmailListItem[]> {
    if (!this.conversationRows || items.every((i) => i.threadSize <= 1)) return items;
    const source = this.list.source;
    const groups = await Promise.all(
      items.map(async (item) => {
        if (item.threadSize <= 1) return [item];
        const mailboxId = source?.kind === 'mailbox' ? source.mailboxId : this.mail.mailboxByRole(item.accountId, 'inbox')?.id;
        const inView = (await this.thread(item)).filter((e) => mailboxId !== undefined && e.mailboxIds.includes(mailboxId));
        return inView.length ? inView : [item];
      }),
    );
    const seen = new Set<string>();
    return groups.flat().filter((e) => !seen.has(itemKey(e)) && !!seen.add(itemKey(e)));
  }

  private noun(n: number): string {
    return plural(n, this.conversationRows ? 'conversation' : 'message');
  }

  // ---- actions ---------------------------------------------------------------------

  async setKeyword(items: EmailListItem[], keyword: Keyword, value: boolean): Promise<boolean> {
    let local = items.filter(isLocal);
    if (local.length === 0) return false;
    try {
      local = await this.members(local);
      await Promise.all(
        byAccount(local).map(([accountId, group]) =>
          this.transport.request('emails.setKeyword', { accountId, emailIds: group.map((i) => i.id), keyword, value }),
        ),
      );
      return true;
    } catch (err) {
      this.toasts.error(`Could not update ${plural(local.length, 'message')}: ${messageOf(err)}`);
      return false;
    }
  }

  toggleFlag(items: EmailListItem[]): void {
    void this.setKeyword(items, '$flagged', !items.every((i) => i.flagged));
  }

  markRead(items: EmailListItem[], read: boolean): void {
    void this.setKeyword(items, '$seen', read);
  }

  archive(items: EmailListItem[]): void {
    const todo = items.filter((i) => !this.inRole(i, 'archive'));
    if (todo.length === 0) {
      if (items.length) this.toasts.info('Already in Archive');
      return;
    }
    void this.relocate(todo, () => ({ role: 'archive' }), `Archived ${this.noun(todo.length)}`);
  }

  /** Delete: to Trash; what is already in Trash is deleted for good, after asking. */
  delete(items: EmailListItem[]): void {
    const inTrash = items.filter((i) => this.inRole(i, 'trash'));
    const rest = items.filter((i) => !this.inRole(i, 'trash'));
    if (rest.length) void this.relocate(rest, () => ({ role: 'trash' }), `Moved ${this.noun(rest.length)} to Trash`);
    if (inTrash.length) this.confirmingDestroy = inTrash;
  }

  /** Spam: to Junk; in Junk it means "not spam", back to the Inbox. */
  spam(items: EmailListItem[]): void {
    const inJunk = items.filter((i) => this.inRole(i, 'junk'));
    const rest = items.filter((i) => !this.inRole(i, 'junk'));
    if (rest.length) void this.relocate(rest, () => ({ role: 'junk' }), `Marked ${this.noun(rest.length)} as spam`);
    if (inJunk.length) void this.relocate(inJunk, () => ({ role: 'inbox' }), `Moved ${this.noun(inJunk.length)} to Inbox`);
  }

  moveTo(items: EmailListItem[], to: MoveTarget, name: string): void {
    void this.relocate(items, () => to, `Moved ${this.noun(items.length)} to ${name}`);
  }

  async destroy(items: EmailListItem[]): Promise<void> {
    const local = items.filter(isLocal);
    const next = this.nextAfter(local);
    const emails = await this.members(local);
    await Promise.all(
      byAccount(emails).map(([accountId, group]) =>
        this.transport.request('emails.destroy', { accountId, emailIds: group.map((i) => i.id) }),
      ),
    );
    await this.afterRemoval(local, next);
    this.toasts.info(`Deleted ${plural(emails.length, 'message')} forever`);
  }

  /** Where each message is now, for Undo: the mailbox in view, else the one it is in. */
  private origin(item: EmailListItem): MoveTarget | null {
    const source = this.list.source;
    if (!this.search.active && source?.kind === 'mailbox') return { mailboxId: source.mailboxId };
    if (!this.search.active && source?.kind === 'unified') return { role: source.role };
    const [only, ...others] = item.mailboxIds;
    return only && others.length === 0 ? { mailboxId: only } : null;
  }

  private inRole(item: EmailListItem, role: string): boolean {
    const mailbox = this.mail.mailboxByRole(item.accountId, role);
    return !!mailbox && item.mailboxIds.includes(mailbox.id);
  }

  private async relocate(items: EmailListItem[], target: (item: EmailListItem) => MoveTarget, done: string): Promise<void> {
    const rows = items.filter(isLocal);
    if (rows.length === 0) {
      this.toasts.error('Messages found only on the server cannot be changed until they are synced.');
      return;
    }
    let local: EmailListItem[];
    try {
      local = await this.members(rows);
    } catch (err) {
      this.toasts.error(`Could not move ${this.noun(rows.length)}: ${messageOf(err)}`);
      return;
    }
    const groups = new Map<string, { accountId: string; to: MoveTarget; emailIds: string[] }>();
    const undo = new Map<string, { accountId: string; to: MoveTarget; emailIds: string[] }>();
    for (const item of local) {
      const to = target(item);
      const key = `${item.accountId}\n${JSON.stringify(to)}`;
      const group = groups.get(key) ?? { accountId: item.accountId, to, emailIds: [] };
      group.emailIds.push(item.id);
      groups.set(key, group);
      const back = this.origin(item);
      if (back) {
        const backKey = `${item.accountId}\n${JSON.stringify(back)}`;
        const u = undo.get(backKey) ?? { accountId: item.accountId, to: back, emailIds: [] };
        u.emailIds.push(item.id);
        undo.set(backKey, u);
      }
    }
    const next = this.nextAfter(local);
    try {
      await Promise.all([...groups.values()].flatMap((g) => chunks(g).map((c) => this.transport.request('emails.move', c))));
    } catch (err) {
      this.toasts.error(`Could not move ${plural(local.length, 'message')}: ${messageOf(err)}`);
      return;
    }
    await this.afterRemoval(local, next);
    const moves = [...undo.values()];
    this.toasts.info(
      done,
      moves.length ? { label: 'Undo', run: () => void this.undoMove(moves, local) } : undefined,
    );
  }

  private async undoMove(moves: { accountId: string; to: MoveTarget; emailIds: string[] }[], items: EmailListItem[]): Promise<void> {
    try {
      await Promise.all(moves.flatMap((m) => chunks(m).map((c) => this.transport.request('emails.move', c))));
    } catch (err) {
      this.toasts.error(`Could not undo: ${messageOf(err)}`);
      return;
    }
    await this.refreshRows();
    // Back where they were, and selected again so the next key acts on them.
    const back = items.map((i) => itemKey(i)).filter((key) => this.rows.indexOf(key) !== -1);
    if (back.length) {
      this.selected.clear();
      for (const key of back) {
        const row = this.rows.at(this.rows.indexOf(key));
        if (row) this.selected.set(key, row);
      }
      this.cursor = back[0] ?? null;
      this.anchor = this.cursor;
      this.opened = null;
    }
  }

  /** The index the selection should land on once these rows are gone. */
  private nextAfter(items: EmailListItem[]): number | null {
    const indexes = items.map((i) => this.rows.indexOf(itemKey(i))).filter((i) => i !== -1);
    return indexes.length ? Math.min(...indexes) : null;
  }

  /** Drops the removed rows from the selection and moves on to the row that took their place. */
  private async afterRemoval(items: EmailListItem[], next: number | null): Promise<void> {
    const removed = new Set(items.map(itemKey));
    const wasOpen = !!this.opened && removed.has(itemKey(this.opened));
    for (const key of removed) this.selected.delete(key);
    if (wasOpen) this.opened = null;
    await this.refreshRows();
    if (this.selected.size > 0 || next === null) return;
    const count = this.rows.count;
    if (count === 0) {
      this.clearSelection();
      return;
    }
    const index = Math.min(next, count - 1);
    if (this.rows === this.list) await this.list.ensure(index, index + 1);
    const item = this.rows.at(index);
    if (item) this.selectOnly(item, wasOpen);
  }

  private async refreshRows(): Promise<void> {
    if (this.search.active) await this.search.refreshLocal();
    else await this.list.refreshVisible();
  }
}

export function isLocal(item: EmailListItem): boolean {
  return item.source === 'local';
}

/** emails.* requests take at most this many ids. */
const maxIds = 5000;

function chunks<T extends { emailIds: string[] }>(group: T): T[] {
  return Array.from({ length: Math.ceil(group.emailIds.length / maxIds) }, (_, i) => ({
    ...group,
    emailIds: group.emailIds.slice(i * maxIds, (i + 1) * maxIds),
  }));
}

/** Items grouped per account, in request-sized chunks. */
function byAccount(items: EmailListItem[]): [string, EmailListItem[]][] {
  const groups = new Map<string, EmailListItem[]>();
  for (const item of items) {
    const group = groups.get(item.accountId);
    if (group) group.push(item);
    else groups.set(item.accountId, [item]);
  }
  return [...groups].flatMap(([accountId, group]) =>
    Array.from({ length: Math.ceil(group.length / maxIds) }, (_, i): [string, EmailListItem[]] => [
      accountId,
      group.slice(i * maxIds, (i + 1) * maxIds),
    ]),
  );
}

const key = Symbol('mail-view');

export function setMailView(view: MailView): void {
  setContext(key, view);
}

export function getMailView(): MailView {
  const view = getContext<MailView | undefined>(key);
  if (!view) throw new Error('MailView is not in context');
  return view;
}
