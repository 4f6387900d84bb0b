// What the contacts space knows: address books, every card (for lettering, groups and member
// picking), the current search's results, which card is open or being edited, and the
// selection for export. Only this class talks to the core about contacts, except the small
// sender lookup in the reading pane.
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { AddressBookView, ContactDetail, ContactDraft, ContactListItem } from '../../../shared/pim-contract';
import { IpcError } from '../../../shared/errors';
import type { Transport } from '../../../shared/transport';
import { messageOf } from '../mail-state.svelte';
import { byAccount, contactKey, defaultBook, emptyDraft, inGroup, mergeExports, rangeKeys, sortContacts } from './contacts-model';

export type ContactFilter = { kind: 'all' } | { kind: 'account'; accountId: string } | { kind: 'group'; accountId: string; groupId: string };

export interface Editing {
  accountId: string;
  /** null: a new card. */
  contactId: string | null;
  draft: ContactDraft;
}

/** How long typing pauses before the core is asked to search. */
const searchDelayMs = 200;
/** Group cards fetched at once for their member lists. */
const memberFetchBatch = 8;

export class ContactsState {
  books = $state.raw<AddressBookView[]>([]);
  /** Every card, sorted by name. */
  all = $state.raw<ContactListItem[]>([]);
  /** The core's matches for `query`, sorted; null while there is no query. */
  found = $state.raw<ContactListItem[] | null>(null);
  query = $state('');
  filter = $state.raw<ContactFilter>({ kind: 'all' });
  loaded = $state(false);
  error = $state<string | null>(null);
  searching = $state(false);
  /** Member card ids of each group, by the group's key. */
  readonly groupMembers = new SvelteMap<string, ReadonlySet<string>>();
  /** Rows picked for export (ctrl/shift-click, Space). */
  selected = $state.raw<ReadonlySet<string>>(new Set());
  /** The row with the keyboard cursor, which is also the card shown. */
  cursor = $state<string | null>(null);
  detail = $state.raw<ContactDetail | null>(null);
  detailError = $state<string | null>(null);
  editing = $state.raw<Editing | null>(null);
  /** Bumped to ask the list to scroll its cursor into view (after a jump from mail). */
  reveal = $state(0);

  readonly rows = $derived.by((): ContactListItem[] => {
    const list = this.found ?? this.all;
    const f = this.filter;
    if (f.kind === 'account') return list.filter((i) => i.accountId === f.accountId);
    if (f.kind === 'group') return inGroup(list, f.accountId, this.groupMembers.get(`${f.accountId}/${f.groupId}`) ?? new Set());
    return list;
  });
  readonly groups = $derived(this.all.filter((i) => i.kind === 'group'));
  readonly writableBooks = $derived(this.books.filter((b) => b.mayWrite));

  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private searchSeq = 0;
  private detailSeq = 0;
  private refreshing: Promise<void> | null = null;
  private stale = false;

  constructor(private readonly transport: Transport) {}

  listen(): () => void {
    const off = this.transport.on('contacts.changed', () => void this.refresh());
    return () => {
      off();
      clearTimeout(this.searchTimer);
    };
  }

  /** Everything again; a change arriving meanwhile queues exactly one more round. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.stale = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.stale = false;
        await this.load();
      } while (this.stale);
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    try {
      const [books, all] = await Promise.all([this.transport.request('addressBooks.list', {}), this.transport.request('contacts.list', { query: '' })]);
      this.books = books;
      this.all = sortContacts(all);
      this.error = null;
      this.loaded = true;
    } catch (err) {
      this.error = messageOf(err);
      this.loaded = true;
      return;
    }
    if (this.query.trim()) await this.search();
    await this.loadGroupMembers();
    const open = this.detail;
    if (open && !this.editing && this.cursor === contactKey(open)) await this.loadDetail(open.accountId, open.id, true);
  }

  /** Group cards list their members only in full, so each group is fetched (there are few). */
  private async loadGroupMembers(): Promise<void> {
    const groups = this.groups;
    const fresh = new Map<string, ReadonlySet<string>>();
    for (let i = 0; i < groups.length; i += memberFetchBatch) {
      await Promise.all(
        groups.slice(i, i + memberFetchBatch).map(async (g) => {
          try {
            const d = await this.transport.request('contacts.get', { accountId: g.accountId, contactId: g.id });
            fresh.set(contactKey(g), new Set(d.draft.members));
          } catch {
            // Gone meanwhile, or not readable: it just lists no members.
          }
        }),
      );
    }
    for (const key of [...this.groupMembers.keys()]) if (!fresh.has(key)) this.groupMembers.delete(key);
    for (const [key, members] of fresh) this.groupMembers.set(key, members);
  }

