// Sending one message, exactly once, from the outbox.
//
// A submission is not idempotent: sending twice delivers twice. Yet the outbox must retry,
// since an answer can be lost after the server acted on the request (a dropped connection, a
// crash of this app). So each send carries a Message-ID chosen here, before the first attempt,
// and stored with the queued action. Every retry (attempts > 0) first asks the server whether
// an email with that Message-ID exists:
//  - one without $draft: the submission happened (onSuccessUpdateEmail removed $draft in the
//    same request), so this send is done;
//  - one still a draft with an EmailSubmission (a delayed one, on servers that keep them):
//    done as well;
//  - one still a draft and no submission: the create happened but the submission did not, so
//    that email is submitted (not a new one);
//  - none: nothing reached the server; send from scratch.
// Create and submit travel in one request, so the only window left is the server crashing
// between applying the submission and onSuccessUpdateEmail, which it processes together.
import { z } from 'zod';
import type { ComposeDraft } from '../../../../shared/contract';
import type { JmapClient } from '../../jmap/client';
import { capabilities } from '../../jmap/session';
import { buildEmail, envelope } from './message';
import type { Addr } from './quote';

export interface SendAction {
  kind: 'send';
  draft: ComposeDraft;
  from: Addr;
  identityId: string;
  /** Chosen before the first attempt; how a retry recognises an earlier one (no brackets). */
  messageId: string;
  /** The saved draft this replaces, destroyed with the create; null if never saved. */
  draftId: string | null;
  draftsMailboxId: string;
  sentMailboxId: string | null;
}

const SetError = z.looseObject({ type: z.string(), description: z.string().nullable().optional() });
export const SetResponse = z.looseObject({
  created: z.record(z.string(), z.looseObject({ id: z.string() })).nullable().optional(),
  notCreated: z.record(z.string(), SetError).nullable().optional(),
});
const Query = z.looseObject({ ids: z.array(z.string()) });
const Found = z.looseObject({ list: z.array(z.looseObject({ id: z.string(), keywords: z.record(z.string(), z.boolean()).catch({}) })) });

export const submissionUsing = [capabilities.mail, capabilities.submission];
const using = submissionUsing;

export interface SendResult {
  /** The server's reasons for refusing; none = sent. */
  problems: string[];
  /** An email created by this attempt that was not submitted: it is now the draft. */
  createdDraftId: string | null;
}

export async function sendMessage(client: JmapClient, accountId: string, action: SendAction, isRetry: boolean): Promise<SendResult> {
  let existing: string | null = null;
  if (isRetry) {
    const earlier = await findEarlierAttempt(client, accountId, action.messageId);
    if (earlier === 'sent') return { problems: [], createdDraftId: null };
    existing = earlier;
  }
  const batch = client.batch(using);
  const destroy = action.draftId && action.draftId !== existing ? [action.draftId] : [];
  const created = existing
    ? null
    : batch.call(
        'Email/set',
        { accountId, create: { draft: buildEmail(action.draft, action.from, { mailboxId: action.draftsMailboxId, messageId: action.messageId, includeBcc: false }) }, ...(destroy.length ? { destroy } : {}) },
        SetResponse,
      );
  const sentPatch: Record<string, unknown> = { 'keywords/$draft': null };
  if (action.sentMailboxId && action.sentMailboxId !== action.draftsMailboxId) {
    sentPatch[`mailboxIds/${action.draftsMailboxId}`] = null;
    sentPatch[`mailboxIds/${action.sentMailboxId}`] = true;
  }
  const submitted = batch.call(
    'EmailSubmission/set',
    {
      accountId,
      create: { send: { identityId: action.identityId, emailId: existing ?? '#draft', envelope: envelope(action.draft, action.from) } },
      onSuccessUpdateEmail: { '#send': sentPatch },
    },
    SetResponse,
  );
  const result = await batch.send();
  let createdId = existing;
  if (created) {
    const res = result.get(created);
    createdId = res.created?.draft?.id ?? null;
    if (!createdId) return { problems: reasons(res.notCreated), createdDraftId: null };
  }
  const sub = result.get(submitted);
  if (!sub.created?.send) return { problems: reasons(sub.notCreated), createdDraftId: createdId };
  return { problems: [], createdDraftId: null };
}

/** 'sent', the id of an unsubmitted earlier create, or null when nothing reached the server. */
export async function findEarlierAttempt(client: JmapClient, accountId: string, messageId: string): Promise<'sent' | string | null> {
  const batch = client.batch(using);
  const query = batch.call('Email/query', { accountId, filter: { header: ['Message-ID', `<${messageId}>`] } }, Query);
  const got = batch.call('Email/get', { accountId, '#ids': query.ref('/ids'), properties: ['id', 'keywords'] }, Found);
  const result = await batch.send();
  const list = result.get(got).list;
  if (!list.length) return null;
  // A copy without $draft: the Sent copy, or a delivered one when the user wrote to themselves.
  if (list.some((e) => !e.keywords.$draft)) return 'sent';
  const ids = result.get(query).ids;
  const subs = await client.call('EmailSubmission/query', { accountId, filter: { emailIds: ids } }, Query, using);
  return subs.ids.length ? 'sent' : (list[0]?.id ?? null);
}

/** Marks the original $answered or $forwarded. Only a flag: failing it must not resend. */
export async function markOrigin(client: JmapClient, accountId: string, origin: ComposeDraft['origin']): Promise<void> {
  if (!origin) return;
  const keyword = origin.kind === 'reply' ? '$answered' : '$forwarded';
  await client.call('Email/set', { accountId, update: { [origin.emailId]: { [`keywords/${keyword}`]: true } } }).catch(() => {});
}

export function reasons(map: Record<string, { type: string; description?: string | null | undefined }> | null | undefined): string[] {
  const list = Object.values(map ?? {}).map((e) => explain(e.type, e.description ?? null));
  return list.length ? list : ['the server did not say why'];
}

function explain(type: string, description: string | null): string {
  const known: Record<string, string> = {
    forbiddenFrom: 'you may not send from this address',
    forbiddenToSend: 'this account may not send mail',
    forbiddenMailFrom: 'you may not send from this address',
    tooManyRecipients: 'too many recipients',
    noRecipients: 'there are no recipients',
    invalidRecipients: 'a recipient address is invalid',
    tooLarge: 'the message is too large',
    overQuota: 'the account is over its quota',
    blobNotFound: 'an attachment is no longer on the server; attach it again',
  };
  return known[type] ? `${known[type]}${description ? ` (${description})` : ''}` : description || type;
}
