// One timer serves every account; failures back off; "sync now" jumps the queue.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncScheduler } from '../../electron/core/sync/scheduler';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('SyncScheduler', () => {
  it('keeps a single timer however many accounts it serves', async () => {
    const runs: string[] = [];
    const s = new SyncScheduler(async (id) => void runs.push(id), { intervalMs: 1000 });
    for (let i = 0; i < 50; i++) s.add(`a${i}`);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(50);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(100);
    s.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('backs off exponentially while an account keeps failing, and recovers', async () => {
    const times: number[] = [];
    let fail = true;
    const s = new SyncScheduler(async () => {
      times.push(Date.now());
      if (fail) throw new Error('offline');
    }, { intervalMs: 1000 });
    const start = Date.now();
    s.add('a');
    await vi.advanceTimersByTimeAsync(2000 + 4000 + 8000);
    expect(times.map((t) => t - start)).toEqual([0, 2000, 6000, 14000]);
    fail = false;
    await vi.advanceTimersByTimeAsync(16000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(times.map((t) => t - start).slice(4)).toEqual([30000, 31000]);
    s.stop();
  });

  it('syncs at once when asked, and again right after a sync that was already running', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const s = new SyncScheduler(() => {
      runs++;
      return new Promise<void>((r) => (release = r));
    }, { intervalMs: 60_000 });
    s.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    expect(s.syncNow()).toBe(1); // arrives while the first run is in flight
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
    s.syncNow('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(3);
    release();
    s.stop();
  });

  it('forgets a removed account', async () => {
    const runs: string[] = [];
    const s = new SyncScheduler(async (id) => void runs.push(id), { intervalMs: 1000 });
    s.add('a');
    s.add('b');
    s.remove('a');
    await vi.advanceTimersByTimeAsync(3000);
    expect(new Set(runs)).toEqual(new Set(['b']));
    s.stop();
  });

  it('runs again soon while background work remains, marking those passes as continuations', async () => {
    const calls: boolean[] = [];
    let left = 2;
    const s = new SyncScheduler(async (_id, continuation) => {
      calls.push(continuation);
      return left-- > 0 ? 'more' : undefined;
    }, { intervalMs: 60_000 });
    s.add('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([false, true, true]);
    s.syncNow('a'); // the user asked: a full pass, not a continuation
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([false, true, true, false]);
    s.stop();
  });

  it('polls an idle account less and less often, and at the base rate again once something changes', async () => {
    const times: number[] = [];
    let changed = false;
    const s = new SyncScheduler(async () => {
      times.push(Date.now());
      return changed ? 'changed' : undefined;
    }, { intervalMs: 1000, maxIdleMs: 4000 });
    const start = Date.now();
    s.add('a');
    await vi.advanceTimersByTimeAsync(30_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.slice(0, 8)).toEqual([1000, 1000, 2000, 2000, 2000, 4000, 4000, 4000]);
    changed = true;
    s.syncNow('a');
    await vi.advanceTimersByTimeAsync(0);
    const at = Date.now();
    await vi.advanceTimersByTimeAsync(3000);
    expect(times.filter((t) => t > at).map((t) => t - at)).toEqual([1000, 2000, 3000]);
    expect(start).toBeLessThan(at);
    s.stop();
  });

  it('only polls as a safety net while push is connected', async () => {
    let runs = 0;
    const s = new SyncScheduler(async () => void runs++, { intervalMs: 1000, pushIntervalMs: 60_000 });
    s.add('a');
    await vi.advanceTimersByTimeAsync(0);
    s.setPushed('a', true);
    expect(s.dueIn('a')).toBe(60_000);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(runs).toBe(1);
    s.setPushed('a', false); // push lost: poll at the normal rate again
    expect(s.dueIn('a')).toBe(1000);
    s.stop();
  });
});