  setQuery(query: string): void {
    this.query = query;
    clearTimeout(this.searchTimer);
    if (!query.trim()) {
      this.searchSeq++;
      this.found = null;
      this.searching = false;
      return;
    }
    this.searching = true;
    this.searchTimer = setTimeout(() => void this.search(), searchDelayMs);
  }

  private async search(): Promise<void> {
    const mine = ++this.searchSeq;
    const query = this.query.trim();
    try {
      const found = await this.transport.request('contacts.list', { query });
      if (mine !== this.searchSeq) return;
      this.found = sortContacts(found);
      this.error = null;
    } catch (err) {
      if (mine !== this.searchSeq) return;
      this.error = messageOf(err);
    } finally {
      if (mine === this.searchSeq) this.searching = false;
    }
  }

  setFilter(filter: ContactFilter): void {
    this.filter = filter;
  }

  /** Moves the cursor to a card and shows it. */
  open(key: string | null): void {
    if (key === this.cursor && (this.detail || this.detailError)) return;
    this.cursor = key;
    this.editing = null;
    this.detailError = null;
    const item = key ? this.all.find((i) => contactKey(i) === key) ?? this.rows.find((i) => contactKey(i) === key) : undefined;
    if (!item) {
      this.detailSeq++;
      this.detail = null;
      return;
    }
    void this.loadDetail(item.accountId, item.id);
  }

  /** Opens a card asked for from elsewhere (a mail sender): the filters make way for it. */
  async show(accountId: string, contactId: string): Promise<void> {
    const key = contactKey({ accountId, id: contactId });
    if (!this.all.some((i) => contactKey(i) === key)) await this.refresh();
    this.setQuery('');
    this.filter = { kind: 'all' };
    this.selected = new Set([key]);
    this.cursor = key;
    this.editing = null;
    await this.loadDetail(accountId, contactId);
    this.reveal++;
  }

  private async loadDetail(accountId: string, contactId: string, quiet = false): Promise<void> {
    const mine = ++this.detailSeq;
    if (!quiet) this.detail = null;
    try {
      const detail = await this.transport.request('contacts.get', { accountId, contactId });
      if (mine !== this.detailSeq) return;
      this.detail = detail;
      this.detailError = null;
      // A new card's local id is replaced by the server's once it is synced; the core still
      // answers to the old one, and the cursor and selection follow the new.
      if (detail.id !== contactId) this.renamed(contactKey({ accountId, id: contactId }), contactKey(detail));
    } catch (err) {
      if (mine !== this.detailSeq) return;
      if (!quiet) this.detailError = messageOf(err);
      else if (err instanceof IpcError && err.code === 'not-found') {
        // Deleted meanwhile (here or on another device).
        this.detail = null;
        this.cursor = null;
      }
    }
  }

  private renamed(from: string, to: string): void {
    if (this.cursor === from) this.cursor = to;
    if (this.selected.has(from)) this.selected = new Set([...this.selected].map((k) => (k === from ? to : k)));
  }

  /** Click, ctrl/cmd-click (toggle) and shift-click (range) on a row. */
  pick(key: string, how: { toggle: boolean; range: boolean }): void {
    if (how.range) {
      this.selected = new Set([...this.selected, ...rangeKeys(this.rows, this.cursor, key)]);
    } else if (how.toggle) {
      const next = new Set(this.selected);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      this.selected = next;
    } else {
      this.selected = new Set([key]);
    }
    this.open(key);
  }

  toggleSelected(key: string): void {
    this.pick(key, { toggle: true, range: false });
  }

