// The demo's data set: deterministic mail in several folders (threads, HTML, attachments,
// flags), an invitation, recurring events and contacts, S/MIME-signed mail, loaded into the demo Cyrus.
import { cyrusEnv } from '../test/support/cyrus';
import { basic, jmap1, serverMailboxes } from '../test/support/jmap-raw';
import { seedMessages } from '../test/support/seed';
import { crlf, opensslSign, replaceInBody } from '../test/support/smime-messages';
import { issueUser, testPki } from '../test/support/smime-pki';

interface Plan {
  folders: { name: string; count: number; parent?: string }[];
  inbox: number;
  archive: number;
  seed: number;
}

const plans: Plan[] = [
  { seed: 11, inbox: 1800, archive: 400, folders: [{ name: 'Projects', count: 150 }, { name: 'Receipts', count: 90 }, { name: 'Travel', count: 40 }, { name: '2026', count: 30, parent: 'Travel' }] },
  { seed: 12, inbox: 700, archive: 200, folders: [{ name: 'Family', count: 60 }, { name: 'Newsletters', count: 120 }] },
];

export async function seedDemo(users: string[]): Promise<void> {
  for (const [k, user] of users.entries()) {
    const plan = plans[k % plans.length]!;
    let start = 0;
    const load = async (count: number, mailbox: string) => {
      await seedMessages(user, { count, start, seed: plan.seed, mailbox, batch: 250 });
      start += count;
    };
    await load(plan.inbox, 'inbox');
    await load(plan.archive, 'archive');
    const ids = new Map<string, string>();
    for (const f of plan.folders) {
      const res = await jmap1(user, 'Mailbox/set', { create: { f: { name: f.name, parentId: f.parent ? ids.get(f.parent) ?? null : null } } });
      const id = (res.created as Record<string, { id: string }>).f!.id;
      ids.set(f.name, id);
      await load(f.count, id);
    }
    console.log(`  ${user}: ${start} messages in ${2 + plan.folders.length} folders`);
  }
  const [alice, bob] = users as [string, string];
  await importInvitation(alice, bob);
  for (const user of users) {
    await seedCalendar(user);
    await seedContacts(user, users);
  }
}

/**
 * S/MIME-signed mail from two colleagues (RSA and EC keys), signed by `openssl cms` under a demo
 * CA, and one whose text was altered after signing: the reading pane shows "Signed" for the
 * first two and a red warning for the third.
 */
export async function seedSignedMail(to: string): Promise<string> {
  const pki = testPki();
  const dana = issueUser('dana@security.example', 'rsa2048');
  const erik = issueUser('erik@security.example', 'ec-p256');
  const entity = (text: string) => Buffer.from(`Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${text.replace(/\n/g, '\r\n')}\r\n`);
  const message = (signed: Buffer, from: string, subject: string, date: string) =>
    Buffer.concat([
      Buffer.from([`From: ${from}`, `To: Alice <${to}>`, `Subject: ${subject}`, `Date: ${date}`, `Message-ID: <${subject.replace(/\W+/g, '-').toLowerCase()}@security.example>`, ''].join('\r\n')),
      crlf(signed),
    ]);
  const signedBy = (who: typeof dana, text: string) => opensslSign(who, entity(text), { certfile: pki.intermediatePath });
  const notes = 'Hi Alice,\n\nthe security review is done. Summary: no critical findings, two medium ones (see the tracker).\nThis message is signed, so you can tell it really comes from me.\n\nDana';
  const badge = 'Hello,\n\nyour access badge expires on 31 December. Bring it to the front desk for renewal.\n\nErik, Facilities';
  const wire = 'Alice,\n\nplease wire the deposit to the usual account, IBAN DE02 1203 0000 0000 2020 51.\n\nDana';
  const messages = [
    { raw: message(signedBy(dana, notes), 'Dana Security <dana@security.example>', 'Signed: security review notes', 'Mon, 23 Nov 2026 09:12:00 +0000'), at: '2026-11-23T09:12:00Z' },
    { raw: message(signedBy(erik, badge), 'Erik Facilities <erik@security.example>', 'Signed: access badge renewal', 'Tue, 24 Nov 2026 14:40:00 +0000'), at: '2026-11-24T14:40:00Z' },
    {
      // Altered after signing: the IBAN was swapped in transit.
      raw: Buffer.from(replaceInBody(message(signedBy(dana, wire), 'Dana Security <dana@security.example>', 'Signed: deposit details', 'Wed, 25 Nov 2026 16:05:00 +0000'), '2020 51', '6666 66')),
      at: '2026-11-25T16:05:00Z',
    },
  ];
  const env = cyrusEnv();
  const inbox = (await serverMailboxes(to)).list.find((m) => m.role === 'inbox')!.id;
  for (const m of messages) {
    const up = await fetch(new URL(`/jmap/upload/${encodeURIComponent(to)}/`, env.baseUrl), {
      method: 'POST',
      headers: { Authorization: basic(to, env.password), 'Content-Type': 'message/rfc822' },
      body: m.raw,
    });
    const { blobId } = (await up.json()) as { blobId: string };
    await jmap1(to, 'Email/import', { emails: { s: { blobId, mailboxIds: { [inbox]: true }, keywords: {}, receivedAt: m.at } } });
  }
  console.log(`  ${to}: ${messages.length} S/MIME-signed messages (one altered after signing)`);
  return pki.rootPem;
}

