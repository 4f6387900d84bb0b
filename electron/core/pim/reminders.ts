// Calendar reminders for the main process: finds the alerts (RFC 8984 §4.5.2) that are due,
// calls notify() once for each, and remembers that in SQLite (table alarm_fired) so a restart
// neither repeats a reminder nor loses one.
//
// Use:
//   const reminders = new ReminderScheduler({ db, notify: (r) => showNotification(r) });
//   reminders.start();        // once, at launch: catches up on what came due while closed
//   reminders.reschedule();   // after a sync changed events, on powerMonitor 'resume', on a
//                             // time-zone change: timers do not run while the machine sleeps
//   reminders.stop();         // at quit
//
// notify(r) gets a DueReminder: account, event and alert ids, the occurrence's start instant,
// title, start/end, location. It is called after the reminder is recorded; an exception thrown
// by notify is passed to onError and the reminder stays recorded (never shown twice).
//
// Which reminders fire: alerts with action "display" (or none) on events that are not cancelled,
// for every occurrence of a recurring event, unless acknowledged (a one-off's or an override's
// `acknowledged` silences it; a series' silences the occurrences triggering up to that time).
// A trigger that passed unseen (the app was closed, or a sync brought the event late) fires once,
// at start() or reschedule(), if its occurrence has not ended yet or it is within graceMs; older
// ones are recorded as missed (fired_at = 0) without a notification. One timer is armed, for the
// earliest trigger within horizonMs; with nothing due it re-checks at the horizon, and with no
// alerts at all it arms nothing. One bad event is reported to onError and skipped.
import type { Db } from '../store/db';
import type { CalendarEvent } from './model';
import type { PimStore } from './pim-store';
import { expandEvent, type Occurrence } from './recurrence';
import { addDuration, durationApproxMs, localToUtc, parseDuration, parseDurationOrZero, systemTimeZone, utcToLocal } from './time-zones';

export interface DueReminder {
  accountId: string;
  eventId: string;
  alertId: string;
  /** The occurrence's start as a UTC instant (ISO 8601): with the ids, what identifies the reminder. */
  occurrenceStart: string;
  /** The occurrence's LocalDateTime key for a recurring event; null for a one-off. */
  recurrenceId: string | null;
  title: string;
  /** UTC instants (ISO 8601). All-day events: UTC midnight of the first day and of the day after. */
  start: string;
  end: string;
  allDay: boolean;
  location?: string;
  /** When the alert was due (ISO 8601); earlier than now when it is shown late, after a restart. */
  triggerAt: string;
}

export type TimerHandle = unknown;

export interface ReminderSchedulerOptions {
  db: Db;
  /** Where events come from; by default the calendar_event table, only events with alerts. */
  pim?: Pick<PimStore, 'events'> | ((accountId: string) => readonly CalendarEvent[]);
  /** The accounts to watch; by default every row of the account table. */
  accounts?: () => readonly string[];
  notify: (reminder: DueReminder) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => TimerHandle;
  clearTimer?: (handle: TimerHandle) => void;
  /** The zone floating events are placed in; the system's by default. */
  timeZone?: () => string;
  /** How far ahead triggers are computed (default 8 days). */
  horizonMs?: number;
  /** How far back start() looks for triggers missed while closed (default 8 days). */
  lookbackMs?: number;
  /** A missed trigger still fires this long after it was due, even if its occurrence ended. */
  graceMs?: number;
  onError?: (error: unknown) => void;
  /** Whether an occurrence may remind at all (e.g. not in a hidden calendar, not declined). */
  include?: (accountId: string, event: CalendarEvent) => boolean;
}

/** setTimeout's limit: a longer delay fires at once, so far timers are re-armed on the way. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
const DAY_MS = 86_400_000;
const PRUNE_AFTER_MS = 400 * DAY_MS;
const RETRY_MS = 5 * 60_000;
/** fired_at of a reminder that came due while the app was closed and was too old to show. */
export const MISSED = 0;

interface Trigger {
  at: number;
  accountId: string;
  alertId: string;
  occurrence: Occurrence;
}

