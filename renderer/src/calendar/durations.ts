// ISO 8601 durations as JSCalendar uses them ("PT1H30M", "P1D", "P2W").

const pattern = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/;

export interface Duration {
  /** Nominal days (a day is a calendar day, 23 to 25 hours across DST). */
  days: number;
  /** The exact part, in ms. */
  ms: number;
}

export function parseDuration(text: string): Duration | null {
  const m = pattern.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [weeks, days, hours, minutes, seconds] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number];
  return { days: weeks * 7 + days, ms: ((hours * 60 + minutes) * 60 + seconds) * 1000 };
}

/** An exact duration ("PT1H30M"); no day part, so it never depends on DST. */
export function exactDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (total === 0) return 'PT0S';
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}

/** Whole days, for all-day events ("P1D"). */
export function dayDuration(days: number): string {
  return `P${Math.max(1, Math.round(days))}D`;
}
