// Caps concurrent requests to one server at the maxConcurrentRequests it advertises. The
// limit is read on every use, so a refreshed session takes effect at once.
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private limit: () => number) {}

  /** Where the limit is read from: the newest session of any client sharing this semaphore. */
  setLimitSource(limit: () => number): void {
    this.limit = limit;
    this.wake();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max()) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Starts waiters if the limit grew. */
  wake(): void {
    while (this.active < this.max() && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }

  private max(): number {
    return Math.max(1, this.limit() || 1);
  }

  private release(): void {
    const next = this.active <= this.max() ? this.waiting.shift() : undefined;
    if (next) next();
    else this.active--;
  }
}
