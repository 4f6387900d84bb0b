// One timer for all accounts: each account has a due time, and the timer is always set for
// the earliest one, so N accounts never mean N busy timers.
//
// Polling adapts: an account whose passes keep finding nothing is polled less and less often
// (up to maxIdleMs), one with push is only polled as a safety net, a failing one backs off
// exponentially, and anything the user does (focus, an action) brings it back to the base rate.

/**
 * What a pass found: 'changed' or nothing new (void); 'more' when background work is left
 * (e.g. bodies still to fetch), so it runs again soon.
 */
export type PassResult = void | 'changed' | 'more';

/**
 * Runs one pass. `continuation` is true when the pass only continues background work the
 * previous one left ('more'), so it need not ask the server for changes again.
 */
export type SyncRunner = (accountId: string, continuation: boolean) => Promise<PassResult>;

export interface SchedulerOptions {
  /** The poll interval for an active account without push. */
  intervalMs: number;
  /** The longest poll interval an idle account drifts to. */
  maxIdleMs?: number;
  /** The safety-net poll interval while push is connected. */
  pushIntervalMs?: number;
  maxBackoffMs?: number;
}

interface Entry {
  dueAt: number;
  failures: number;
  /** Passes in a row that found nothing new. */
  idle: number;
  /** A push channel is connected for this account. */
  pushed: boolean;
  /** A sync was requested while one was running: run again right after. */
  again: boolean;
  current: Promise<void> | null;
  /** The last pass left background work, and nothing else asked for a sync since. */
  continuation: boolean;
}

/** Pause between passes while background work remains, so other accounts get their turn. */
const soonMs = 100;
/** Idle passes per doubling of the poll interval. */
const idlePerDoubling = 3;

export class SyncScheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly opts: Required<SchedulerOptions>;

  constructor(
    private readonly run: SyncRunner,
    options: SchedulerOptions,
  ) {
    this.opts = {
      maxIdleMs: Math.max(options.intervalMs, 5 * 60_000),
      pushIntervalMs: Math.max(options.intervalMs, 15 * 60_000),
      maxBackoffMs: 15 * 60_000,
      ...options,
    };
  }

  add(accountId: string): void {
    if (!this.entries.has(accountId)) {
      this.entries.set(accountId, { dueAt: 0, failures: 0, idle: 0, pushed: false, again: false, current: null, continuation: false });
    }
    this.arm();
  }

  remove(accountId: string): void {
    this.entries.delete(accountId);
    this.arm();
  }

  /** Syncs now (one account, or all): on focus, on network return, or when the user acts. */
  syncNow(accountId?: string): number {
    const ids = accountId ? [accountId] : [...this.entries.keys()];
    let started = 0;
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      e.continuation = false;
      e.idle = 0; // the user is here: poll at the base rate again
      if (e.current) e.again = true;
      else e.dueAt = 0;
      started++;
    }
    this.arm();
    return started;
  }

  /** Push connected or lost: polling becomes a safety net, or the main channel again. */
  setPushed(accountId: string, pushed: boolean): void {
    const e = this.entries.get(accountId);
    if (!e || e.pushed === pushed) return;
    e.pushed = pushed;
    if (!e.current) e.dueAt = Date.now() + this.interval(e);
    this.arm();
  }

  /** When an account is next due, in ms from now (for tests and diagnostics). */
  dueIn(accountId: string): number | null {
    const e = this.entries.get(accountId);
    return e ? Math.max(0, e.dueAt - Date.now()) : null;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private interval(e: Entry): number {
    if (e.failures > 0) return Math.min(this.opts.maxBackoffMs, this.opts.intervalMs * 2 ** Math.min(e.failures, 10));
    if (e.pushed) return this.opts.pushIntervalMs;
    return Math.min(this.opts.maxIdleMs, this.opts.intervalMs * 2 ** Math.floor(e.idle / idlePerDoubling));
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    let next = Infinity;
    for (const e of this.entries.values()) if (!e.current) next = Math.min(next, e.dueAt);
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - Date.now()));
    this.timer.unref?.(); // the scheduler alone must not keep a quitting app alive
  }

  private tick(): void {
    this.timer = null;
    const now = Date.now();
    for (const [id, e] of this.entries) {
      if (!e.current && e.dueAt <= now) e.current = this.runOnce(id, e);
    }
    this.arm();
  }

  private async runOnce(id: string, e: Entry): Promise<void> {
    let result: PassResult = undefined;
    try {
      const continuation = e.continuation;
      e.continuation = false;
      result = await this.run(id, continuation);
      e.failures = 0;
      if (result === 'changed') e.idle = 0;
      else if (result !== 'more') e.idle++;
    } catch {
      e.failures++;
    } finally {
      e.current = null;
      e.continuation = result === 'more' && !e.again;
      e.dueAt = e.again ? 0 : Date.now() + (result === 'more' ? soonMs : this.interval(e));
      e.again = false;
      this.arm();
    }
  }
}
