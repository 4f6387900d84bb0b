// Calendar colours: the server's, or one of ours for calendars without; and the text colour
// (black or white) that reads best on each, by WCAG contrast.

/** Picked for calendars the server gave no colour, by a hash of the id so it stays the same. */
const palette = ['#3a7bd5', '#2e9d57', '#d9822b', '#8e5bd6', '#d64561', '#1a9aa0', '#b8860b', '#6b7a8f'];

export function fallbackColor(calendarId: string): string {
  let h = 0;
  for (const ch of calendarId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return palette[h % palette.length]!;
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Reads #rgb, #rgba, #rrggbb, #rrggbbaa and rgb()/rgba(); null for anything else. */
export function parseColor(css: string): Rgb | null {
  const text = css.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(text)?.[1];
  if (hex) {
    if (hex.length === 3 || hex.length === 4) {
      const [r, g, b] = [...hex].map((c) => parseInt(c + c, 16)) as [number, number, number];
      return { r, g, b };
    }
    if (hex.length === 6 || hex.length === 8) {
      return { r: parseInt(hex.slice(0, 2), 16), g: parseInt(hex.slice(2, 4), 16), b: parseInt(hex.slice(4, 6), 16) };
    }
    return null;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(text);
  if (rgb) {
    const [r, g, b] = rgb.slice(1, 4).map((v) => Math.min(255, Number(v))) as [number, number, number];
    return { r, g, b };
  }
  return null;
}

function channel(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function luminance({ r, g, b }: Rgb): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const black: Rgb = { r: 0, g: 0, b: 0 };
const white: Rgb = { r: 255, g: 255, b: 255 };

/** Black or white, whichever contrasts more with the background colour. */
export function textColorOn(background: Rgb): '#000000' | '#ffffff' {
  return contrastRatio(background, black) >= contrastRatio(background, white) ? '#000000' : '#ffffff';
}

export function toHex({ r, g, b }: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}
