// Invitations that arrive by mail (iMIP): what one would do to the user's calendar, and the
// user's answer, recorded in the calendar through the outbox and mailed back only when asked.
import { z } from 'zod';
import type { InvitationView } from '../../../shared/pim-contract';
import { IpcError } from '../../../shared/errors';
import type { Handlers } from '../dispatch';
import { capabilities } from '../jmap/session';
import { newMessageId } from '../mail/compose/message';
import type { SendAction } from '../sync/outbox';
import { applyInvitation, buildReply, findCalendarParts, readInvitation, type Invitation } from './imip';
import type { CalendarEvent } from './model';
import type { PimContext } from './pim-context';
import { locationOf, participantEmail } from './pim-drafts';
import { expandAll, expandEvent } from './recurrence';
import { localToUtc } from './time-zones';

type InvitationHandlers = Pick<Handlers, 'invitations.get' | 'invitations.respond'>;

const EmailGet = z.looseObject({ list: z.array(z.looseObject({ id: z.string(), bodyStructure: z.unknown() })) });
const MAX_INVITATION_BYTES = 2 * 1024 * 1024;
const bodyProperties = ['partId', 'blobId', 'size', 'name', 'type', 'disposition', 'headers', 'subParts'];

interface Loaded {
  inv: Invitation;
  existing: CalendarEvent | null;
}

export function invitationHandlers(ctx: PimContext): InvitationHandlers {
  /** The message's calendar part, read; null when it has none. */
  const load = async (accountId: string, emailId: string): Promise<Loaded | null> => {
    ctx.requireAccount(accountId);
    const { client, jmapAccountId } = await ctx.accounts.clientFor(accountId);
    const res = await client.call('Email/get', { accountId: jmapAccountId, ids: [emailId], properties: ['bodyStructure'], bodyProperties }, EmailGet, [capabilities.mail]);
    const email = res.list[0];
    if (!email) throw new IpcError({ code: 'not-found', message: 'This message is no longer here.' });
    const part = findCalendarParts(leavesWithoutSubParts(email.bodyStructure))[0];
    if (!part) return null;
    const bytes = await client.download(jmapAccountId, part.blobId, part.name ?? 'invite.ics', part.type, MAX_INVITATION_BYTES);
    let inv: Invitation;
    try {
      inv = readInvitation(bytes.toString('utf8'), [...ctx.myAddresses(accountId)]);
    } catch (err) {
      throw new IpcError({ code: 'invalid-params', message: `The invitation in this message cannot be read: ${err instanceof Error ? err.message : String(err)}` });
    }
    return { inv, existing: ctx.pim.eventByUid(accountId, inv.uid) };
  };

  return {
    'invitations.get': async ({ accountId, emailId }) => {
      const loaded = await load(accountId, emailId);
      if (!loaded) return null;
      const shown = view(ctx, accountId, emailId, loaded);
      // Cyrus schedules implicitly (RFC 6638): saving an answer makes the server mail the organizer.
      if ((await ctx.dialect(accountId)).name === 'cyrus' && loaded.inv.organizer) {
        shown.problems.push('This server tells the organizer your answer by itself when it is saved, even without "send a reply".');
      }
      return shown;
    },

    'invitations.respond': async ({ accountId, emailId, status, sendReply }) => {
      const loaded = await load(accountId, emailId);
      if (!loaded) throw new IpcError({ code: 'not-found', message: 'This message carries no invitation.' });
      const { inv, existing } = loaded;
      if (inv.method !== 'REQUEST' && inv.method !== 'PUBLISH' && inv.method !== 'ADD') {
        throw new IpcError({ code: 'invalid-params', message: `This message is a ${inv.method.toLowerCase()}, not an invitation to answer.` });
      }
      // The answer is uploaded first: offline, nothing is recorded and the user can try again.
      const reply = sendReply ? await prepareReply(ctx, accountId, inv, status) : null;
      const effect = applyInvitation(existing, inv, status);
      let eventId: string;
      let queued: number;
      if (effect.kind === 'create' && effect.event) {
        const calendar = ctx.pim.calendars(accountId).find((c) => c.mayWrite);
        if (!calendar) throw new IpcError({ code: 'not-found', message: 'This account has no calendar to put the event in.' });
        const localId = crypto.randomUUID();
        const event: CalendarEvent = { ...effect.event, id: localId, calendarIds: { [calendar.id]: true }, recurrenceId: null };
        delete event.recurrenceId;
        eventId = localId;
        queued = ctx.queue(accountId, { kind: 'pim.create', type: 'CalendarEvent', localId, object: event });
      } else if (existing && effect.event) {
        eventId = existing.id;
        queued = ctx.queue(accountId, { kind: 'pim.update', type: 'CalendarEvent', id: existing.id, before: existing, after: { ...effect.event, id: existing.id } });
      } else {
        throw new IpcError({ code: 'invalid-params', message: 'Your calendar already holds a newer version of this event.' });
      }
      if (reply) queued = queueReply(ctx, accountId, reply);
      return { eventId, queued };
    },
  };
}

