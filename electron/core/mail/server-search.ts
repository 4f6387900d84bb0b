// Search on the server (Email/query with a filter) for what the local copy cannot answer yet:
// mail whose bodies are not fetched, or an account still in its first sync.
import { z } from 'zod';
import type { EmailListItem } from '../../../shared/contract';
import type { JmapClient } from '../jmap/client';
import { EmailMetaSchema, QueryResponse, emailMetaProperties } from '../jmap/mail-schemas';
import type { SearchQuery } from './search-query';

/** The RFC 8621 §4.4.1 filter for a parsed query; null when there is nothing to ask. */
export function serverFilter(q: SearchQuery, mailboxIdForName: (name: string) => string | null): Record<string, unknown> | null {
  const conditions: Record<string, unknown>[] = [];
  for (const t of q.text) conditions.push({ text: t });
  for (const p of q.phrases) conditions.push({ text: `"${p}"` });
  for (const f of q.from) conditions.push({ from: f });
  for (const t of q.to) conditions.push({ to: t });
  for (const s of q.subject) conditions.push({ subject: s });
  if (q.hasAttachment) conditions.push({ hasAttachment: true });
  if (q.unread === true) conditions.push({ notKeyword: '$seen' });
  if (q.unread === false) conditions.push({ hasKeyword: '$seen' });
  if (q.flagged === true) conditions.push({ hasKeyword: '$flagged' });
  if (q.flagged === false) conditions.push({ notKeyword: '$flagged' });
  if (q.before !== null) conditions.push({ before: new Date(q.before).toISOString().replace(/\.\d+Z$/, 'Z') });
  if (q.after !== null) conditions.push({ after: new Date(q.after).toISOString().replace(/\.\d+Z$/, 'Z') });
  if (q.inMailbox) {
    const id = mailboxIdForName(q.inMailbox);
    if (id) conditions.push({ inMailbox: id });
  }
  if (!conditions.length) return null;
  return conditions.length === 1 ? conditions[0]! : { operator: 'AND', conditions };
}

const GetMeta = z.looseObject({ list: z.array(EmailMetaSchema) });

/** Runs the query on the server and returns the results not already in `known`, labelled "server". */
export async function searchServer(
  client: JmapClient,
  localId: string,
  accountId: string,
  filter: Record<string, unknown>,
  limit: number,
  isKnown: (ids: string[]) => Set<string>,
): Promise<EmailListItem[]> {
  const batch = client.batch();
  const query = batch.call('Email/query', { accountId, filter, sort: [{ property: 'receivedAt', isAscending: false }], limit }, QueryResponse);
  const get = batch.call('Email/get', { accountId, '#ids': query.ref('/ids'), properties: emailMetaProperties }, GetMeta);
  const result = await batch.send();
  const known = isKnown(result.get(query).ids);
  return result
    .get(get)
    .list.filter((e) => !known.has(e.id))
    .map((e) => ({
      accountId: localId,
      id: e.id,
      threadId: e.threadId,
      receivedAt: e.receivedAt,
      subject: e.subject,
      from: e.from,
      to: e.to,
      preview: e.preview,
      unread: !e.keywords.$seen,
      flagged: !!e.keywords.$flagged,
      hasAttachment: e.hasAttachment,
      mailboxIds: Object.keys(e.mailboxIds).filter((k) => e.mailboxIds[k]),
      threadSize: 1,
      source: 'server' as const,
    }));
}