/** An iMIP invitation (RFC 6047) from bob to alice, as mail clients send them. */
async function importInvitation(to: string, from: string): Promise<void> {
  const uid = 'demo-invite-quarterly-planning@example.com';
  const ics = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Meridian Mail demo//EN', 'METHOD:REQUEST',
    'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261101T090000Z', 'DTSTART:20261203T140000Z', 'DTEND:20261203T153000Z',
    'SUMMARY:Quarterly planning', 'LOCATION:Room 4.02', `ORGANIZER;CN=Bob Builder:mailto:${from}`,
    `ATTENDEE;CN=Alice;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${to}`,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
  const raw = [
    `From: Bob Builder <${from}>`, `To: Alice <${to}>`, 'Subject: Invitation: Quarterly planning @ Thu Dec 3, 2026 14:00 UTC',
    'Date: Sun, 01 Nov 2026 12:30:00 +0000', `Message-ID: <${uid}>`, 'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="inv"', '', '--inv', 'Content-Type: text/plain; charset=utf-8', '',
    'You are invited to Quarterly planning on Thursday, December 3, 2026, 14:00–15:30 UTC, Room 4.02.', '',
    '--inv', 'Content-Type: text/calendar; charset=utf-8; method=REQUEST', '', ics, '--inv--', '',
  ].join('\r\n');
  const env = cyrusEnv();
  const up = await fetch(new URL(`/jmap/upload/${encodeURIComponent(to)}/`, env.baseUrl), {
    method: 'POST',
    headers: { Authorization: basic(to, env.password), 'Content-Type': 'message/rfc822' },
    body: raw,
  });
  const { blobId } = (await up.json()) as { blobId: string };
  const inbox = (await serverMailboxes(to)).list.find((m) => m.role === 'inbox')!.id;
  await jmap1(to, 'Email/import', { emails: { i: { blobId, mailboxIds: { [inbox]: true }, keywords: {}, receivedAt: '2026-11-01T12:30:00Z' } } });
}

const calendarUsing = ['urn:ietf:params:jmap:core', 'https://cyrusimap.org/ns/jmap/calendars'];
const contactsUsing = ['urn:ietf:params:jmap:core', 'https://cyrusimap.org/ns/jmap/contacts'];

/** Cyrus 3.6 speaks its pre-RFC JSCalendar dialect: calendarId, recurrenceRule, "jsevent". */
async function seedCalendar(user: string): Promise<void> {
  const event = (title: string, start: string, duration: string, extra: Record<string, unknown> = {}) => ({
    '@type': 'jsevent', calendarId: 'Default', title, start, timeZone: 'Europe/Berlin', duration, ...extra,
  });
  await call(user, calendarUsing, 'CalendarEvent/set', {
    create: {
      standup: event('Team stand-up', '2026-11-02T09:30:00', 'PT15M', { recurrenceRule: { frequency: 'weekly', byDay: [{ day: 'mo' }, { day: 'we' }, { day: 'fr' }] } }),
      review: event('Design review', '2026-11-26T15:00:00', 'PT1H', { description: 'Walk through the new message list.', locations: { l: { name: 'Room 3.14' } } }),
      dentist: event('Dentist', '2026-11-30T08:00:00', 'PT45M', { alerts: { a: { '@type': 'alert', trigger: { '@type': 'offsettrigger', offset: '-PT1H' }, action: 'display' } } }),
      trip: event('Trip to Lisbon', '2026-12-10T00:00:00', 'P4D', { showWithoutTime: true }),
      gym: event('Gym', '2026-11-03T18:30:00', 'PT1H', { recurrenceRule: { frequency: 'weekly', byDay: [{ day: 'tu' }, { day: 'th' }], count: 20 } }),
    },
  });
}

async function seedContacts(user: string, colleagues: string[]): Promise<void> {
  const people = [
    ['Bob', 'Builder', 'bob@example.com', 'Builder & Co'], ['Carol', 'Danvers', 'carol@example.com', 'Avengers'],
    ['Dave', 'Grohl', 'dave@example.net', 'Foo Fighters'], ['Erin', 'Brockovich', 'erin@example.org', ''],
    ['Frank', 'Ocean', 'frank@example.com', ''], ['Grace', 'Hopper', 'grace@navy.example', 'US Navy'],
    ['Heidi', 'Klum', 'heidi@example.de', ''], ['Ivan', 'Ilyich', 'ivan@example.ru', ''], ['Judy', 'Hopps', 'judy@zootopia.example', 'ZPD'],
  ].filter(([, , email]) => email !== user);
  const create = Object.fromEntries(
    people.map(([firstName, lastName, email, company], i) => [
      `c${i}`,
      { firstName, lastName, company, emails: [{ type: 'work', value: email, isDefault: true }], phones: [{ type: 'mobile', value: `+1 555 01${String(i).padStart(2, '0')}` }] },
    ]),
  );
  const res = await call(user, contactsUsing, 'Contact/set', { create });
  const created = Object.values((res.created ?? {}) as Record<string, { id: string }>).map((c) => c.id);
  const team = colleagues.filter((c) => c !== user);
  await call(user, contactsUsing, 'ContactGroup/set', { create: { g: { name: 'Team', contactIds: created.slice(0, 3 + team.length) } } });
}

async function call(user: string, using: string[], method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const env = cyrusEnv();
  const res = await fetch(new URL('/jmap/', env.baseUrl), {
    method: 'POST',
    headers: { Authorization: basic(user, env.password), 'Content-Type': 'application/json' },
    body: JSON.stringify({ using, methodCalls: [[method, { accountId: user, ...args }, '0']] }),
  });
  const body = (await res.json()) as { methodResponses: [string, Record<string, unknown>, string][] };
  const [name, result] = body.methodResponses[0]!;
  if (name === 'error') throw new Error(`${method}: ${JSON.stringify(result)}`);
  const failed = result.notCreated as Record<string, unknown> | null | undefined;
  if (failed && Object.keys(failed).length) throw new Error(`${method}: ${JSON.stringify(failed).slice(0, 300)}`);
  return result;
}
