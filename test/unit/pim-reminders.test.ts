// Calendar reminders go off once, at the right time, for every occurrence, and survive restarts:
// neither repeated nor lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../electron/core/pim/model';
import { PimStore } from '../../electron/core/pim/pim-store';
import { MAX_TIMER_MS, MISSED, ReminderScheduler, reminderFilter, type DueReminder } from '../../electron/core/pim/reminders';
import { AccountStore } from '../../electron/core/store/accounts';
import { openAppDatabase, type Db } from '../../electron/core/store/db';

/** setTimeout and the clock, under the test's control. */
class FakeTime {
  now: number;
  private timers: { id: number; at: number; fn: () => void }[] = [];
  private nextId = 1;
  readonly delays: number[] = [];
  constructor(iso: string) {
    this.now = Date.parse(iso);
  }
  setTimer = (fn: () => void, ms: number): number => {
    this.delays.push(ms);
    const id = this.nextId++;
    this.timers.push({ id, at: this.now + ms, fn });
    return id;
  };
  clearTimer = (id: unknown): void => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  get armed(): number {
    return this.timers.length;
  }
  /** Moves the clock to the given time, running each timer when its time comes. */
  advanceTo(iso: string): void {
    const target = Date.parse(iso);
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = Math.max(this.now, due.at);
      due.fn();
    }
    this.now = target;
  }
}

function event(fields: Partial<CalendarEvent>): CalendarEvent {
  return {
    '@type': 'Event',
    id: 'e1',
    uid: 'u1',
    calendarIds: { c1: true },
    title: 'Dentist',
    description: '',
    start: '2026-03-30T09:00:00',
    timeZone: 'Europe/Berlin',
    duration: 'PT1H',
    showWithoutTime: false,
    status: 'confirmed',
    recurrenceRules: null,
    recurrenceOverrides: null,
    locations: { l1: { '@type': 'Location', name: 'Main Street 1' } },
    participants: null,
    alerts: { a1: { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: '-PT15M' }, action: 'display' } },
    ...fields,
  };
}

let dir: string;
let file: string;
let store: { db: Db; close(): Promise<void> };

