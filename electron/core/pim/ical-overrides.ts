// RECURRENCE-ID instances ↔ recurrenceOverrides patches. iCalendar repeats the whole instance;
// JSCalendar keeps only what differs from the master, keyed by the original start.
import type { CalendarEvent } from './model';
import { applyPatch, clone, deepEqual } from './ical-values';

/** Properties that belong to the series, never to one occurrence. */
const SERIES_ONLY = new Set(['@type', 'id', 'uid', 'calendarIds', 'recurrenceRules', 'recurrenceOverrides', 'recurrenceId', 'recurrenceIdTimeZone', 'method', 'excludedRecurrenceRules']);

/** What a removed top-level property reverts to, for the model's always-present properties. */
export const EVENT_DEFAULTS: Record<string, unknown> = {
  title: '',
  description: '',
  locations: null,
  participants: null,
  alerts: null,
  status: 'confirmed',
  duration: 'PT0S',
  showWithoutTime: false,
  sequence: 0,
};

/** The patch that turns the master into this instance (its start defaults to the recurrence id). */
export function diffInstance(master: CalendarEvent, instance: CalendarEvent, recurrenceId: string): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(master), ...Object.keys(instance)]);
  for (const key of keys) {
    if (SERIES_ONLY.has(key) || key === 'start') continue;
    const a = master[key];
    const b = instance[key];
    // Instances rarely repeat the series' bookkeeping; absence there means "same as the series".
    if (b === undefined && (key === 'created' || key === 'updated')) continue;
    if (deepEqual(a ?? EVENT_DEFAULTS[key] ?? null, b ?? EVENT_DEFAULTS[key] ?? null)) continue;
    patch[key] = b === undefined ? null : clone(b);
  }
  if (instance.start && instance.start !== recurrenceId) patch.start = instance.start;
  return patch;
}

/** The full occurrence an override describes, as a standalone event with recurrenceId set. */
export function instanceOf(master: CalendarEvent, recurrenceId: string, patch: Record<string, unknown>): CalendarEvent {
  // Not cloning the overrides: a series can have thousands, and each instance would copy them all.
  const base: CalendarEvent = clone({ ...master, start: recurrenceId, recurrenceRules: null, recurrenceOverrides: null });
  const inst = applyPatch(base, patch, EVENT_DEFAULTS);
  inst.recurrenceId = recurrenceId;
  return inst;
}
