// Network return, seen from the main process: Electron's main process has no 'online' event,
// so net.isOnline() is polled (a cheap read of Chromium's network-change state). Only the
// offline → online edge acts: that is when mail queued or missed meanwhile should move.

export interface OnlineWatchOptions {
  isOnline: () => boolean;
  onOnline: () => void;
  intervalMs?: number;
}

export class OnlineWatcher {
  private timer: ReturnType<typeof setInterval> | null = null;
  private online = true;

  constructor(private readonly options: OnlineWatchOptions) {}

  start(): void {
    if (this.timer) return;
    this.online = this.options.isOnline();
    this.timer = setInterval(() => this.check(), this.options.intervalMs ?? 5000);
    // Polling must never be the reason the app keeps running.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** One poll; also the hook for events that hint the network changed (e.g. resume). */
  check(): void {
    const now = this.options.isOnline();
    const cameBack = now && !this.online;
    this.online = now;
    if (cameBack) this.options.onOnline();
  }

  get isOnline(): boolean {
    return this.online;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