/**
 * The REPLY goes out like any mail, through the outbox's exactly-once send, from the invited
 * address when it is an identity; its iCalendar part is uploaded as a text/calendar blob.
 */
async function prepareReply(ctx: PimContext, accountId: string, inv: Invitation, status: 'accepted' | 'tentative' | 'declined'): Promise<SendAction> {
  const identities = ctx.identities.list(accountId);
  const invited = inv.myParticipantId ? participantEmail((inv.event.participants?.[inv.myParticipantId] ?? {}) as Record<string, unknown>).toLowerCase() : '';
  const identity = identities.find((i) => i.email.toLowerCase() === invited) ?? identities[0];
  if (!identity) throw new IpcError({ code: 'not-found', message: 'There is no identity to send the answer from.' });
  const mailbox = (role: string) => (ctx.db.prepare('SELECT id FROM mailbox WHERE account_id = ? AND role = ?').pluck().get(accountId, role) as string | undefined) ?? null;
  const drafts = mailbox('drafts');
  if (!drafts) throw new IpcError({ code: 'not-found', message: 'This account has no Drafts folder.' });
  const from = { name: identity.name.trim() || null, email: identity.email };
  let reply;
  try {
    reply = buildReply(inv, { name: identity.name, email: identity.email }, status);
  } catch (err) {
    throw new IpcError({ code: 'invalid-params', message: `No answer can be sent: ${err instanceof Error ? err.message : String(err)}` });
  }
  const words = { accepted: 'accepted', tentative: 'tentatively accepted', declined: 'declined' }[status];
  const { client, jmapAccountId } = await ctx.accounts.clientFor(accountId);
  const bytes = Buffer.from(reply.ics, 'utf8');
  const blob = await client.upload(jmapAccountId, bytes, 'text/calendar');
  return {
    kind: 'send',
    draft: {
      identityId: identity.id,
      to: reply.to.map((a) => ({ name: a.name || null, email: a.email })),
      smime: { sign: false, encrypt: false },
      cc: [],
      bcc: [],
      subject: reply.subject,
      html: null,
      text: `${from.name ?? from.email} has ${words} this invitation.`,
      inReplyTo: [],
      references: [],
      attachments: [{ blobId: blob.blobId, name: 'reply.ics', type: 'text/calendar', size: bytes.length }],
      origin: null,
    },
    from,
    identityId: identity.id,
    messageId: newMessageId(identity.email),
    draftId: null,
    draftsMailboxId: drafts,
    sentMailboxId: mailbox('sent'),
  };
}

function queueReply(ctx: PimContext, accountId: string, action: SendAction): number {
  const actionId = ctx.outbox.enqueue(accountId, action);
  ctx.events.emit('outbox.changed', { accountId });
  ctx.scheduler.syncNow(accountId);
  return actionId;
}

