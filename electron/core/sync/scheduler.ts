// One timer for all accounts: each account has a due time, and the timer is always set for
// the earliest one, so N accounts never mean N busy timers. Failures back off exponentially.
/**
 * Runs one pass. `continuation` is true when the pass only continues background work the
 * previous one left ('more'), so it need not ask the server for changes again.
 * Resolves to 'more' when work is left over (e.g. bodies still to fetch): run again soon.
 */
export type SyncRunner = (accountId: string, continuation: boolean) => Promise<void | 'more'>;

interface Entry {
  dueAt: number;
  failures: number;
  running: boolean;
  /** A sync was requested while one was running: run again right after. */
  again: boolean;
  current: Promise<void> | null;
  /** The last pass left background work, and nothing else asked for a sync since. */
  continuation: boolean;
}

/** Pause between passes while background work remains, so other accounts get their turn. */
const soonMs = 100;

export class SyncScheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly run: SyncRunner,
    private readonly intervalMs: number,
    private readonly maxBackoffMs = 15 * 60_000,
  ) {}

  add(accountId: string): void {
    if (!this.entries.has(accountId)) this.entries.set(accountId, { dueAt: 0, failures: 0, running: false, again: false, current: null, continuation: false });
    this.arm();
  }

  remove(accountId: string): void {
    this.entries.delete(accountId);
    this.arm();
  }

  /** Syncs now (one account, or all): on focus, on network return, or when the user asks. */
  syncNow(accountId?: string): number {
    const ids = accountId ? [accountId] : [...this.entries.keys()];
    let started = 0;
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      e.continuation = false;
      if (e.running) e.again = true;
      else e.dueAt = 0;
      started++;
    }
    this.arm();
    return started;
  }

  /** Runs one account's sync to completion, e.g. right after the account was added. */
  async syncAndWait(accountId: string): Promise<void> {
    const e = this.entries.get(accountId);
    if (!e) return;
    if (e.current) await e.current;
    else await this.execute(accountId, e);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    let next = Infinity;
    for (const e of this.entries.values()) if (!e.running) next = Math.min(next, e.dueAt);
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - Date.now()));
    this.timer.unref?.();
  }

  private tick(): void {
    this.timer = null;
    const now = Date.now();
    for (const [id, e] of this.entries) {
      if (!e.running && e.dueAt <= now) void this.execute(id, e);
    }
    this.arm();
  }

  private execute(id: string, e: Entry): Promise<void> {
    if (e.current) {
      e.again = true;
      return e.current;
    }
    e.current = this.runOnce(id, e);
    return e.current;
  }

  private async runOnce(id: string, e: Entry): Promise<void> {
    e.running = true;
    let more = false;
    try {
      const continuation = e.continuation;
      e.continuation = false;
      more = (await this.run(id, continuation)) === 'more';
      e.failures = 0;
    } catch {
      e.failures++;
    } finally {
      e.running = false;
      e.current = null;
      const backoff = more
        ? soonMs
        : e.failures === 0
          ? this.intervalMs
          : Math.min(this.maxBackoffMs, this.intervalMs * 2 ** Math.min(e.failures, 10));
      e.continuation = more && !e.again;
      e.dueAt = e.again ? 0 : Date.now() + backoff;
      e.again = false;
      this.arm();
    }
  }
}
