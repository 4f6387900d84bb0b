// The widths of the sidebar and the message list, set by dragging (or the keyboard) and
// remembered per browser profile. What is shown is clamped to the window, so a size saved on
// a big screen never pushes the reading pane off a small one.
export type Pane = 'sidebar' | 'list';

const storageKey = 'meridian.layout';
export const paneDefaults: Record<Pane, number> = { sidebar: 240, list: 420 };
const paneMin: Record<Pane, number> = { sidebar: 180, list: 260 };
const paneMax: Record<Pane, number> = { sidebar: 440, list: 900 };
/** The reading pane never gets narrower than this while a pane is widened. */
const readingMin = 320;

function readSizes(): Record<Pane, number> {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '{}');
    const saved = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const pick = (pane: Pane): number => {
      const v = saved[pane];
      return typeof v === 'number' && Number.isFinite(v) ? clamp(v, paneMin[pane], paneMax[pane]) : paneDefaults[pane];
    };
    return { sidebar: pick('sidebar'), list: pick('list') };
  } catch {
    return { ...paneDefaults };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.round(Math.min(Math.max(v, lo), Math.max(lo, hi)));
}

export class Layout {
  private sizes = $state(readSizes());
  /** The window's usable width (the shell's), measured by the app. */
  width = $state(1200);

  readonly sidebar = $derived(clamp(this.sizes.sidebar, paneMin.sidebar, Math.min(paneMax.sidebar, this.width - paneMin.list - readingMin)));
  readonly list = $derived(clamp(this.sizes.list, paneMin.list, Math.min(paneMax.list, this.width - this.sidebar - readingMin)));

  min(pane: Pane): number {
    return paneMin[pane];
  }

  max(pane: Pane): number {
    return pane === 'sidebar'
      ? Math.max(paneMin.sidebar, Math.min(paneMax.sidebar, this.width - paneMin.list - readingMin))
      : Math.max(paneMin.list, Math.min(paneMax.list, this.width - this.sidebar - readingMin));
  }

  size(pane: Pane): number {
    return pane === 'sidebar' ? this.sidebar : this.list;
  }

  set(pane: Pane, px: number): void {
    this.sizes = { ...this.sizes, [pane]: clamp(px, this.min(pane), this.max(pane)) };
    try {
      localStorage.setItem(storageKey, JSON.stringify(this.sizes));
    } catch {
      // Private mode or storage full: the size lasts for this window only.
    }
  }
}
