// The main window's size and position, kept across launches in userData/window-state.json,
// and put back only where a display still shows it (a monitor may have been unplugged).
import { readJsonFile, SerialWriter, writeJsonFile } from './json-file';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** The normal (unmaximized) bounds, so un-maximizing later returns to them. */
  bounds: Rect;
  maximized: boolean;
}

export const defaultWindowSize = { width: 1200, height: 800 } as const;
export const minWindowSize = { width: 640, height: 420 } as const;
/** How much of the window must lie on a display to count as visible there. */
const minVisible = { width: 120, height: 60 } as const;

function isRect(v: unknown): v is Rect {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const sane = (n: unknown, min: number): boolean => typeof n === 'number' && Number.isFinite(n) && n >= min && Math.abs(n) < 1e5;
  return sane(r.x, -1e5) && sane(r.y, -1e5) && sane(r.width, 1) && sane(r.height, 1);
}

/** A saved state from the file, or null when it is missing or malformed. */
export function parseWindowState(value: unknown): WindowState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isRect(v.bounds)) return null;
  const { x, y, width, height } = v.bounds;
  return { bounds: { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) }, maximized: v.maximized === true };
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

function centredOn(area: Rect, size: { width: number; height: number }): Rect {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return {
    x: area.x + Math.floor((area.width - width) / 2),
    y: area.y + Math.floor((area.height - height) / 2),
    width,
    height,
  };
}

function clampOnto(area: Rect, r: Rect): Rect {
  const width = Math.min(r.width, area.width);
  const height = Math.min(r.height, area.height);
  return {
    x: Math.min(Math.max(r.x, area.x), area.x + area.width - width),
    y: Math.min(Math.max(r.y, area.y), area.y + area.height - height),
    width,
    height,
  };
}

/**
 * Where the window opens. The saved bounds go onto the display that shows most of them,
 * moved and shrunk to lie wholly inside its work area (never under a taskbar or off an
 * edge). When no display shows enough of them, the window is centred on the primary display
 * (at its saved size if that fits, else the default).
 */
export function restoreWindowState(saved: WindowState | null, workAreas: readonly Rect[], primary: Rect): WindowState {
  const size = (r: Rect | undefined) => ({
    width: Math.max(minWindowSize.width, r?.width ?? defaultWindowSize.width),
    height: Math.max(minWindowSize.height, r?.height ?? defaultWindowSize.height),
  });
  if (!saved) return { bounds: centredOn(primary, size(undefined)), maximized: false };
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const o = overlap(saved.bounds, area);
    if (o.width >= Math.min(minVisible.width, saved.bounds.width) && o.height >= Math.min(minVisible.height, saved.bounds.height) && o.width * o.height > bestArea) {
      best = area;
      bestArea = o.width * o.height;
    }
  }
  const bounds = best ? clampOnto(best, { ...saved.bounds, ...size(saved.bounds) }) : centredOn(primary, size(saved.bounds));
  return { bounds, maximized: saved.maximized };
}

/** Loads once at start; saves after moves and resizes settle, and at once on close. */
export class WindowStateFile {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly writer = new SerialWriter();

  constructor(
    private readonly path: string,
    private readonly delayMs = 1000,
  ) {}

  load(): WindowState | null {
    return parseWindowState(readJsonFile(this.path));
  }

  /** Saves `read()` once things have been still for a moment (a drag sends many moves). */
  saveSoon(read: () => WindowState): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save(read()).catch(() => {});
    }, this.delayMs);
  }

  save(state: WindowState): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.writer.run(() => writeJsonFile(this.path, state, 0o644));
  }

  flushed(): Promise<void> {
    return this.writer.idle();
  }
}
