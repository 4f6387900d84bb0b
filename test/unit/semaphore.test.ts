import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../electron/core/jmap/semaphore';

describe('Semaphore', () => {
  it('never runs more tasks than the current limit, and follows a changed limit', async () => {
    let limit = 2;
    const sem = new Semaphore(() => limit);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      sem.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
      });
    const all = Array.from({ length: 6 }, task);
    await Promise.resolve();
    expect(running).toBe(2);
    limit = 4;
    sem.wake();
    await Promise.resolve();
    expect(running).toBe(4);
    while (releases.length) {
      releases.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(all);
    expect(peak).toBe(4);
  });
});
