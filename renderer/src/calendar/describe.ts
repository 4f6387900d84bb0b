// Words for events: times as the locale writes them, and the full sentence a screen reader
// hears for an event on the grid.
import { addDays, sameDay } from './dates';
import type { Span } from './layout';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const shortDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

export const formatTime = (d: Date): string => timeFormat.format(d);
export const formatDay = (d: Date): string => dayFormat.format(d);
export const formatShortDay = (d: Date): string => shortDayFormat.format(d);

/** "10:00 – 11:00", "All day", or with days when it spans several. */
export function whenText(span: Span, allDay: boolean): string {
  if (allDay) {
    const last = addDays(span.end, -1);
    return sameDay(span.start, last) || last < span.start ? 'All day' : `All day, ${formatShortDay(span.start)} – ${formatShortDay(last)}`;
  }
  if (sameDay(span.start, span.end) || span.end.getTime() === addDays(span.start, 1).setHours(0, 0, 0, 0)) {
    return `${formatTime(span.start)} – ${formatTime(span.end)}`;
  }
  return `${formatShortDay(span.start)} ${formatTime(span.start)} – ${formatShortDay(span.end)} ${formatTime(span.end)}`;
}

export interface Describable {
  title: string;
  span: Span;
  allDay: boolean;
  calendarName: string;
  recurring: boolean;
  pending: boolean;
  location: string;
  status: string;
  myStatus?: string | null;
}

export function eventLabel(e: Describable): string {
  const parts = [e.title || '(No title)', formatDay(e.span.start), whenText(e.span, e.allDay)];
  if (e.location) parts.push(`at ${e.location}`);
  if (e.calendarName) parts.push(`${e.calendarName} calendar`);
  if (e.recurring) parts.push('repeats');
  if (e.status === 'tentative') parts.push('tentative');
  if (e.status === 'cancelled') parts.push('cancelled');
  if (e.myStatus === 'declined') parts.push('you declined');
  else if (e.myStatus === 'needs-action') parts.push('you have not answered');
  if (e.pending) parts.push('not yet saved to the server');
  return parts.join(', ');
}

export const alertChoices: readonly { minutes: number; label: string }[] = [
  { minutes: 0, label: 'At the start' },
  { minutes: 5, label: '5 minutes before' },
  { minutes: 10, label: '10 minutes before' },
  { minutes: 15, label: '15 minutes before' },
  { minutes: 30, label: '30 minutes before' },
  { minutes: 60, label: '1 hour before' },
  { minutes: 1440, label: '1 day before' },
];

export function alertLabel(minutes: number): string {
  return alertChoices.find((c) => c.minutes === minutes)?.label ?? (minutes < 0 ? `${-minutes} minutes after the start` : `${minutes} minutes before`);
}