/**
 * Cyrus gives leaf parts an empty subParts list, which findCalendarParts takes for a multipart;
 * only multiparts keep theirs here.
 */
function leavesWithoutSubParts(node: unknown, depth = 0): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node) || depth > 40) return node;
  const { subParts, ...rest } = node as Record<string, unknown>;
  const type = typeof rest.type === 'string' ? rest.type.toLowerCase() : '';
  if (!Array.isArray(subParts) || (!subParts.length && !type.startsWith('multipart/'))) return rest;
  return { ...rest, subParts: subParts.map((p) => leavesWithoutSubParts(p, depth + 1)) };
}

function view(ctx: PimContext, accountId: string, emailId: string, { inv, existing }: Loaded): InvitationView {
  const e = inv.event;
  const first = firstOccurrence(e);
  const mine = ctx.myAddresses(accountId);
  const owner = inv.organizer;
  const attendees = Object.values(e.participants ?? {})
    .map((v) => v as Record<string, unknown>)
    .filter((p) => !(p.roles as Record<string, boolean> | undefined)?.owner || (p.roles as Record<string, boolean> | undefined)?.attendee)
    .map((p) => ({ name: typeof p.name === 'string' && p.name ? p.name : null, email: participantEmail(p), status: typeof p.participationStatus === 'string' ? p.participationStatus : 'needs-action' }))
    .filter((p) => p.email);
  const conflicts = first
    ? expandAll(ctx.pim.events(accountId).filter((x) => x.uid !== inv.uid && x.status !== 'cancelled'), { from: first.start, to: first.end })
        .filter((o) => o.event.status !== 'cancelled' && !o.allDay)
        .map((o) => ({ title: o.event.title, start: o.start.toISOString(), end: o.end.toISOString() }))
    : [];
  const problems = [...inv.problems];
  if (!first) problems.push('The invitation has no time that can be shown.');
  const myStatus = inv.myParticipantId ? (existing ? statusIn(existing, mine) : null) ?? inv.myStatus : null;
  return {
    accountId,
    emailId,
    method: inv.method,
    uid: inv.uid,
    title: e.title,
    organizer: owner ? { name: owner.name || null, email: owner.email } : null,
    start: (first?.start ?? new Date(0)).toISOString(),
    end: (first?.end ?? new Date(0)).toISOString(),
    allDay: e.showWithoutTime,
    timeZone: e.timeZone,
    location: locationOf(e),
    recurring: !!e.recurrenceRules?.length,
    attendees,
    myStatus,
    conflicts,
    state: stateOf(inv, existing),
    eventId: existing?.id ?? null,
    problems,
  };
}

function stateOf(inv: Invitation, existing: CalendarEvent | null): InvitationView['state'] {
  if (inv.method === 'REPLY') return 'reply';
  if (inv.method === 'CANCEL') return 'cancelled';
  if (!existing) return 'new';
  const effect = applyInvitation(existing, inv);
  if (effect.kind === 'ignore-older') return 'outdated';
  const held = typeof existing.sequence === 'number' ? existing.sequence : 0;
  return inv.sequence > held ? 'update' : 'known';
}

function statusIn(e: CalendarEvent, mine: Set<string>): string | null {
  for (const v of Object.values(e.participants ?? {})) {
    const p = v as Record<string, unknown>;
    if (mine.has(participantEmail(p).toLowerCase()) && typeof p.participationStatus === 'string') return p.participationStatus;
  }
  return null;
}

/** The series' first occurrence (or the one occurrence), as instants. */
function firstOccurrence(e: CalendarEvent): { start: Date; end: Date } | null {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(e.start)) return null;
  try {
    const from = new Date(localToUtc(e.start, e.showWithoutTime ? 'UTC' : e.timeZone).getTime() - 2 * 86_400_000);
    const to = new Date(from.getTime() + 5 * 366 * 86_400_000);
    const [o] = expandEvent(e, { from, to }, { maxOccurrences: 1 });
    return o ? { start: o.start, end: o.end } : null;
  } catch {
    return null;
  }
}