export class ReminderScheduler {
  private readonly opts: Required<Omit<ReminderSchedulerOptions, 'pim' | 'onError' | 'include'>> & Pick<ReminderSchedulerOptions, 'pim' | 'onError' | 'include'>;
  private timer: TimerHandle | null = null;
  private nextAt: number | null = null;
  private running = false;

  constructor(options: ReminderSchedulerOptions) {
    this.opts = {
      now: Date.now,
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref?.(); // a reminder timer alone must not keep a CLI or test process alive
        return t;
      },
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      timeZone: systemTimeZone,
      horizonMs: 8 * DAY_MS,
      lookbackMs: 8 * DAY_MS,
      graceMs: 60 * 60_000,
      accounts: () => this.opts.db.prepare('SELECT id FROM account ORDER BY id').pluck().all() as string[],
      // An option passed as undefined keeps its default.
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ReminderSchedulerOptions),
    };
  }

  /** Catches up on reminders that came due while the app was closed, then arms the timer. */
  start(): void {
    this.running = true;
    this.reschedule();
  }

  /** Recomputes what is due (after a sync, a wake from sleep, a zone change) and re-arms. */
  reschedule(): void {
    if (!this.running) return;
    this.disarm();
    try {
      this.check();
    } catch (error) {
      this.opts.onError?.(error);
      this.arm(this.opts.now() + RETRY_MS, this.opts.now()); // e.g. the database was busy: try again
    }
  }

  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** When the armed timer will next look (epoch ms), or null when none is armed. */
  get nextCheckAt(): number | null {
    return this.nextAt;
  }

  private disarm(): void {
    if (this.timer !== null) this.opts.clearTimer(this.timer);
    this.timer = null;
    this.nextAt = null;
  }

  private check(): void {
    const now = this.opts.now();
    const from = now - this.opts.lookbackMs;
    const to = now + this.opts.horizonMs;
    const record = this.opts.db.prepare('INSERT OR IGNORE INTO alarm_fired (account_id, event_id, alert_id, occurrence, fired_at) VALUES (?, ?, ?, ?, ?)');

    let anyAlerts = false;
    let next: number | null = null;
    const due: Trigger[] = [];
    for (const accountId of this.opts.accounts()) {
      for (const event of this.eventsOf(accountId)) {
        if (!mayHaveAlerts(event)) continue;
        anyAlerts = true;
        let triggers: Trigger[];
        try {
          triggers = triggersOf(accountId, event, from, to, this.opts.timeZone(), this.opts.include);
        } catch (error) {
          this.opts.onError?.(error);
          continue;
        }
        for (const trigger of triggers) {
          if (trigger.at <= now) due.push(trigger);
          else if (next === null || trigger.at < next) next = trigger.at;
        }
      }
    }

    due.sort((a, b) => a.at - b.at);
    for (const t of due) {
      const stillUseful = t.occurrence.end.getTime() > now || now - t.at <= this.opts.graceMs;
      const key = [t.accountId, t.occurrence.eventId, t.alertId, t.occurrence.start.toISOString()] as const;
      // The row is what makes a reminder fire once: one already there (shown, or missed, in this
      // run or an earlier one) is skipped. Recorded before notify: a crash in between loses one
      // notification rather than repeating it at every launch.
      if (record.run(...key, stillUseful ? now : MISSED).changes === 0 || !stillUseful) continue;
      try {
        this.opts.notify(toReminder(t));
      } catch (error) {
        this.opts.onError?.(error);
      }
    }
    // Rows for occurrences long past can no longer suppress anything: their triggers are out of
    // reach (unless an alert sits more than a year after its occurrence's start).
    this.opts.db.prepare('DELETE FROM alarm_fired WHERE occurrence < ?').run(new Date(from - PRUNE_AFTER_MS).toISOString());

    if (next !== null) this.arm(next, now);
    else if (anyAlerts) this.arm(to, now); // nothing due in the horizon: look again when it has moved on
  }

  private arm(at: number, now: number): void {
    this.disarm(); // notify() may have called reschedule() already: still one timer
    const delay = Math.min(Math.max(0, at - now), MAX_TIMER_MS);
    this.nextAt = now + delay;
    this.timer = this.opts.setTimer(() => {
      this.timer = null;
      this.reschedule();
    }, delay);
  }

  private eventsOf(accountId: string): readonly CalendarEvent[] {
    const source = this.opts.pim;
    if (typeof source === 'function') return source(accountId);
    if (source) return source.events(accountId);
    // Only events whose JSON mentions alerts, either on the event or in an override's patch.
    return (
      this.opts.db
        .prepare(`SELECT json FROM calendar_event WHERE account_id = ? AND (instr(json, '"alerts":{') > 0 OR instr(json, '"alerts/') > 0)`)
        .pluck()
        .all(accountId) as string[]
    ).map((j) => JSON.parse(j) as CalendarEvent);
  }
}

