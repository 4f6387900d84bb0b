// Schemas for the RFC 8621 objects the sync engine reads. Server data is untrusted: odd
// values fall back to safe defaults instead of failing a whole sync, ids never do.
import { z } from 'zod';
import type { EmailAddress, EmailMeta } from '../store/emails';

const uint = z.number().int().nonnegative();

const Address = z.object({
  name: z.string().nullable().optional().catch(null),
  email: z.string().nullable().optional().catch(null),
});
const Addresses = z.array(z.unknown()).nullable().optional().catch(null).transform((list): EmailAddress[] =>
  (list ?? []).flatMap((a) => {
    const parsed = Address.safeParse(a);
    return parsed.success ? [{ name: parsed.data.name || null, email: parsed.data.email ?? '' }] : [];
  }),
);
const utcDate = z.string().transform((s, ctx) => {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${s.slice(0, 40)}` });
    return z.NEVER;
  }
  return ms;
});
const flags = z.record(z.string(), z.boolean()).catch({});

export const emailMetaProperties = [
  'id', 'threadId', 'mailboxIds', 'keywords', 'receivedAt', 'sentAt', 'size', 'subject', 'from', 'to', 'cc', 'preview', 'hasAttachment',
] as const;
export const emailMutableProperties = ['id', 'keywords', 'mailboxIds'] as const;

export const EmailMetaSchema = z
  .looseObject({
    id: z.string().min(1),
    threadId: z.string().min(1),
    mailboxIds: z.record(z.string(), z.boolean()),
    keywords: flags,
    receivedAt: utcDate,
    sentAt: utcDate.nullable().optional().catch(null),
    size: uint.catch(0),
    subject: z.string().nullable().optional().catch(null),
    from: Addresses,
    to: Addresses,
    cc: Addresses,
    preview: z.string().nullable().optional().catch(''),
    hasAttachment: z.boolean().catch(false),
  })
  .transform((e): EmailMeta => ({
    id: e.id,
    threadId: e.threadId,
    mailboxIds: e.mailboxIds,
    keywords: e.keywords,
    receivedAt: e.receivedAt,
    sentAt: e.sentAt ?? null,
    size: e.size,
    subject: e.subject ?? '',
    from: e.from,
    to: e.to,
    cc: e.cc,
    preview: e.preview ?? '',
    hasAttachment: e.hasAttachment,
  }));

export const EmailMutableSchema = z.looseObject({
  id: z.string().min(1),
  keywords: flags,
  mailboxIds: z.record(z.string(), z.boolean()),
});

export const ChangesResponse = z.looseObject({
  oldState: z.string(),
  newState: z.string(),
  hasMoreChanges: z.boolean(),
  created: z.array(z.string()),
  updated: z.array(z.string()),
  destroyed: z.array(z.string()),
});
export type ChangesResponse = z.output<typeof ChangesResponse>;

export const QueryResponse = z.looseObject({
  queryState: z.string().optional(),
  ids: z.array(z.string()),
  position: uint.optional(),
  total: uint.optional(),
});
