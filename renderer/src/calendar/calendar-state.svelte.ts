// What the calendar space shows: the calendars of every account, the occurrences in the
// visible range, and which view and date are on screen. Only this class talks to the core.
import type { CalendarView, EditScope, EventDetail, EventDraft, OccurrenceView } from '../../../shared/pim-contract';
import type { Transport } from '../../../shared/transport';
import { fallbackColor, parseColor, textColorOn, toHex, type Rgb } from './colors';
import { addDays, firstDayOfWeek, startOfDay, stepAnchor, visibleRange, type CalendarViewKind } from './dates';
import { displaySpan, type Span } from './layout';

export interface Shown {
  occurrence: OccurrenceView;
  span: Span;
  /** Stable across refreshes: event id plus recurrence id. */
  key: string;
  color: string;
  textColor: string;
  calendarName: string;
  /** Its calendar may be written to (so it may be dragged). */
  writable: boolean;
}

const viewStorageKey = 'meridian.calendar.view';

function savedView(): CalendarViewKind {
  try {
    const v = localStorage.getItem(viewStorageKey);
    return v === 'month' || v === 'day' || v === 'agenda' || v === 'week' ? v : 'week';
  } catch {
    return 'week';
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Named CSS colours ("teal") become RGB through a canvas, which normalizes any colour. */
function resolveColor(css: string): Rgb | null {
  const direct = parseColor(css);
  if (direct) return direct;
  try {
    const ctx = document.createElement('canvas').getContext('2d');
    if (!ctx) return null;
    ctx.fillStyle = '#010203';
    ctx.fillStyle = css;
    const normalized = String(ctx.fillStyle);
    return normalized === '#010203' ? null : parseColor(normalized);
  } catch {
    return null;
  }
}

export const occurrenceKey = (o: OccurrenceView): string => `${o.accountId}/${o.eventId}/${o.recurrenceId ?? ''}`;

export class CalendarState {
  calendars = $state.raw<CalendarView[]>([]);
  occurrences = $state.raw<OccurrenceView[]>([]);
  calendarsLoaded = $state(false);
  error = $state<string | null>(null);
  view = $state<CalendarViewKind>(savedView());
  /** The date the view is built around (the day shown, a day of the week or month shown). */
  anchor = $state<Date>(startOfDay(new Date()));
  readonly firstDay = firstDayOfWeek(typeof navigator === 'undefined' ? undefined : navigator.language);
  readonly range = $derived(visibleRange(this.view, this.anchor, this.firstDay));

  /** Colours by calendar key ("account/calendar"). */
  readonly colors = $derived.by(() => {
    const map = new Map<string, { color: string; text: string; name: string; mayWrite: boolean }>();
    for (const c of this.calendars) {
      const rgb = (c.color ? resolveColor(c.color) : null) ?? parseColor(fallbackColor(c.id))!;
      map.set(`${c.accountId}/${c.id}`, { color: toHex(rgb), text: textColorOn(rgb), name: c.name, mayWrite: c.mayWrite });
    }
    return map;
  });

  /** The occurrences with what drawing them needs (cancelled ones too: they are drawn struck through). */
  readonly shown = $derived.by((): Shown[] =>
    this.occurrences
      .map((o) => {
        const c = this.colors.get(`${o.accountId}/${o.calendarId}`);
        const rgb = parseColor(fallbackColor(o.calendarId))!;
        return {
          occurrence: o,
          span: displaySpan(o.start, o.end, o.allDay),
          key: occurrenceKey(o),
          color: c?.color ?? toHex(rgb),
          textColor: c?.text ?? textColorOn(rgb),
          calendarName: c?.name ?? '',
          writable: c?.mayWrite ?? false,
        };
      })
      .sort((a, b) => a.span.start.getTime() - b.span.start.getTime() || b.span.end.getTime() - a.span.end.getTime()),
  );

  readonly writable = $derived(this.calendars.filter((c) => c.mayWrite));

  private listSeq = 0;

  constructor(private readonly transport: Transport) {}

  listen(): () => void {
    const offs = [
      this.transport.on('calendars.changed', () => void this.refresh()),
      // An account added or removed brings or takes its calendars.
      this.transport.on('accounts.changed', () => void this.refresh()),
    ];
    return () => offs.forEach((off) => off());
  }

  setView(view: CalendarViewKind): void {
    this.view = view;
    try {
      localStorage.setItem(viewStorageKey, view);
    } catch {
      // Not remembered; harmless.
    }
  }

  goTo(date: Date, view?: CalendarViewKind): void {
    if (view) this.setView(view);
    this.anchor = startOfDay(date);
  }

  step(direction: 1 | -1): void {
    this.anchor = stepAnchor(this.view, this.anchor, direction);
  }

  async refresh(): Promise<void> {
    await Promise.all([this.refreshCalendars(), this.refreshEvents()]);
  }

  async refreshCalendars(): Promise<void> {
    try {
      this.calendars = await this.transport.request('calendars.list', {});
      this.calendarsLoaded = true;
    } catch (err) {
      this.error = `Could not list the calendars: ${messageOf(err)}`;
    }
  }

  /** The visible range, widened a day each way so all-day events (UTC dates) at the edges come too. */
  async refreshEvents(): Promise<void> {
    const seq = ++this.listSeq;
    const { start, end } = this.range;
    try {
      const list = await this.transport.request('events.list', { from: addDays(start, -1).toISOString(), to: addDays(end, 1).toISOString() });
      // A newer range was asked for meanwhile; its answer wins.
      if (seq !== this.listSeq) return;
      this.occurrences = list;
      this.error = null;
    } catch (err) {
      if (seq === this.listSeq) this.error = `Could not load the events: ${messageOf(err)}`;
    }
  }

  async setVisible(calendar: CalendarView, visible: boolean): Promise<void> {
    const same = (c: CalendarView) => c.accountId === calendar.accountId && c.id === calendar.id;
    // At once on screen; put back if the core refuses.
    this.calendars = this.calendars.map((c) => (same(c) ? { ...c, isVisible: visible } : c));
    if (!visible) this.occurrences = this.occurrences.filter((o) => !(o.accountId === calendar.accountId && o.calendarId === calendar.id));
    try {
      await this.transport.request('calendars.setVisible', { accountId: calendar.accountId, calendarId: calendar.id, visible });
    } catch (err) {
      this.calendars = this.calendars.map((c) => (same(c) ? { ...c, isVisible: !visible } : c));
      this.error = `Could not change the calendar: ${messageOf(err)}`;
    }
    await this.refreshEvents();
  }

  get(accountId: string, eventId: string): Promise<EventDetail> {
    return this.transport.request('events.get', { accountId, eventId });
  }

  async save(accountId: string, eventId: string | null, draft: EventDraft, scope: EditScope): Promise<string> {
    const result = await this.transport.request('events.save', { accountId, eventId, draft, scope });
    await this.refreshEvents();
    return result.eventId;
  }

  async reschedule(accountId: string, eventId: string, scope: EditScope, start: string, duration: string): Promise<void> {
    await this.transport.request('events.reschedule', { accountId, eventId, scope, start, duration });
    await this.refreshEvents();
  }

  async remove(accountId: string, eventId: string, scope: EditScope): Promise<void> {
    await this.transport.request('events.delete', { accountId, eventId, scope });
    await this.refreshEvents();
  }

  async importIcs(accountId: string, calendarId: string, ics: string): Promise<{ imported: number; problems: string[] }> {
    const result = await this.transport.request('events.import', { accountId, calendarId, ics });
    await this.refreshEvents();
    return result;
  }

  exportIcs(accountId: string, calendarId: string): Promise<{ filename: string; ics: string }> {
    return this.transport.request('events.export', { accountId, calendarId });
  }

  calendarOf(accountId: string, calendarId: string): CalendarView | undefined {
    return this.calendars.find((c) => c.accountId === accountId && c.id === calendarId);
  }
}