// Triggers -----------------------------------------------------------------------------------------

interface Alert {
  trigger: { kind: 'offset'; offset: string; relativeTo: 'start' | 'end' } | { kind: 'absolute'; when: number };
  acknowledged: number | null;
}

/** Reads one JSCalendar Alert; null for what cannot or should not show on this device. */
function readAlert(value: unknown): Alert | null {
  if (!isRecord(value)) return null;
  const action = value['action'];
  if (action !== undefined && action !== 'display') return null; // "email" alerts are the server's to send
  const trigger = value['trigger'];
  if (!isRecord(trigger)) return null;
  let ack: number | null = null;
  if (typeof value['acknowledged'] === 'string') {
    const t = Date.parse(value['acknowledged']);
    ack = Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  } else if (value['acknowledged'] !== undefined && value['acknowledged'] !== null) {
    ack = Number.POSITIVE_INFINITY; // present but not a time: treat as dismissed
  }
  if (trigger['@type'] === 'AbsoluteTrigger' && typeof trigger['when'] === 'string') {
    const when = Date.parse(trigger['when']);
    return Number.isNaN(when) ? null : { trigger: { kind: 'absolute', when }, acknowledged: ack };
  }
  if ((trigger['@type'] === 'OffsetTrigger' || trigger['@type'] === undefined) && typeof trigger['offset'] === 'string') {
    try {
      parseDuration(trigger['offset']);
    } catch {
      return null;
    }
    return { trigger: { kind: 'offset', offset: trigger['offset'], relativeTo: trigger['relativeTo'] === 'end' ? 'end' : 'start' }, acknowledged: ack };
  }
  return null; // UnknownTrigger, or malformed
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mayHaveAlerts(event: CalendarEvent): boolean {
  if (isRecord(event.alerts) && Object.keys(event.alerts).length > 0) return true;
  return Object.values(event.recurrenceOverrides ?? {}).some((patch) => Object.keys(patch).some((k) => k === 'alerts' || k.startsWith('alerts/')));
}

/** The triggers of an event's occurrences that fall in [from, to]. */
function triggersOf(accountId: string, event: CalendarEvent, from: number, to: number, timeZone: string, include?: ReminderSchedulerOptions['include']): Trigger[] {
  // Occurrences are found by start; alerts sit up to their largest offset (plus the duration,
  // for end-relative ones) away from it, so the search range is widened by that much.
  const offsets = [event, ...Object.values(event.recurrenceOverrides ?? {})]
    .flatMap((e) => Object.values(isRecord(e['alerts']) ? e['alerts'] : {}))
    .map(readAlert)
    .map((a) => (a?.trigger.kind === 'offset' ? Math.abs(durationApproxMs(parseDurationOrZero(a.trigger.offset))) : 0));
  const reach = Math.max(0, ...offsets) + Math.abs(durationApproxMs(parseDurationOrZero(event.duration))) + DAY_MS;
  const occurrences = expandEvent(event, { from: new Date(from - reach), to: new Date(to + reach) }, { defaultTimeZone: timeZone });
  const recurring = Boolean(event.recurrenceRules?.length || Object.keys(event.recurrenceOverrides ?? {}).length);

  const out: Trigger[] = [];
  for (const occ of occurrences) {
    if (String(occ.event.status).toLowerCase() === 'cancelled') continue;
    if (include && !include(accountId, occ.event)) continue;
    for (const [alertId, value] of Object.entries(isRecord(occ.event.alerts) ? occ.event.alerts : {})) {
      const alert = readAlert(value);
      if (!alert) continue;
      let at: number;
      if (alert.trigger.kind === 'offset') {
        let base = alert.trigger.relativeTo === 'end' ? occ.end : occ.start;
        // All-day occurrences are dates (UTC midnight); their alerts go off by the local clock.
        if (occ.allDay) base = localToUtc(utcToLocal(base, 'UTC'), null, timeZone);
        at = addDuration(base, alert.trigger.offset, occ.allDay ? null : occ.event.timeZone, timeZone).getTime();
      } else {
        // An absolute trigger belongs to one occurrence: the first that starts at or after it.
        at = alert.trigger.when;
        if (recurring && !isFirstAfter(occ, occurrences, at)) continue;
      }
      if (at < from || at > to) continue;
      if (alert.acknowledged !== null && (alert.acknowledged >= at || ownsAcknowledgement(event, occ, alertId))) continue;
      out.push({ at, accountId, alertId, occurrence: occ });
    }
  }
  return out;
}

/**
 * Whether an alert's `acknowledged` speaks for this occurrence alone: on a one-off event, or set
 * by this occurrence's override. Then it means dismissed, even if done ahead of the trigger
 * (clients dismiss upcoming reminders that way). A series' own `acknowledged` is a point in time:
 * occurrences triggering after it still remind (RFC 8984 §4.5.2, RFC 9074 §6).
 */
function ownsAcknowledgement(event: CalendarEvent, occ: Occurrence, alertId: string): boolean {
  if (occ.recurrenceId === null) return true;
  const patch = event.recurrenceOverrides?.[occ.recurrenceId];
  if (!patch) return false;
  return Object.keys(patch).some((k) => k === 'alerts' || k === `alerts/${alertId}` || k === `alerts/${alertId}/acknowledged`);
}

function isFirstAfter(occ: Occurrence, all: readonly Occurrence[], at: number): boolean {
  const first = all.find((o) => o.start.getTime() >= at);
  return first === occ;
}

function toReminder(t: Trigger): DueReminder {
  const e = t.occurrence.event;
  const location = Object.values(isRecord(e.locations) ? e.locations : {})
    .map((l) => (isRecord(l) && typeof l['name'] === 'string' ? l['name'] : ''))
    .find((n) => n.trim() !== '');
  return {
    accountId: t.accountId,
    eventId: t.occurrence.eventId,
    alertId: t.alertId,
    occurrenceStart: t.occurrence.start.toISOString(),
    recurrenceId: t.occurrence.recurrenceId,
    title: e.title,
    start: t.occurrence.start.toISOString(),
    end: t.occurrence.end.toISOString(),
    allDay: t.occurrence.allDay,
    ...(location ? { location } : {}),
    triggerAt: new Date(t.at).toISOString(),
  };
}

/**
 * Which events remind: not those only in hidden calendars (an event in no known calendar still
 * does), and not those the user declined as a participant.
 */
export function reminderFilter(pim: Pick<PimStore, 'calendars'>, myAddresses?: (accountId: string) => Set<string>): NonNullable<ReminderSchedulerOptions['include']> {
  return (accountId, event) => {
    const ids = Object.keys(event.calendarIds ?? {}).filter((id) => event.calendarIds[id]);
    const calendars = pim.calendars(accountId).filter((c) => ids.includes(c.id));
    if (calendars.length > 0 && calendars.every((c) => !c.isVisible)) return false;
    const mine = myAddresses?.(accountId);
    if (!mine?.size) return true;
    return !Object.values(event.participants ?? {}).some((p) => {
      const r = (p ?? {}) as { email?: unknown; sendTo?: { imip?: unknown }; participationStatus?: unknown };
      const address = typeof r.email === 'string' ? r.email : typeof r.sendTo?.imip === 'string' ? r.sendTo.imip.replace(/^mailto:/i, '') : '';
      return r.participationStatus === 'declined' && mine.has(address.toLowerCase());
    });
  };
}
