// The event editor's form: filled from a new slot or from an event (or one of its
// occurrences), and turned back into the contract's EventDraft. Dates and times in the form
// are wall-clock values in the event's own time zone.
import type { EventDetail, EventDraft, OccurrenceView, ParticipantDraft } from '../../../shared/pim-contract';
import { addDays, dayKey, daysBetween, localDate, timeKey, toLocalDateTime } from './dates';
import { dayDuration, exactDuration, parseDuration } from './durations';
import { displaySpan, type Span } from './layout';
import { defaultForm, draftFromForm, formFromDraft, type RecurrenceForm } from './recurrence';
import { instantOf, wallClockIn } from './zones';

export interface EventForm {
  /** "accountId/calendarId" */
  calendar: string;
  title: string;
  allDay: boolean;
  startDate: string;
  startTime: string;
  /** For all-day events: the last day (inclusive). */
  endDate: string;
  endTime: string;
  /** IANA zone; empty: floating (the same clock time wherever the user is). */
  timeZone: string;
  recurrence: RecurrenceForm;
  participants: ParticipantDraft[];
  location: string;
  description: string;
  alerts: number[];
  status: EventDraft['status'];
}

export const calendarKey = (accountId: string, calendarId: string): string => `${accountId}/${calendarId}`;

export function splitCalendarKey(key: string): { accountId: string; calendarId: string } {
  const i = key.indexOf('/');
  return { accountId: key.slice(0, i), calendarId: key.slice(i + 1) };
}

/** A new event over a slot of the grid (local times), in the user's zone. */
export function newForm(span: Span, allDay: boolean, calendar: string, zone: string): EventForm {
  const start = toLocalDateTime(span.start);
  const lastDay = allDay ? addDays(span.end, -1) : span.end;
  return {
    calendar,
    title: '',
    allDay,
    startDate: dayKey(span.start),
    startTime: allDay ? '09:00' : timeKey(span.start),
    endDate: dayKey(lastDay < span.start ? span.start : lastDay),
    endTime: allDay ? '10:00' : timeKey(span.end),
    timeZone: zone,
    recurrence: defaultForm(start),
    participants: [],
    location: '',
    description: '',
    alerts: allDay ? [] : [10],
    status: 'confirmed',
  };
}

/**
 * The form for an existing event. With an occurrence, its own date and time are shown (the
 * one the user opened), not the series' first.
 */
export function formFromDetail(detail: EventDetail, occurrence: OccurrenceView | null): EventForm {
  const d = detail.draft;
  const zone = d.timeZone;
  let startText = d.start;
  let endText: string;
  if (occurrence && occurrence.allDay === d.allDay) {
    if (d.allDay) {
      const span = displaySpan(occurrence.start, occurrence.end, true);
      startText = toLocalDateTime(span.start);
      endText = toLocalDateTime(addDays(span.end, -1));
    } else {
      startText = wallClockIn(new Date(occurrence.start), zone);
      endText = wallClockIn(new Date(occurrence.end), zone);
    }
  } else {
    const duration = parseDuration(d.duration) ?? { days: 0, ms: 3_600_000 };
    if (d.allDay) {
      const start = localDate(d.start) ?? new Date();
      endText = toLocalDateTime(addDays(start, Math.max(1, duration.days) - 1));
    } else {
      const startLocal = localDate(d.start) ?? new Date();
      // Nominal days move the wall clock by dates; the exact part is then added in the zone.
      const dayShifted = toLocalDateTime(addDays(startLocal, duration.days));
      const instant = instantOf(dayShifted, zone) ?? startLocal;
      endText = wallClockIn(new Date(instant.getTime() + duration.ms), zone);
    }
  }
  return {
    calendar: calendarKey(detail.accountId, d.calendarId),
    title: d.title,
    allDay: d.allDay,
    startDate: startText.slice(0, 10),
    startTime: d.allDay ? '09:00' : startText.slice(11, 16),
    endDate: endText.slice(0, 10),
    endTime: d.allDay ? '10:00' : endText.slice(11, 16),
    timeZone: zone ?? '',
    recurrence: formFromDraft(d.recurrence, d.start),
    participants: d.participants.map((p) => ({ ...p })),
    location: d.location,
    description: d.description,
    alerts: d.alerts.map((a) => a.minutesBefore),
    status: d.status,
  };
}

export function formStart(form: EventForm): string {
  return form.allDay ? `${form.startDate}T00:00:00` : `${form.startDate}T${form.startTime}:00`;
}

/** The draft to save, or what is wrong with the form. */
export function draftOf(form: EventForm): { draft: EventDraft } | { error: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.startDate) || !/^\d{4}-\d{2}-\d{2}$/.test(form.endDate)) return { error: 'Enter a start and an end date.' };
  const start = formStart(form);
  let duration: string;
  if (form.allDay) {
    const a = localDate(form.startDate);
    const b = localDate(form.endDate);
    if (!a || !b) return { error: 'Enter a start and an end date.' };
    const days = daysBetween(a, b) + 1;
    if (days < 1) return { error: 'The event ends before it starts.' };
    duration = dayDuration(days);
  } else {
    if (!/^\d{2}:\d{2}$/.test(form.startTime) || !/^\d{2}:\d{2}$/.test(form.endTime)) return { error: 'Enter a start and an end time.' };
    const zone = form.timeZone || null;
    const s = instantOf(start, zone);
    const e = instantOf(`${form.endDate}T${form.endTime}:00`, zone);
    if (!s || !e) return { error: 'Enter a start and an end time.' };
    if (e < s) return { error: 'The event ends before it starts.' };
    duration = exactDuration(e.getTime() - s.getTime());
  }
  const bad = form.participants.find((p) => !/^[^\s@]+@[^\s@]+$/.test(p.email.trim()));
  if (bad) return { error: `“${bad.email || bad.name || 'A participant'}” needs an email address like name@example.com.` };
  if (form.recurrence.ends === 'on' && form.recurrence.frequency !== 'none' && form.recurrence.until < form.startDate) {
    return { error: 'The repeat ends before the event starts.' };
  }
  const { calendarId } = splitCalendarKey(form.calendar);
  return {
    draft: {
      calendarId,
      title: form.title.trim(),
      description: form.description,
      location: form.location.trim(),
      start,
      timeZone: form.allDay ? null : form.timeZone || null,
      duration,
      allDay: form.allDay,
      recurrence: draftFromForm(form.recurrence, start),
      participants: form.participants.map((p) => ({ ...p, name: p.name.trim(), email: p.email.trim() })),
      // Several identical alerts are one.
      alerts: [...new Set(form.alerts)].map((minutesBefore) => ({ minutesBefore })),
      status: form.status,
    },
  };
}
