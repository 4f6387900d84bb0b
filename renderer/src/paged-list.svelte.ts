// The message list's data: fetched a page at a time, only where the user is looking. On a
// change only the pages in view are fetched again; the rest are dropped, to be fetched when
// they scroll back into view.
import { SvelteMap } from 'svelte/reactivity';
import type { EmailListItem, Params } from '../../shared/contract';
import type { Transport } from '../../shared/transport';
import type { ListSource } from './mail-state.svelte';
import { messageOf } from './mail-state.svelte';

export const pageSize = 50;
/** emails.list's largest page. */
const maxLimit = 500;

export function itemKey(item: { accountId: string; id: string }): string {
  return `${item.accountId}/${item.id}`;
}

export class PagedList {
  /** Null until the first page arrives. */
  total = $state<number | null>(null);
  error = $state<string | null>(null);
  source = $state.raw<ListSource | null>(null);
  threads = $state(false);

  private readonly pages = new SvelteMap<number, EmailListItem[]>();
  private readonly loading = new Set<number>();
  /** Bumped by reset: answers for an older source are dropped. */
  private generation = 0;
  /** Bumped whenever the visible pages are refetched: page loads started before are stale. */
  private epoch = 0;
  /** Rows in view plus overscan, as last reported by the list. */
  private window = { start: 0, end: pageSize };
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(private readonly transport: Transport) {}

  reset(source: ListSource | null, threads: boolean): void {
    this.generation++;
    this.epoch++;
    this.source = source;
    this.threads = threads;
    this.pages.clear();
    this.loading.clear();
    this.total = null;
    this.error = null;
    this.window = { start: 0, end: pageSize };
    if (source) void this.ensure(0, pageSize);
  }

  at(index: number): EmailListItem | undefined {
    return this.pages.get(Math.floor(index / pageSize))?.[index % pageSize];
  }

  get count(): number {
    return this.total ?? 0;
  }

  /** The index of a loaded item, or -1. */
  indexOf(key: string): number {
    for (const [page, items] of this.pages) {
      const i = items.findIndex((item) => itemKey(item) === key);
      if (i !== -1) return page * pageSize + i;
    }
    return -1;
  }

  /** Every loaded item (for keeping the selection's copies fresh). */
  *loaded(): Generator<EmailListItem> {
    for (const items of this.pages.values()) yield* items;
  }

  /** Whether a change in this account can change what the list shows. */
  affects(accountId: string): boolean {
    const s = this.source;
    return !!s && (s.kind === 'unified' || s.accountId === accountId);
  }

  /** The list tells us what is on screen; fetch what is missing there. */
  setWindow(start: number, end: number): void {
    this.window = { start, end };
    void this.ensure(start, end);
  }

  /** Makes sure rows [start, end) are loaded (e.g. before selecting a range). */
  async ensure(start: number, end: number): Promise<void> {
    const source = this.source;
    if (!source || (this.total !== null && start >= this.total)) return;
    const last = this.total === null ? end : Math.min(end, this.total);
    const wanted: number[] = [];
    for (let p = Math.floor(start / pageSize); p * pageSize < Math.max(last, start + 1); p++) {
      if (!this.pages.has(p) && !this.loading.has(p)) wanted.push(p);
    }
    if (wanted.length === 0) return;
    const generation = this.generation;
    const epoch = this.epoch;
    for (const p of wanted) this.loading.add(p);
    try {
      // Neighbouring missing pages in one request each run, up to the request's limit.
      const runs: number[][] = [];
      for (const p of wanted) {
        const run = runs.at(-1);
        if (run && run.at(-1) === p - 1 && (run.length + 1) * pageSize <= maxLimit) run.push(p);
        else runs.push([p]);
      }
      await Promise.all(
        runs.map(async (run) => {
          const first = run[0] ?? 0;
          const res = await this.transport.request('emails.list', this.params(source, first * pageSize, run.length * pageSize));
          if (generation !== this.generation || epoch !== this.epoch) return;
          this.store(first, run.length, res.items);
          this.total = res.total;
          this.error = null;
        }),
      );
    } catch (err) {
      if (generation === this.generation) this.error = messageOf(err);
    } finally {
      if (generation === this.generation) for (const p of wanted) this.loading.delete(p);
    }
    // A refetch overtook these loads: ask again for what is still missing.
    if (generation === this.generation && epoch !== this.epoch) void this.ensure(this.window.start, this.window.end);
  }

  /** After a change: the pages in view again (one request), everything else dropped. */
  refreshVisible(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.refreshOnce();
        } while (this.refreshAgain);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const generation = this.generation;
    const epoch = ++this.epoch;
    const firstPage = Math.floor(this.window.start / pageSize);
    const lastPage = Math.max(firstPage, Math.floor((Math.max(this.window.end, this.window.start + 1) - 1) / pageSize));
    const pageCount = Math.min(lastPage - firstPage + 1, maxLimit / pageSize);
    try {
      const res = await this.transport.request('emails.list', this.params(source, firstPage * pageSize, pageCount * pageSize));
      if (generation !== this.generation || epoch !== this.epoch) return;
      this.loading.clear();
      this.pages.clear();
      this.store(firstPage, pageCount, res.items);
      this.total = res.total;
      this.error = null;
    } catch (err) {
      if (generation === this.generation) this.error = messageOf(err);
      return;
    }
    // The list may have shrunk under the window; fetch what now falls in view.
    void this.ensure(this.window.start, this.window.end);
  }

  private store(firstPage: number, pageCount: number, items: EmailListItem[]): void {
    for (let i = 0; i < pageCount; i++) {
      const slice = items.slice(i * pageSize, (i + 1) * pageSize);
      // An empty page past the end is not stored: it would hide a later, longer answer.
      if (slice.length > 0) this.pages.set(firstPage + i, slice);
    }
  }

  private params(source: ListSource, offset: number, limit: number): Params<'emails.list'> {
    const base = { threads: this.threads, offset, limit };
    return source.kind === 'unified'
      ? { ...base, role: source.role }
      : { ...base, accountId: source.accountId, mailboxId: source.mailboxId };
  }
}
