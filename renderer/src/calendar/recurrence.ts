// The recurrence editor's form and the contract's RecurrenceDraft, both ways, and a sentence
// describing a rule ("Every 2 weeks on Monday, Wednesday, 5 times").
import type { RecurrenceDraft } from '../../../shared/pim-contract';
import { daysInMonth, parseWallClock } from './dates';

export type Weekday = 'mo' | 'tu' | 'we' | 'th' | 'fr' | 'sa' | 'su';
/** Indexed like Date.getDay(). */
export const weekdayCodes: readonly Weekday[] = ['su', 'mo', 'tu', 'we', 'th', 'fr', 'sa'];

export interface RecurrenceForm {
  frequency: 'none' | 'daily' | 'weekly' | 'monthly' | 'yearly';
  interval: number;
  weekdays: Weekday[];
  /** Monthly: on the start's day of the month, its nth weekday, or its weekday in the last week. */
  monthlyBy: 'date' | 'weekday' | 'last';
  ends: 'never' | 'on' | 'after';
  /** "YYYY-MM-DD", the last day it may occur. */
  until: string;
  count: number;
}

/** Day of week and its position in the month of a date: the 4th Thursday, or the last (-1). */
export function nthWeekday(year: number, month: number, day: number): { day: Weekday; nth: number; isLast: boolean } {
  const weekday = weekdayCodes[new Date(year, month - 1, day).getDay()]!;
  return { day: weekday, nth: Math.ceil(day / 7), isLast: day + 7 > daysInMonth(year, month - 1) };
}

export function defaultForm(start: string): RecurrenceForm {
  const w = parseWallClock(start);
  const weekday = w ? weekdayCodes[new Date(w.year, w.month - 1, w.day).getDay()]! : 'mo';
  return { frequency: 'none', interval: 1, weekdays: [weekday], monthlyBy: 'date', ends: 'never', until: '', count: 10 };
}

export function formFromDraft(draft: RecurrenceDraft | null, start: string): RecurrenceForm {
  const form = defaultForm(start);
  if (!draft) return form;
  form.frequency = draft.frequency;
  form.interval = draft.interval;
  if (draft.frequency === 'weekly' && draft.byDay?.length) form.weekdays = draft.byDay.map((d) => d.day);
  const nth = draft.frequency === 'monthly' ? draft.byDay?.find((d) => d.nthOfPeriod !== undefined)?.nthOfPeriod : undefined;
  if (nth !== undefined) form.monthlyBy = nth < 0 ? 'last' : 'weekday';
  if (draft.count !== undefined) {
    form.ends = 'after';
    form.count = draft.count;
  } else if (draft.until) {
    form.ends = 'on';
    form.until = draft.until.slice(0, 10);
  }
  return form;
}

/** The rule for the contract. Monthly by weekday repeats the start's weekday and its position. */
export function draftFromForm(form: RecurrenceForm, start: string): RecurrenceDraft | null {
  if (form.frequency === 'none') return null;
  const draft: RecurrenceDraft = { frequency: form.frequency, interval: Math.max(1, Math.min(1000, Math.round(form.interval) || 1)) };
  const w = parseWallClock(start);
  if (form.frequency === 'weekly' && form.weekdays.length) {
    // In week order, so the rule reads naturally.
    const order = weekdayCodes.slice(1).concat('su');
    draft.byDay = order.filter((d) => form.weekdays.includes(d)).map((day) => ({ day }));
  }
  if (form.frequency === 'monthly' && form.monthlyBy !== 'date' && w) {
    const nth = nthWeekday(w.year, w.month, w.day);
    draft.byDay = [{ day: nth.day, nthOfPeriod: form.monthlyBy === 'last' ? -1 : nth.nth }];
  }
  if (form.ends === 'after') draft.count = Math.max(1, Math.min(10_000, Math.round(form.count) || 1));
  // Until is inclusive: the whole last day.
  if (form.ends === 'on' && /^\d{4}-\d{2}-\d{2}$/.test(form.until)) draft.until = `${form.until}T23:59:59`;
  return draft;
}

const ordinals = ['last', '', 'first', 'second', 'third', 'fourth', 'fifth'];

function dayName(day: Weekday, locale?: string): string {
  const index = weekdayCodes.indexOf(day);
  return new Intl.DateTimeFormat(locale, { weekday: 'long' }).format(new Date(2023, 0, 1 + index));
}

/** A short English sentence for the rule. */
export function describeRecurrence(rule: RecurrenceDraft, locale?: string): string {
  const unit = { daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' }[rule.frequency];
  let text = rule.interval > 1 ? `Every ${rule.interval} ${unit}s` : `Every ${unit}`;
  if (rule.frequency === 'daily' && rule.interval === 1) text = 'Daily';
  if (rule.frequency === 'weekly' && rule.byDay?.length) text += ` on ${rule.byDay.map((d) => dayName(d.day, locale)).join(', ')}`;
  if (rule.frequency === 'monthly') {
    const byWeekday = rule.byDay?.find((d) => d.nthOfPeriod !== undefined);
    if (byWeekday?.nthOfPeriod !== undefined) text += ` on the ${ordinals[byWeekday.nthOfPeriod + 1] ?? `${byWeekday.nthOfPeriod}th`} ${dayName(byWeekday.day, locale)}`;
    else if (rule.byMonthDay?.length) text += ` on day ${rule.byMonthDay.join(', ')}`;
  }
  if (rule.count !== undefined) text += rule.count === 1 ? ', once' : `, ${rule.count} times`;
  else if (rule.until) {
    const w = parseWallClock(rule.until);
    if (w) text += `, until ${new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(w.year, w.month - 1, w.day))}`;
  }
  return text;
}

/**
 * The rule after its series moved by whole days: weekdays named in it move along (a weekly
 * Monday/Wednesday series moved a day later repeats on Tuesday/Thursday). Null when nothing
 * in the rule depends on the day.
 */
export function shiftRuleDays(rule: RecurrenceDraft, days: number): RecurrenceDraft | null {
  const shift = ((days % 7) + 7) % 7;
  if (!shift || !rule.byDay?.length) return null;
  const moved = (day: Weekday): Weekday => weekdayCodes[(weekdayCodes.indexOf(day) + shift) % 7]!;
  const order = weekdayCodes.slice(1).concat('su');
  const byDay = rule.byDay.map((d) => ({ ...d, day: moved(d.day) })).sort((a, b) => order.indexOf(a.day) - order.indexOf(b.day));
  return { ...rule, byDay };
}
