import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseICalendar, toICalendar } from '../../electron/core/pim/icalendar';
import type { CalendarEvent } from '../../electron/core/pim/model';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/pim/${name}`, import.meta.url), 'utf8');
const only = (events: CalendarEvent[], uid: string): CalendarEvent => {
  const e = events.find((x) => x.uid === uid);
  if (!e) throw new Error(`no event ${uid}`);
  return e;
};

describe('reading an Outlook/Exchange invitation', () => {
  const parsed = parseICalendar(fixture('outlook-invite.ics'));
  const event = parsed.events[0]!;

  it('returns one series with its method and no problems', () => {
    expect(parsed.method).toBe('REQUEST');
    expect(parsed.events).toHaveLength(1);
    expect(parsed.problems).toEqual([]);
  });

  it('maps the Windows time zone name to an IANA zone and keeps the wall-clock start', () => {
    expect(event.timeZone).toBe('Europe/Berlin');
    expect(event.start).toBe('2026-03-02T10:00:00');
    expect(event.duration).toBe('PT1H');
    expect(parsed.timeZones).toEqual(['Europe/Berlin']);
  });

  it('turns RRULE into a recurrence rule with UNTIL in local time', () => {
    expect(event.recurrenceRules).toEqual([{ frequency: 'weekly', until: '2026-06-29T10:00:00', byDay: [{ day: 'mo' }], firstDayOfWeek: 'mo' }]);
  });

  it('turns EXDATE and the moved occurrence into recurrence overrides', () => {
    expect(event.recurrenceOverrides).toEqual({
      '2026-04-06T10:00:00': { excluded: true },
      '2026-05-25T10:00:00': { excluded: true },
      '2026-03-16T10:00:00': { title: 'Roadmap sync (moved)', start: '2026-03-17T14:00:00' },
    });
  });

  it('maps the organizer, required, optional and resource attendees to participants', () => {
    const people = Object.values(event.participants ?? {}) as Record<string, unknown>[];
    const byEmail = (email: string) => people.find((p) => p.email === email);
    expect(byEmail('anna.schmidt@contoso.example')).toMatchObject({ name: 'Anna Schmidt', roles: { owner: true } });
    expect(byEmail('ben@meridian.example')).toMatchObject({
      name: 'Ben Otto',
      roles: { attendee: true },
      participationStatus: 'needs-action',
      expectReply: true,
      sendTo: { imip: 'mailto:ben@meridian.example' },
    });
    expect(byEmail('carla.ruiz@contoso.example')).toMatchObject({ roles: { attendee: true, optional: true } });
    expect(byEmail('room.elbe@contoso.example')).toMatchObject({ kind: 'resource', roles: { informational: true } });
    expect(event.replyTo).toEqual({ imip: 'mailto:anna.schmidt@contoso.example' });
  });

  it('keeps the reminder, location, status, sequence, privacy and busy state', () => {
    expect(Object.values(event.alerts ?? {})).toEqual([
      { '@type': 'Alert', action: 'display', trigger: { '@type': 'OffsetTrigger', offset: '-PT15M', relativeTo: 'start' } },
    ]);
    expect(Object.values(event.locations ?? {})).toEqual([{ '@type': 'Location', name: 'Room Elbe' }]);
    expect(event).toMatchObject({ status: 'confirmed', sequence: 2, privacy: 'public', freeBusyStatus: 'busy', priority: 5, updated: '2026-02-20T09:15:00Z' });
  });
});

describe('reading a Google Calendar invitation', () => {
  const { events, problems } = parseICalendar(fixture('google-invite.ics'));
  const event = events[0]!;

  it('reads the IANA zone, title, description and timestamps', () => {
    expect(problems).toEqual([]);
    expect(event).toMatchObject({
      uid: '7kq2m9v3s1h4j6l8n0p2r4t6v8@google.com',
      title: 'Launch checklist',
      start: '2026-04-15T09:30:00',
      timeZone: 'America/New_York',
      duration: 'PT30M',
      created: '2026-04-01T11:59:00Z',
      updated: '2026-04-01T12:00:00Z',
    });
    expect(event.description).toContain('https://meet.google.com/abc-defg-hij');
  });

  it('merges the organizer who is also listed as an attendee into one participant', () => {
    const people = Object.values(event.participants ?? {}) as Record<string, unknown>[];
    expect(people).toHaveLength(2);
    expect(people.find((p) => p.email === 'dana.lee@example.com')).toMatchObject({ roles: { owner: true, attendee: true }, participationStatus: 'accepted' });
  });

  it('normalises "-P0DT0H30M0S" triggers and keeps email alarms as email alerts', () => {
    const alerts = Object.values(event.alerts ?? {}) as { action: string; trigger: { offset: string } }[];
    expect(alerts.map((a) => [a.action, a.trigger.offset])).toEqual([
      ['email', '-PT30M'],
      ['display', '-PT10M'],
    ]);
  });

  it('drops an empty LOCATION rather than inventing a place', () => {
    expect(event.locations).toBeNull();
  });
});

describe('reading all-day, UTC and floating events', () => {
  const { events } = parseICalendar(fixture('roundtrip.ics'));

  it('shows a VALUE=DATE event without time, floating, with its length in days', () => {
    expect(only(events, 'company-holiday-2026@example.org')).toMatchObject({ start: '2026-12-24T00:00:00', timeZone: null, showWithoutTime: true, duration: 'P3D', freeBusyStatus: 'free' });
  });

  it('puts a UTC start in Etc/UTC and keeps URL and PRIORITY', () => {
    const e = only(events, 'release-day@example.org');
    expect(e).toMatchObject({ start: '2026-06-01T07:00:00', timeZone: 'Etc/UTC', duration: 'PT2H', priority: 1 });
    expect(Object.values(e.links as Record<string, unknown>)).toEqual([
      { '@type': 'Link', href: 'https://example.org/releases/7' },
      { '@type': 'Link', href: 'https://example.org/releases/7/notes.pdf', rel: 'enclosure', contentType: 'application/pdf', title: 'Release notes.pdf' },
    ]);
  });

  it('leaves out an attachment embedded in the file, with a problem entry', () => {
    const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:att\r\nDTSTART:20260101T100000Z\r\nATTACH;VALUE=BINARY;ENCODING=BASE64;FMTTYPE=text/plain:SGVsbG8=\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const { events, problems } = parseICalendar(text);
    expect(events[0]!.links).toBeUndefined();
    expect(problems).toEqual(['Event att: an attachment stored inside the file was left out.']);
  });

  it('reads a time without TZID as floating', () => {
    const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTART:20260301T080000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    expect(parseICalendar(text).events[0]).toMatchObject({ start: '2026-03-01T08:00:00', timeZone: null, duration: 'PT0S' });
  });

  it('maps every RRULE part to the JSCalendar rule', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:r',
      'DTSTART;TZID=Europe/Paris:20260105T090000',
      'RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=-1FR,2MO;BYMONTHDAY=1,15;BYMONTH=3,9;BYSETPOS=1;BYHOUR=9;BYMINUTE=30;WKST=SU',
      'RRULE:FREQ=YEARLY;BYYEARDAY=100;BYWEEKNO=20',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    expect(parseICalendar(text).events[0]!.recurrenceRules).toEqual([
      {
        frequency: 'monthly',
        interval: 2,
        count: 10,
        byDay: [{ day: 'fr', nthOfPeriod: -1 }, { day: 'mo', nthOfPeriod: 2 }],
        byMonthDay: [1, 15],
        byMonth: ['3', '9'],
        bySetPosition: [1],
        byHour: [9],
        byMinute: [30],
        firstDayOfWeek: 'su',
      },
      { frequency: 'yearly', byYearDay: [100], byWeekNo: [20] },
    ]);
  });
});

describe('round trip: import → export → import', () => {
  it('keeps an all-day series whose UNTIL was written as a UTC time', () => {
    const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:bd\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260310\r\nRRULE:FREQ=YEARLY;UNTIL=20300310T235959Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const first = parseICalendar(text).events;
    expect(first[0]!.recurrenceRules).toEqual([{ frequency: 'yearly', until: '2030-03-10T00:00:00' }]);
    expect(parseICalendar(toICalendar(first)).events).toEqual(first);
  });

  it('gives the same events for VTIMEZONE, RRULE, EXDATE, RECURRENCE-ID and VALARM', () => {
    const first = parseICalendar(fixture('roundtrip.ics'));
    const second = parseICalendar(toICalendar(first.events));
    expect(second.events).toEqual(first.events);
    expect(second.problems).toEqual([]);
  });

  it('gives the same events for the Outlook and Google invitations', () => {
    for (const name of ['outlook-invite.ics', 'google-invite.ics']) {
      const first = parseICalendar(fixture(name));
      expect(parseICalendar(toICalendar(first.events, { method: 'REQUEST' })).events).toEqual(first.events);
    }
  });

  it('writes the method, the prodid and a VTIMEZONE for every zone used', () => {
    const { events } = parseICalendar(fixture('roundtrip.ics'));
    const text = toICalendar(events, { method: 'PUBLISH', prodId: '-//Test//EN' });
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(text).toContain('METHOD:PUBLISH');
    expect(text).toContain('PRODID:-//Test//EN');
    expect(text.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
    expect(text).toContain('TZID:Europe/Berlin');
    expect(text).toContain('RECURRENCE-ID;TZID=Europe/Berlin:20260109T091500');
    expect(text).toContain('EXDATE;TZID=Europe/Berlin:20260107T091500,20260406T091500');
  });
});

describe('what export stamps and what import skips', () => {
  it('stamps DTSTAMP with the last change in a file, and with the message time in an iTIP message', () => {
    const { events } = parseICalendar(fixture('roundtrip.ics'));
    const release = [only(events, 'release-day@example.org')];
    expect(toICalendar(release)).toContain('DTSTAMP:20260105T080000Z');
    const message = toICalendar(release, { method: 'REQUEST' });
    expect(message).not.toContain('DTSTAMP:20260105T080000Z');
    expect(message).toContain('LAST-MODIFIED:20260105T080000Z');
    expect(parseICalendar(message).events).toEqual(release);
  });

  it('writes ORGANIZER and ATTENDEE from sendTo, a JSCalendar 2.0 calendarAddress, or a bare email', () => {
    const base = parseICalendar(fixture('roundtrip.ics')).events.find((e) => e.uid === 'release-day@example.org')!;
    const event: CalendarEvent = {
      ...base,
      participants: {
        a: { '@type': 'Participant', name: 'Owner', sendTo: { imip: 'mailto:owner@example.org' }, roles: { owner: true } },
        b: { '@type': 'Participant', calendarAddress: 'mailto:new@example.org', roles: { attendee: true }, participationStatus: 'accepted' },
        c: { '@type': 'Participant', email: 'plain@example.org' },
      },
    };
    const text = toICalendar([event]).replace(/\r\n /g, '');
    expect(text).toContain('ORGANIZER;CN=Owner:mailto:owner@example.org');
    expect(text).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:new@example.org');
    expect(text).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:plain@example.org');
  });

  it('skips to-dos with a problem entry instead of failing', () => {
    const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:Buy milk\r\nEND:VTODO\r\nBEGIN:VEVENT\r\nUID:e\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const { events, problems } = parseICalendar(text);
    expect(events.map((e) => e.uid)).toEqual(['e']);
    expect(problems).toEqual(['1 to-do or journal entry was skipped: only events are imported.']);
  });
});

describe('VTIMEZONE definitions built for export', () => {
  const cases: [string, string][] = [
    ['America/New_York', '2026-03-08T01:30:00'],
    ['America/New_York', '2026-07-01T12:00:00'],
    ['America/New_York', '2031-11-20T09:00:00'],
    ['America/New_York', '2031-07-01T09:00:00'],
    ['Europe/Berlin', '2026-10-25T01:30:00'],
    ['Australia/Sydney', '2026-01-15T09:00:00'],
    ['Australia/Sydney', '2034-06-15T09:00:00'],
    ['Asia/Kolkata', '2026-05-01T10:00:00'],
  ];

  it.each(cases)('make ical.js read %s %s at the same instant as Intl does', (zone, local) => {
    const event: CalendarEvent = {
      '@type': 'Event', id: 'x', uid: 'x', calendarIds: {}, title: 'x', description: '', start: '2026-01-05T09:00:00', timeZone: zone,
      duration: 'PT1H', showWithoutTime: false, status: 'confirmed', recurrenceRules: [{ frequency: 'weekly' }], recurrenceOverrides: null,
      locations: null, participants: null, alerts: null,
    };
    const cal = new ICAL.Component(ICAL.parse(toICalendar([event])));
    const tz = new ICAL.Timezone(cal.getFirstSubcomponent('vtimezone')!);
    const time = ICAL.Time.fromDateTimeString(local);
    time.zone = tz;
    const viaIcal = time.convertToZone(ICAL.Timezone.utcTimezone).toJSDate().getTime();
    const viaIntl = Date.parse(`${local}Z`) - offsetAt(zone, viaIcal);
    expect(new Date(viaIcal).toISOString()).toBe(new Date(viaIntl).toISOString());
  });
});

function offsetAt(zone: string, utc: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(utc));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - utc;
}

describe('bad and hostile input', () => {
  it('rejects text that is not iCalendar with a clear error', () => {
    expect(() => parseICalendar('hello, world')).toThrow(/not an iCalendar file/);
    expect(() => parseICalendar('')).toThrow(/not an iCalendar file/);
  });

  it('rejects a malformed file with a clear error', () => {
    expect(() => parseICalendar(fixture('malformed.ics'))).toThrow(/not an iCalendar file: .*no token/);
    expect(() => parseICalendar('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n')).toThrow(/not an iCalendar file/);
  });

  it('leaves out an unreadable RRULE with a problem entry and keeps the other events', () => {
    const text = [
      'BEGIN:VCALENDAR', 'VERSION:2.0',
      'BEGIN:VEVENT', 'UID:odd', 'DTSTART:20260101T100000Z', 'RRULE:FREQ=SOMETIMES', 'SUMMARY:Odd rule', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:fine', 'DTSTART:20260102T100000Z', 'RRULE:FREQ=DAILY;COUNT=3', 'SUMMARY:Fine', 'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const { events, problems } = parseICalendar(text);
    expect(events.map((e) => [e.uid, e.title, e.recurrenceRules])).toEqual([
      ['odd', 'Odd rule', null],
      ['fine', 'Fine', [{ frequency: 'daily', count: 3 }]],
    ]);
    expect(problems).toEqual([expect.stringMatching(/^Left out a property .*invalid frequency.*RRULE:FREQ=SOMETIMES/)]);
  });

  it('rejects a file over the size limit before parsing it', () => {
    const big = `BEGIN:VCALENDAR\r\nX-PAD:${'a'.repeat(5 * 1024 * 1024)}\r\nEND:VCALENDAR\r\n`;
    expect(() => parseICalendar(big)).toThrow(/too large/);
  });

  it('reads an RRULE with COUNT=1000000 without expanding it', () => {
    const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:many\r\nDTSTART:20260101T090000Z\r\nRRULE:FREQ=SECONDLY;COUNT=1000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const t0 = Date.now();
    const { events } = parseICalendar(text);
    expect(events[0]!.recurrenceRules).toEqual([{ frequency: 'secondly', count: 1000000 }]);
    expect(parseICalendar(toICalendar(events)).events[0]!.recurrenceRules).toEqual([{ frequency: 'secondly', count: 1000000 }]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('keeps an event in an unknown zone: converted to UTC through its VTIMEZONE, with a problem entry', () => {
    const { events, problems } = parseICalendar(fixture('unknown-tz.ics'));
    expect(only(events, 'custom-zone-1@partner.example')).toMatchObject({ start: '2026-05-10T09:30:00', timeZone: 'Etc/UTC', duration: 'PT1H' });
    expect(problems[0]).toMatch(/Unknown time zone "Customized Time Zone".*converted to UTC/);
  });

  it('keeps an event in an unknown zone with no definition as floating, with a problem entry', () => {
    const { events, problems } = parseICalendar(fixture('unknown-tz.ics'));
    expect(only(events, 'nowhere-zone-2@partner.example')).toMatchObject({ start: '2026-05-11T09:00:00', timeZone: null, duration: 'PT45M' });
    expect(problems[1]).toMatch(/Unknown time zone "Mars\/Olympus_Mons".*floating/);
  });

  it('does not spin on a VTIMEZONE with a runaway rule', () => {
    const text = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VTIMEZONE', 'TZID:Evil', 'BEGIN:STANDARD', 'DTSTART:16010101T000000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200',
      'RRULE:FREQ=SECONDLY', 'END:STANDARD', 'END:VTIMEZONE', 'BEGIN:VEVENT', 'UID:e', 'DTSTART;TZID=Evil:20260101T100000', 'END:VEVENT', 'END:VCALENDAR',
    ].join('\r\n');
    const t0 = Date.now();
    const { events, problems } = parseICalendar(text);
    expect(events[0]).toMatchObject({ start: '2026-01-01T10:00:00', timeZone: null });
    expect(problems).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('reads and writes a series with 5,000 modified occurrences in linear time', () => {
    const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:big', 'DTSTART;TZID=Europe/Berlin:20260101T090000', 'RRULE:FREQ=DAILY', 'SUMMARY:Daily', 'END:VEVENT'];
    for (let i = 1; i <= 5000; i++) {
      const day = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10).replace(/-/g, '');
      lines.push('BEGIN:VEVENT', 'UID:big', `RECURRENCE-ID;TZID=Europe/Berlin:${day}T090000`, `DTSTART;TZID=Europe/Berlin:${day}T100000`, 'SUMMARY:Daily', 'END:VEVENT');
    }
    lines.push('END:VCALENDAR');
    const t0 = Date.now();
    const { events } = parseICalendar(lines.join('\r\n'));
    expect(Object.keys(events[0]!.recurrenceOverrides ?? {})).toHaveLength(5000);
    expect(events[0]!.recurrenceOverrides?.['2026-01-02T09:00:00']).toEqual({ start: '2026-01-02T10:00:00' });
    expect(toICalendar(events).match(/RECURRENCE-ID/g)).toHaveLength(5000);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('reads Outlook display-name and prefixed TZIDs as their IANA zone', () => {
    const ev = (tzid: string) =>
      parseICalendar(`BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID="${tzid}":20260101T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`).events[0]!.timeZone;
    expect(ev('(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna')).toBe('Europe/Amsterdam');
    expect(ev('/mozilla.org/20070129_1/Europe/Vienna')).toBe('Europe/Vienna');
    expect(ev('Pacific Standard Time')).toBe('America/Los_Angeles');
  });
});