function openStore(): void {
  store = openAppDatabase(file);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reminders-'));
  file = join(dir, 'app.db');
  openStore();
  new AccountStore(store.db).insert({
    id: 'acc', name: 'A', email: 'a@x', username: 'a@x', authKind: 'basic', sessionUrl: 'http://h/', jmapAccountId: 'a', sessionJson: null, createdAt: 1,
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function scheduler(time: FakeTime, fired: DueReminder[], extra: Partial<ConstructorParameters<typeof ReminderScheduler>[0]> = {}): ReminderScheduler {
  return new ReminderScheduler({
    db: store.db,
    notify: (r) => fired.push(r),
    now: () => time.now,
    setTimer: time.setTimer,
    clearTimer: time.clearTimer,
    timeZone: () => 'Europe/Berlin',
    ...extra,
  });
}

const put = (...events: CalendarEvent[]): void => new PimStore(store.db).upsertEvents('acc', events);
const rows = (): { occurrence: string; fired_at: number }[] => store.db.prepare('SELECT occurrence, fired_at FROM alarm_fired ORDER BY occurrence').all() as never;

describe('ReminderScheduler', () => {
  it('fires 15 minutes before the start, once, with what a notification shows', () => {
    put(event({}));
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    const s = scheduler(time, fired);
    s.start();
    expect(fired).toEqual([]);
    expect(new Date(s.nextCheckAt!).toISOString()).toBe('2026-03-30T06:45:00.000Z'); // 08:45 CEST
    time.advanceTo('2026-03-30T06:44:59Z');
    expect(fired).toEqual([]);
    time.advanceTo('2026-03-30T06:45:00Z');
    expect(fired).toEqual([
      {
        accountId: 'acc',
        eventId: 'e1',
        alertId: 'a1',
        occurrenceStart: '2026-03-30T07:00:00.000Z',
        recurrenceId: null,
        title: 'Dentist',
        start: '2026-03-30T07:00:00.000Z',
        end: '2026-03-30T08:00:00.000Z',
        allDay: false,
        location: 'Main Street 1',
        triggerAt: '2026-03-30T06:45:00.000Z',
      },
    ]);
    time.advanceTo('2026-04-10T00:00:00Z');
    s.reschedule();
    expect(fired).toHaveLength(1);
  });

  it('does not fire again after a restart on the same database', async () => {
    put(event({}));
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    const first = scheduler(time, fired);
    first.start();
    time.advanceTo('2026-03-30T06:46:00Z');
    expect(fired).toHaveLength(1);
    first.stop();
    await store.close();

    openStore();
    const again: DueReminder[] = [];
    scheduler(time, again).start();
    expect(again).toEqual([]);
    expect(rows()).toEqual([{ occurrence: '2026-03-30T07:00:00.000Z', fired_at: Date.parse('2026-03-30T06:45:00Z') }]);
  });

  it('fires once at start for a reminder that came due while the app was closed', async () => {
    put(event({}));
    const time = new FakeTime('2026-03-30T06:55:00Z'); // due at 06:45, the appointment is at 07:00
    const fired: DueReminder[] = [];
    scheduler(time, fired).start();
    expect(fired.map((r) => r.triggerAt)).toEqual(['2026-03-30T06:45:00.000Z']);
    await store.close();
    openStore();
    time.advanceTo('2026-03-30T06:56:00Z');
    scheduler(time, fired).start();
    expect(fired).toHaveLength(1);
  });

  it('records, without showing, a reminder whose occurrence ended long before the app started', () => {
    put(event({}));
    const time = new FakeTime('2026-03-30T12:00:00Z'); // ended at 08:00, due at 06:45
    const fired: DueReminder[] = [];
    scheduler(time, fired).start();
    expect(fired).toEqual([]);
    expect(rows()).toEqual([{ occurrence: '2026-03-30T07:00:00.000Z', fired_at: MISSED }]);
  });

  it('still shows a missed reminder within the grace hour, though its short event is over', () => {
    put(event({ duration: 'PT5M' }));
    const time = new FakeTime('2026-03-30T07:30:00Z'); // due 06:45, ended 07:05
    const fired: DueReminder[] = [];
    scheduler(time, fired).start();
    expect(fired).toHaveLength(1);
  });

  it('does not fire acknowledged alerts, nor arm a timer for them', () => {
    put(event({ alerts: { a1: { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: '-PT15M' }, acknowledged: '2026-03-30T06:40:00Z' } } }));
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    const s = scheduler(time, fired);
    s.start();
    time.advanceTo('2026-03-30T10:00:00Z');
    expect(fired).toEqual([]);
  });

  it('takes a series acknowledgement as covering the occurrences due until then, not later ones', () => {
    put(
      event({
        start: '2026-03-30T09:00:00',
        recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily' }],
        alerts: { a1: { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: '-PT15M' }, acknowledged: '2026-03-30T06:46:00Z' } },
      }),
    );
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    scheduler(time, fired).start();
    time.advanceTo('2026-03-31T12:00:00Z');
    expect(fired.map((r) => r.recurrenceId)).toEqual(['2026-03-31T09:00:00']);
  });

  it('fires for each occurrence of a recurring event, at the same local time across DST', () => {
    put(event({ start: '2026-03-27T09:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily' }] }));
    const time = new FakeTime('2026-03-27T00:00:00Z');
    const fired: DueReminder[] = [];
    scheduler(time, fired).start();
    time.advanceTo('2026-03-31T00:00:00Z');
    expect(fired.map((r) => [r.triggerAt, r.recurrenceId])).toEqual([
      ['2026-03-27T07:45:00.000Z', '2026-03-27T09:00:00'],
      ['2026-03-28T07:45:00.000Z', '2026-03-28T09:00:00'],
      ['2026-03-29T06:45:00.000Z', '2026-03-29T09:00:00'],
      ['2026-03-30T06:45:00.000Z', '2026-03-30T09:00:00'],
    ]);
  });

  it('honours per-occurrence acknowledgement and a cancelled occurrence in overrides', () => {
    put(
      event({
        start: '2026-03-27T09:00:00',
        recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily', count: 4 }],
        recurrenceOverrides: {
          '2026-03-28T09:00:00': { 'alerts/a1/acknowledged': '2026-03-28T07:50:00Z' },
          '2026-03-29T09:00:00': { status: 'cancelled' },
        },
      }),
    );
    const time = new FakeTime('2026-03-27T00:00:00Z');
    const fired: DueReminder[] = [];
    scheduler(time, fired).start();
    time.advanceTo('2026-04-05T00:00:00Z');
    expect(fired.map((r) => r.recurrenceId)).toEqual(['2026-03-27T09:00:00', '2026-03-30T09:00:00']);
  });

  it('handles end-relative, absolute and all-day triggers, and ignores email alerts', () => {
    put(
      event({
        id: 'end',
        alerts: { a: { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: 'PT0S', relativeTo: 'end' } } },
      }),
      event({ id: 'abs', alerts: { a: { '@type': 'Alert', trigger: { '@type': 'AbsoluteTrigger', when: '2026-03-29T18:00:00Z' } } } }),
      event({ id: 'mail', alerts: { a: { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: '-PT15M' }, action: 'email' } } }),
      // The evening before an all-day event, by the local clock: 18:00 CEST on 30 March.
      event({ id: 'day', start: '2026-03-31T00:00:00', showWithoutTime: true, duration: 'P1D', timeZone: null, alerts: { a: { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: '-PT6H' } } } }),
    );
    const time = new FakeTime('2026-03-29T12:00:00Z');
    const fired: DueReminder[] = [];
    scheduler(time, fired).start();
    time.advanceTo('2026-04-02T00:00:00Z');
    expect(fired.map((r) => [r.eventId, r.triggerAt])).toEqual([
      ['abs', '2026-03-29T18:00:00.000Z'],
      ['end', '2026-03-30T08:00:00.000Z'],
      ['day', '2026-03-30T16:00:00.000Z'],
    ]);
    expect(fired.find((r) => r.eventId === 'day')).toMatchObject({ allDay: true, start: '2026-03-31T00:00:00.000Z' });
  });

  it('picks up events a sync added when reschedule() is called', () => {
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    const s = scheduler(time, fired);
    s.start();
    expect(time.armed).toBe(0); // no alerts anywhere: no timer
    put(event({}));
    s.reschedule();
    expect(time.armed).toBe(1);
    time.advanceTo('2026-03-30T07:00:00Z');
    expect(fired).toHaveLength(1);
  });

  it('keeps one timer, never longer than setTimeout allows, re-arming on the way to a far trigger', () => {
    put(event({ start: '2026-06-30T09:00:00' }));
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    const s = scheduler(time, fired, { horizonMs: 200 * 86_400_000 });
    s.start();
    expect(time.delays).toEqual([MAX_TIMER_MS]);
    s.reschedule();
    s.reschedule();
    expect(time.armed).toBe(1);
    time.advanceTo('2026-06-30T06:44:00Z');
    expect(fired).toEqual([]);
    expect(time.delays.every((d) => d <= MAX_TIMER_MS)).toBe(true);
    time.advanceTo('2026-06-30T06:45:00Z');
    expect(fired.map((r) => r.triggerAt)).toEqual(['2026-06-30T06:45:00.000Z']);
  });

  it('with nothing due in the horizon, looks again when the horizon has moved on', () => {
    put(event({ start: '2026-05-30T09:00:00' }));
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const s = scheduler(time, []);
    s.start();
    expect(new Date(s.nextCheckAt!).toISOString()).toBe('2026-04-07T06:00:00.000Z');
    s.stop();
    expect(time.armed).toBe(0);
  });

  it('stays at one timer and one notification when notify() itself calls reschedule()', () => {
    put(event({}), event({ id: 'e2', start: '2026-03-30T10:00:00' }));
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    const s: ReminderScheduler = scheduler(time, [], {
      notify: (r) => {
        fired.push(r);
        s.reschedule();
      },
    });
    s.start();
    time.advanceTo('2026-03-30T06:45:00Z');
    expect(fired.map((r) => r.eventId)).toEqual(['e1']);
    expect(time.armed).toBe(1);
    time.advanceTo('2026-03-30T09:00:00Z');
    expect(fired.map((r) => r.eventId)).toEqual(['e1', 'e2']);
  });

  it('reminds of a long event ending long after it started only once', () => {
    put(event({ start: '2026-01-01T09:00:00', duration: 'P90D', alerts: { a1: { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: '-PT1H', relativeTo: 'end' } } } }));
    const time = new FakeTime('2026-03-31T00:00:00Z');
    const fired: DueReminder[] = [];
    const s = scheduler(time, fired);
    s.start();
    time.advanceTo('2026-04-01T12:00:00Z');
    s.reschedule();
    time.advanceTo('2026-04-05T12:00:00Z');
    s.reschedule();
    expect(fired.map((r) => r.triggerAt)).toEqual(['2026-04-01T06:00:00.000Z']);
  });

  it('skips an event it cannot read, reporting it, and retries when the whole check fails', () => {
    const broken = Object.defineProperty(event({ id: 'bad' }), 'duration', {
      get: () => {
        throw new Error('unreadable');
      },
    });
    const errors: unknown[] = [];
    const time = new FakeTime('2026-03-30T06:50:00Z');
    const fired: DueReminder[] = [];
    scheduler(time, fired, { pim: () => [broken, event({ id: 'good' })], onError: (e) => errors.push(e) }).start();
    expect(fired.map((r) => r.eventId)).toEqual(['good']);
    expect(errors).toHaveLength(1);

    let failures = 1;
    const flaky = scheduler(time, [], {
      accounts: () => {
        if (failures-- > 0) throw new Error('database is locked');
        return [];
      },
      onError: (e) => errors.push(e),
    });
    flaky.start();
    expect(errors).toHaveLength(2);
    expect(flaky.nextCheckAt).toBe(time.now + 5 * 60_000);
  });

  it('stays quiet for events only in hidden calendars and for events the user declined', () => {
    const pim = new PimStore(store.db);
    pim.upsertCalendars('acc', [
      { id: 'work', name: 'Work', color: null, sortOrder: 0, isVisible: true, mayWrite: true },
      { id: 'holidays', name: 'Holidays', color: null, sortOrder: 1, isVisible: false, mayWrite: true },
    ]);
    const me = (declined: boolean) => ({ p1: { '@type': 'Participant', email: 'Me@Example.com', participationStatus: declined ? 'declined' : 'accepted' } });
    put(
      event({ id: 'shown', title: 'Shown' }),
      event({ id: 'hidden', title: 'Hidden', calendarIds: { holidays: true } }),
      event({ id: 'both', title: 'In both', calendarIds: { holidays: true, work: true } }),
      event({ id: 'declined', title: 'Declined', participants: me(true) }),
      event({ id: 'accepted', title: 'Accepted', participants: me(false) }),
    );
    const time = new FakeTime('2026-03-30T06:00:00Z');
    const fired: DueReminder[] = [];
    scheduler(time, fired, { include: reminderFilter(pim, () => new Set(['me@example.com'])) }).start();
    time.advanceTo('2026-03-30T07:00:00Z');
    expect(fired.map((r) => r.title).sort()).toEqual(['Accepted', 'In both', 'Shown']);
  });

  it('reads events from a given source when one is passed', () => {
    const time = new FakeTime('2026-03-30T06:50:00Z');
    const fired: DueReminder[] = [];
    scheduler(time, fired, { pim: (accountId) => (accountId === 'acc' ? [event({ id: 'mem' })] : []) }).start();
    expect(fired.map((r) => r.eventId)).toEqual(['mem']);
  });
});