  /** Arrow keys: the cursor moves by `delta` rows and the card follows. */
  step(delta: number, extend = false): void {
    const rows = this.rows;
    if (!rows.length) return;
    const at = this.cursor ? rows.findIndex((i) => contactKey(i) === this.cursor) : -1;
    const index = Math.max(0, Math.min(rows.length - 1, at === -1 ? (delta > 0 ? 0 : rows.length - 1) : at + delta));
    const target = rows[index];
    if (!target) return;
    const key = contactKey(target);
    this.selected = extend ? new Set([...this.selected, key]) : new Set([key]);
    this.open(key);
  }

  defaultBook(): AddressBookView | null {
    const f = this.filter;
    return defaultBook(this.books, f.kind === 'all' ? (this.detail?.accountId ?? null) : f.accountId);
  }

  startNew(kind: ContactDraft['kind']): boolean {
    const book = this.defaultBook();
    if (!book) return false;
    const draft = emptyDraft(book.id, kind);
    // A new member added while a group is shown most likely belongs in it; new groups start empty.
    this.editing = { accountId: book.accountId, contactId: null, draft };
    return true;
  }

  startEdit(): void {
    const d = this.detail;
    if (!d || !d.mayWrite) return;
    this.editing = { accountId: d.accountId, contactId: d.id, draft: structuredClone(d.draft) };
  }

  cancelEdit(): void {
    this.editing = null;
  }

  /** Saves the editor's draft; the card saved becomes the open one. Rejects with the reason. */
  async save(accountId: string, contactId: string | null, draft: ContactDraft): Promise<string> {
    const res = await this.transport.request('contacts.save', { accountId, contactId, draft });
    const key = contactKey({ accountId, id: res.contactId });
    this.editing = null;
    this.cursor = key;
    this.selected = new Set([key]);
    await this.refresh();
    // A card the current search or filter would hide: they make way, so it shows in the list.
    if (!this.rows.some((i) => contactKey(i) === key)) {
      this.setQuery('');
      this.filter = { kind: 'all' };
    }
    await this.loadDetail(accountId, res.contactId);
    this.reveal++;
    return res.contactId;
  }

  async remove(accountId: string, contactId: string): Promise<void> {
    await this.transport.request('contacts.delete', { accountId, contactId });
    const key = contactKey({ accountId, id: contactId });
    const next = new Set(this.selected);
    next.delete(key);
    this.selected = next;
    if (this.cursor === key) {
      this.cursor = null;
      this.detail = null;
    }
    if (this.filter.kind === 'group' && this.filter.accountId === accountId && this.filter.groupId === contactId) this.filter = { kind: 'all' };
    await this.refresh();
  }

  async importVcf(accountId: string, addressBookId: string, vcf: string): Promise<{ imported: number; problems: string[] }> {
    const res = await this.transport.request('contacts.import', { accountId, addressBookId, vcf });
    await this.refresh();
    return res;
  }

  /**
   * One vCard file of the chosen cards (null: every card of every account). The core exports
   * one account at a time, so accounts are asked in turn and their files joined.
   */
  async exportVcf(keys: ReadonlySet<string> | null, version: '3.0' | '4.0'): Promise<{ filename: string; vcf: string; count: number }> {
    const parts: { filename: string; vcf: string }[] = [];
    let count = 0;
    if (keys) {
      for (const [accountId, contactIds] of byAccount(keys)) {
        parts.push(await this.transport.request('contacts.export', { accountId, contactIds, version }));
        count += contactIds.length;
      }
    } else {
      const accounts = [...new Set([...this.books.map((b) => b.accountId), ...this.all.map((i) => i.accountId)])];
      for (const accountId of accounts) parts.push(await this.transport.request('contacts.export', { accountId, version }));
      count = this.all.length;
    }
    return { ...mergeExports(parts), count };
  }

  nameOf(key: string): string | null {
    const item = this.all.find((i) => contactKey(i) === key);
    return item ? item.displayName : null;
  }
}

const key = Symbol('contacts');

export function setContacts(state: ContactsState): void {
  setContext(key, state);
}

export function getContacts(): ContactsState {
  const state = getContext<ContactsState | undefined>(key);
  if (!state) throw new Error('ContactsState is not in context');
  return state;
}
