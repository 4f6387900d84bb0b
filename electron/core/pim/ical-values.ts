// Small value conversions shared by the iCalendar modules: durations, patches, ids, deep equality.

/** Seconds → a JSCalendar Duration; whole days stay nominal ("P1D") unless exact is asked for. */
export function formatDuration(totalSeconds: number, useDays = true): string {
  const sign = totalSeconds < 0 ? '-' : '';
  let s = Math.round(Math.abs(totalSeconds));
  const days = useDays ? Math.floor(s / 86400) : 0;
  s -= days * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${sec ? `${sec}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `${sign}P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** An ISO 8601 / RFC 5545 duration in seconds (weeks and days as 7 and 1 nominal days), or null. */
export function durationSeconds(text: string): number | null {
  const m = /^([+-])?P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?$/.exec(text.trim());
  if (!m || text.trim().endsWith('T') || /^[+-]?P$/.test(text.trim())) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  const total = n(2) * 7 * 86400 + n(3) * 86400 + n(4) * 3600 + n(5) * 60 + n(6);
  return m[1] === '-' ? -total : total;
}

export const normalizeDuration = (text: string): string | null => {
  const s = durationSeconds(text);
  return s === null ? null : formatDuration(s);
};

/** A short stable id from a string (FNV-1a), so participant ids survive a round trip. */
export function stableId(prefix: string, text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${prefix}${h.toString(36)}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const clone = <T>(v: T): T => structuredClone(v);

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Applies a JSCalendar PatchObject (RFC 8984 §1.4.9): keys are JSON pointers without the leading
 * "/", null removes. `defaults` gives the value a removed top-level property falls back to.
 */
export function applyPatch<T extends Record<string, unknown>>(base: T, patch: Record<string, unknown>, defaults: Record<string, unknown> = {}): T {
  const out = clone(base) as Record<string, unknown>;
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target: Record<string, unknown> = out;
    for (const k of keys.slice(0, -1)) {
      const next = target[k];
      if (!isRecord(next)) target[k] = {};
      target = target[k] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1] ?? '';
    if (value !== null) target[last] = clone(value);
    else if (keys.length === 1 && last in defaults) target[last] = defaults[last];
    else delete target[last];
  }
  return out as T;
}
