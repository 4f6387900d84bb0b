import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  defaultWindowSize,
  minWindowSize,
  parseWindowState,
  restoreWindowState,
  WindowStateFile,
  type Rect,
  type WindowState,
} from '../../electron/shell/window-state';

// A laptop (1440×900 with a 25 px menu bar) and, to its right, a 2560×1440 monitor whose
// work area loses 48 px to a taskbar.
const laptop: Rect = { x: 0, y: 25, width: 1440, height: 875 };
const monitor: Rect = { x: 1440, y: 0, width: 2560, height: 1392 };

function inside(r: Rect, area: Rect): boolean {
  return r.x >= area.x && r.y >= area.y && r.x + r.width <= area.x + area.width && r.y + r.height <= area.y + area.height;
}

const saved = (bounds: Rect, maximized = false): WindowState => ({ bounds, maximized });

describe('restoreWindowState', () => {
  it('opens centred at the default size the first time', () => {
    const { bounds, maximized } = restoreWindowState(null, [laptop], laptop);
    expect(bounds).toEqual({ x: 120, y: 62, width: defaultWindowSize.width, height: defaultWindowSize.height });
    expect(maximized).toBe(false);
  });

  it('puts the window back exactly where it was when that is still visible', () => {
    const onMonitor = { x: 2000, y: 200, width: 1300, height: 900 };
    expect(restoreWindowState(saved(onMonitor, true), [laptop, monitor], laptop)).toEqual(saved(onMonitor, true));
  });

  it('centres on the primary display when the monitor it was on is gone', () => {
    const { bounds } = restoreWindowState(saved({ x: 2000, y: 200, width: 1300, height: 900 }), [laptop], laptop);
    expect(inside(bounds, laptop)).toBe(true);
    // The user's size is kept, shrunk to what fits.
    expect(bounds).toEqual({ x: 70, y: 25, width: 1300, height: 875 });
  });

  it('pulls a window hanging off an edge back onto its display', () => {
    const { bounds } = restoreWindowState(saved({ x: 1000, y: -200, width: 1200, height: 800 }), [laptop], laptop);
    expect(inside(bounds, laptop)).toBe(true);
    expect(bounds).toEqual({ x: 240, y: 25, width: 1200, height: 800 });
  });

  it('keeps it off the taskbar and shrinks it to the work area', () => {
    const { bounds } = restoreWindowState(saved({ x: 1500, y: 600, width: 3000, height: 1600 }), [laptop, monitor], laptop);
    expect(bounds).toEqual(monitor);
  });

  it('chooses the display that shows most of a window spanning two', () => {
    const { bounds } = restoreWindowState(saved({ x: 1200, y: 100, width: 1000, height: 700 }), [laptop, monitor], laptop);
    // 240 px on the laptop, 760 px on the monitor.
    expect(inside(bounds, monitor)).toBe(true);
    expect(bounds).toEqual({ x: 1440, y: 100, width: 1000, height: 700 });
  });

  it('does not count a sliver as visible (a title bar must be reachable)', () => {
    const { bounds } = restoreWindowState(saved({ x: 1430, y: 100, width: 1000, height: 700 }), [laptop], laptop);
    // 10 px would be on screen: treated as lost, so centred.
    expect(bounds).toEqual({ x: 220, y: 112, width: 1000, height: 700 });
  });

  it('never restores smaller than the minimum size', () => {
    const { bounds } = restoreWindowState(saved({ x: 10, y: 30, width: 50, height: 20 }), [laptop], laptop);
    expect(bounds.width).toBe(minWindowSize.width);
    expect(bounds.height).toBe(minWindowSize.height);
    expect(inside(bounds, laptop)).toBe(true);
  });

  it('handles displays to the left of and above the primary (negative coordinates)', () => {
    const left: Rect = { x: -1920, y: -300, width: 1920, height: 1040 };
    const bounds = { x: -1800, y: -250, width: 1000, height: 700 };
    expect(restoreWindowState(saved(bounds), [laptop, left], laptop).bounds).toEqual(bounds);
  });
});

describe('parseWindowState', () => {
  it('accepts what it wrote, rounding fractions', () => {
    expect(parseWindowState({ bounds: { x: 1.4, y: 2.6, width: 800, height: 600 }, maximized: true })).toEqual({
      bounds: { x: 1, y: 3, width: 800, height: 600 },
      maximized: true,
    });
  });

  it.each([
    null,
    'text',
    {},
    { bounds: null },
    { bounds: { x: 0, y: 0, width: 0, height: 600 } },
    { bounds: { x: 0, y: 0, width: 800 } },
    { bounds: { x: '0', y: 0, width: 800, height: 600 } },
    { bounds: { x: Number.NaN, y: 0, width: 800, height: 600 } },
    { bounds: { x: 1e9, y: 0, width: 800, height: 600 } },
  ])('rejects %j', (value) => {
    expect(parseWindowState(value)).toBeNull();
  });
});

describe('WindowStateFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'window-state-'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through userData/window-state.json', async () => {
    const file = new WindowStateFile(join(dir, 'window-state.json'));
    expect(file.load()).toBeNull();
    await file.save(saved({ x: 10, y: 20, width: 900, height: 700 }, true));
    expect(new WindowStateFile(join(dir, 'window-state.json')).load()).toEqual(saved({ x: 10, y: 20, width: 900, height: 700 }, true));
  });

  it('treats a corrupt file as no saved state', async () => {
    await writeFile(join(dir, 'window-state.json'), '{"bounds": {');
    expect(new WindowStateFile(join(dir, 'window-state.json')).load()).toBeNull();
  });

  it('saves once after a burst of moves, with the last bounds', async () => {
    vi.useFakeTimers();
    const path = join(dir, 'window-state.json');
    const file = new WindowStateFile(path, 1000);
    let x = 0;
    const read = vi.fn(() => saved({ x, y: 0, width: 800, height: 600 }));
    for (x = 0; x < 50; x++) file.saveSoon(read);
    await vi.advanceTimersByTimeAsync(999);
    expect(read).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    await file.flushed();
    expect(read).toHaveBeenCalledTimes(1);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(saved({ x: 50, y: 0, width: 800, height: 600 }));
    expect((await stat(path)).isFile()).toBe(true);
  });

  it('a save on close cancels the pending one', async () => {
    vi.useFakeTimers();
    const path = join(dir, 'window-state.json');
    const file = new WindowStateFile(path, 1000);
    const late = vi.fn(() => saved({ x: 1, y: 1, width: 800, height: 600 }));
    file.saveSoon(late);
    const closing = file.save(saved({ x: 2, y: 2, width: 800, height: 600 }));
    await vi.advanceTimersByTimeAsync(2000);
    vi.useRealTimers();
    await closing;
    expect(late).not.toHaveBeenCalled();
    expect(file.load()).toEqual(saved({ x: 2, y: 2, width: 800, height: 600 }));
  });
});
