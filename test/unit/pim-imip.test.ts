import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseICalendar } from '../../electron/core/pim/icalendar';
import { applyInvitation, buildReply, findCalendarParts, readInvitation } from '../../electron/core/pim/imip';
import type { CalendarEvent } from '../../electron/core/pim/model';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/pim/${name}`, import.meta.url), 'utf8');
const json = (name: string): unknown => JSON.parse(fixture(name));
const ME = ['ben@meridian.example', 'b.otto@meridian.example'];
const BEN = { name: 'Ben Otto', email: 'ben@meridian.example' };

const myStatus = (event: CalendarEvent | null, email = 'ben@meridian.example') =>
  (Object.values(event?.participants ?? {}) as Record<string, unknown>[]).find((p) => p.email === email)?.participationStatus;

/** The invitation with its text edited, e.g. a later SEQUENCE or a new PARTSTAT. */
const edited = (name: string, ...edits: [string | RegExp, string][]) => {
  let text = fixture(name);
  for (const [from, to] of edits) text = text.replace(from, to);
  return readInvitation(text, ME);
};

describe('finding calendar parts in a message', () => {
  it('prefers Gmail\'s inline text/calendar with METHOD over its invite.ics attachment', () => {
    expect(findCalendarParts(json('gmail-bodystructure.json'))).toEqual([
      { partId: '3', blobId: 'Gb3', type: 'text/calendar', name: null },
      { partId: '4', blobId: 'Gb4', type: 'application/ics', name: 'invite.ics' },
    ]);
  });

  it('finds the text/calendar alternative Outlook sends', () => {
    expect(findCalendarParts(json('outlook-bodystructure.json'))).toEqual([{ partId: '3', blobId: 'Ob3', type: 'text/calendar', name: null }]);
  });

  it('finds the calendar part when the server gives leaf parts an empty subParts list (Cyrus)', () => {
    const body = {
      type: 'multipart/alternative', subParts: [
        { type: 'text/plain', blobId: 'c1', partId: '1', subParts: [] },
        { type: 'text/calendar', blobId: 'c2', partId: '2', subParts: [] },
      ],
    };
    expect(findCalendarParts(body)).toEqual([{ partId: '2', blobId: 'c2', type: 'text/calendar', name: null }]);
  });

  it('finds a .ics attachment sent as application/octet-stream', () => {
    const body = { type: 'multipart/mixed', subParts: [{ type: 'text/plain', blobId: 'b1', partId: '1' }, { type: 'application/octet-stream', blobId: 'b2', partId: '2', name: 'Meeting.ICS', disposition: 'attachment' }] };
    expect(findCalendarParts(body)).toEqual([{ partId: '2', blobId: 'b2', type: 'application/octet-stream', name: 'Meeting.ICS' }]);
  });

  it('ranks an inline text/calendar before a text/calendar attachment', () => {
    const body = { type: 'multipart/mixed', subParts: [{ type: 'text/calendar', blobId: 'att', partId: '1', disposition: 'attachment', name: 'a.ics' }, { type: 'text/calendar', blobId: 'inl', partId: '2' }] };
    expect(findCalendarParts(body).map((p) => p.blobId)).toEqual(['inl', 'att']);
  });

  it('ignores malformed and hostile shapes instead of throwing', () => {
    expect(findCalendarParts(null)).toEqual([]);
    expect(findCalendarParts('text/calendar')).toEqual([]);
    expect(findCalendarParts({ type: 'text/calendar' })).toEqual([]); // no blobId
    expect(findCalendarParts({ type: 42, subParts: 'nope', blobId: 7 })).toEqual([]);
    let deep: Record<string, unknown> = { type: 'text/calendar', blobId: 'deep' };
    for (let i = 0; i < 10_000; i++) deep = { type: 'multipart/mixed', subParts: [deep] };
    expect(findCalendarParts(deep)).toEqual([]);
  });
});

describe('reading an invitation', () => {
  it('reads an Outlook REQUEST: method, uid, sequence, organizer and my pending answer', () => {
    const inv = readInvitation(fixture('outlook-invite.ics'), ['BEN@Meridian.example']);
    expect(inv).toMatchObject({
      method: 'REQUEST',
      sequence: 2,
      organizer: { name: 'Anna Schmidt', email: 'anna.schmidt@contoso.example' },
      myStatus: 'needs-action',
      recurrenceId: null,
      problems: [],
    });
    expect(inv.uid).toMatch(/^040000008200E00074C5B7101A82E008/);
    expect(inv.event.title).toBe('Roadmap sync');
    expect(inv.event.participants?.[inv.myParticipantId!]).toMatchObject({ email: 'ben@meridian.example' });
  });

  it('reads a Google REQUEST where the organizer is also an attendee', () => {
    const inv = readInvitation(fixture('google-invite.ics'), ME);
    expect(inv.organizer).toEqual({ name: 'Dana Lee', email: 'dana.lee@example.com' });
    expect(inv.myParticipantId).not.toBeNull();
    expect(inv.myStatus).toBe('needs-action');
  });

  it('has no participant id when I am not on the list', () => {
    const inv = readInvitation(fixture('google-invite.ics'), ['someone.else@example.org']);
    expect(inv.myParticipantId).toBeNull();
    expect(inv.myStatus).toBe('needs-action');
  });

  it('reads a CANCEL of one occurrence with its recurrence id', () => {
    const inv = readInvitation(fixture('outlook-cancel-occurrence.ics'), ME);
    expect(inv).toMatchObject({ method: 'CANCEL', sequence: 3, recurrenceId: '2026-03-23T10:00:00' });
    expect(inv.event.status).toBe('cancelled');
  });

  it('still returns the event of an invitation in an unknown time zone, with a problem entry', () => {
    const inv = readInvitation(fixture('unknown-tz.ics'), ME);
    expect(inv.event).toMatchObject({ title: 'Vendor call', start: '2026-05-10T09:30:00', timeZone: 'Etc/UTC' });
    expect(inv.problems.some((p) => p.includes('Customized Time Zone'))).toBe(true);
  });

  it('rejects text that is not calendar data', () => {
    expect(() => readInvitation('Hi Ben, see you Tuesday', ME)).toThrow(/not an iCalendar file/);
    expect(() => readInvitation('BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n', ME)).toThrow(/no event/);
  });
});

describe('replying to an invitation', () => {
  it('builds a METHOD:REPLY with UID, SEQUENCE, DTSTAMP, ORGANIZER and only my ATTENDEE line', () => {
    const inv = readInvitation(fixture('outlook-invite.ics'), ME);
    const reply = buildReply(inv, BEN, 'accepted');
    expect(reply.subject).toBe('Accepted: Roadmap sync');
    expect(reply.to).toEqual([{ name: 'Anna Schmidt', email: 'anna.schmidt@contoso.example' }]);
    const unfolded = reply.ics.replace(/\r\n /g, '');
    const vevent = unfolded.slice(unfolded.indexOf('BEGIN:VEVENT'));
    expect(unfolded).toContain('METHOD:REPLY');
    expect(unfolded).toContain(`UID:${inv.uid}`);
    expect(unfolded).toContain('SEQUENCE:2');
    expect(unfolded).toMatch(/DTSTAMP:\d{8}T\d{6}Z/);
    expect(unfolded).toContain('ORGANIZER;CN=Anna Schmidt:mailto:anna.schmidt@contoso.example');
    expect(unfolded.match(/^ATTENDEE/gm)).toHaveLength(1);
    expect(unfolded).toMatch(/^ATTENDEE;.*PARTSTAT=ACCEPTED.*:mailto:ben@meridian\.example$/m);
    expect(vevent).not.toContain('RSVP');
    expect(vevent).not.toContain('RRULE');
    expect(vevent).not.toContain('STATUS:');
  });

  it('parses back as a REPLY that names the organizer and my answer', () => {
    const reply = buildReply(readInvitation(fixture('google-invite.ics'), ME), BEN, 'tentative');
    expect(reply.subject).toBe('Tentative: Launch checklist');
    const back = parseICalendar(reply.ics);
    expect(back.method).toBe('REPLY');
    const people = Object.values(back.events[0]!.participants ?? {}) as Record<string, unknown>[];
    expect(people).toHaveLength(2);
    expect(people.find((p) => p.email === 'dana.lee@example.com')).toMatchObject({ roles: { owner: true } });
    expect(people.find((p) => p.email === 'ben@meridian.example')).toMatchObject({ participationStatus: 'tentative', roles: { attendee: true } });
  });

  it('answers with the address the organizer invited, even if I reply from another one', () => {
    const inv = readInvitation(fixture('google-invite.ics'), ME);
    const reply = buildReply(inv, { name: 'Ben', email: 'b.otto@meridian.example' }, 'declined');
    expect(reply.subject).toBe('Declined: Launch checklist');
    expect(reply.ics.replace(/\r\n /g, '')).toMatch(/^ATTENDEE;.*:mailto:ben@meridian\.example$/m);
  });

  it('includes RECURRENCE-ID when replying to one occurrence', () => {
    const inv = readInvitation(fixture('outlook-cancel-occurrence.ics'), ME);
    const reply = buildReply({ ...inv, method: 'REQUEST' }, BEN, 'declined');
    expect(reply.ics).toContain('RECURRENCE-ID;TZID=Europe/Berlin:20260323T100000');
  });

  it('refuses to reply when there is no organizer to reply to', () => {
    const inv = readInvitation(fixture('unknown-tz.ics').replace(/ORGANIZER[^\n]*\n/, ''), ME);
    expect(() => buildReply(inv, BEN, 'accepted')).toThrow(/no organizer/);
  });
});

describe('applying an invitation to the calendar', () => {
  const outlook = () => readInvitation(fixture('outlook-invite.ics'), ME);

  it('creates the event for a REQUEST with a new UID, with my answer when I gave one', () => {
    const effect = applyInvitation(null, outlook(), 'accepted');
    expect(effect.kind).toBe('create');
    expect(effect.event?.title).toBe('Roadmap sync');
    expect(myStatus(effect.event)).toBe('accepted');
  });

  it('updates a known event and keeps my answer when the organizer did not re-ask', () => {
    const existing = { ...applyInvitation(null, outlook(), 'accepted').event!, id: 'server-id', calendarIds: { work: true }, alerts: null };
    const update = edited('outlook-invite.ics', [/^SUMMARY;LANGUAGE=en-US:Roadmap sync$/m, 'SUMMARY;LANGUAGE=en-US:Roadmap sync (agenda attached)']);
    const effect = applyInvitation(existing, update);
    expect(effect.kind).toBe('update');
    expect(effect.event).toMatchObject({ id: 'server-id', calendarIds: { work: true }, title: 'Roadmap sync (agenda attached)', alerts: null });
    expect(myStatus(effect.event)).toBe('accepted');
  });

  it('resets my answer when the organizer sends a higher SEQUENCE asking again', () => {
    const existing = applyInvitation(null, outlook(), 'accepted').event!;
    const moved = edited('outlook-invite.ics', [/SEQUENCE:2/g, 'SEQUENCE:3'], ['DTSTART;TZID=W. Europe Standard Time:20260302T100000', 'DTSTART;TZID=W. Europe Standard Time:20260302T110000']);
    const effect = applyInvitation(existing, moved);
    expect(effect.kind).toBe('update');
    expect(effect.event?.start).toBe('2026-03-02T11:00:00');
    expect(myStatus(effect.event)).toBe('needs-action');
  });

  it('ignores an invitation older than the event in the calendar', () => {
    const existing = { ...outlook().event, sequence: 5 };
    expect(applyInvitation(existing, outlook())).toEqual({ kind: 'ignore-older', event: null });
  });

  it('ignores a same-SEQUENCE invitation stamped earlier than the stored copy', () => {
    const existing = { ...outlook().event, updated: '2026-03-01T00:00:00Z' };
    expect(applyInvitation(existing, outlook()).kind).toBe('ignore-older');
  });

  it('removes one occurrence for a CANCEL with RECURRENCE-ID', () => {
    const existing = outlook().event;
    const effect = applyInvitation(existing, readInvitation(fixture('outlook-cancel-occurrence.ics'), ME));
    expect(effect.kind).toBe('cancel');
    expect(effect.event?.status).toBe('confirmed');
    expect(effect.event?.recurrenceOverrides?.['2026-03-23T10:00:00']).toEqual({ excluded: true });
  });

  it('marks the whole event cancelled for a CANCEL without RECURRENCE-ID', () => {
    const existing = readInvitation(fixture('google-invite.ics'), ME).event;
    const cancel = edited('google-invite.ics', ['METHOD:REQUEST', 'METHOD:CANCEL'], ['SEQUENCE:0', 'SEQUENCE:1'], ['STATUS:CONFIRMED', 'STATUS:CANCELLED']);
    const effect = applyInvitation(existing, cancel);
    expect(effect).toMatchObject({ kind: 'cancel', event: { status: 'cancelled', sequence: 1 } });
  });

  it('has nothing to cancel for an unknown UID', () => {
    expect(applyInvitation(null, readInvitation(fixture('outlook-cancel-occurrence.ics'), ME))).toEqual({ kind: 'cancel', event: null });
  });

  it('records an update to one occurrence as an override of the series', () => {
    const existing = outlook().event;
    const occurrence = edited('outlook-cancel-occurrence.ics', ['METHOD:CANCEL', 'METHOD:REQUEST'], ['STATUS:CANCELLED', 'STATUS:CONFIRMED'], ['Canceled: Roadmap sync', 'Roadmap sync (demo day)']);
    const effect = applyInvitation(existing, occurrence);
    expect(effect.kind).toBe('update');
    expect(effect.event?.recurrenceOverrides?.['2026-03-23T10:00:00']).toMatchObject({ title: 'Roadmap sync (demo day)', sequence: 3 });
  });

  it('records an attendee\'s REPLY on my own event', () => {
    const mine = readInvitation(fixture('google-invite.ics'), ['dana.lee@example.com']).event;
    const reply = readInvitation(buildReply(readInvitation(fixture('google-invite.ics'), ME), BEN, 'accepted').ics, ['dana.lee@example.com']);
    const effect = applyInvitation(mine, reply);
    expect(effect.kind).toBe('update');
    expect(myStatus(effect.event)).toBe('accepted');
    expect(myStatus(effect.event, 'dana.lee@example.com')).toBe('accepted');
  });
});
