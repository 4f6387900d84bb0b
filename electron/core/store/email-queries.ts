// The reads behind the message list and local search: paged, newest first, one account or
// all of them, flat or one row per conversation.
import type { EmailListItem } from '../../../shared/contract';
import { ftsMatch, type SearchQuery } from '../mail/search-query';
import type { Db } from './db';

export interface ListQuery {
  accountId?: string | undefined;
  mailboxId?: string | undefined;
  role?: string | undefined;
  threads: boolean;
  offset: number;
  limit: number;
}

interface Row {
  accountId: string;
  id: string;
  threadId: string;
  receivedAt: number;
  subject: string;
  fromJson: string;
  toJson: string;
  preview: string;
  unread: number;
  flagged: number;
  hasAttachment: number;
  mailboxIds: string;
  threadSize: number;
}

const columns = `e.account_id AS accountId, e.id, e.thread_id AS threadId, e.received_at AS receivedAt, e.subject,
  e.from_json AS fromJson, e.to_json AS toJson, e.preview, e.flagged, e.has_attachment AS hasAttachment,
  (SELECT json_group_array(x.mailbox_id) FROM email_mailbox x WHERE x.email_pk = e.pk) AS mailboxIds`;

export class EmailQueries {
  constructor(private readonly db: Db) {}

  list(q: ListQuery): { total: number; items: EmailListItem[] } {
    // The mailboxes in view: one by id, or by role in one or every account (the unified inbox).
    const boxes = q.mailboxId
      ? { sql: 'SELECT ? AS account_id, ? AS id', args: [q.accountId, q.mailboxId] }
      : q.accountId
        ? { sql: 'SELECT account_id, id FROM mailbox WHERE account_id = ? AND role = ?', args: [q.accountId, q.role] }
        : { sql: 'SELECT account_id, id FROM mailbox WHERE role = ?', args: [q.role] };
    const inView = `WITH boxes AS (${boxes.sql}),
      inview AS (SELECT m.email_pk, m.received_at FROM email_mailbox m JOIN boxes b ON m.account_id = b.account_id AND m.mailbox_id = b.id)`;
    if (!q.threads) {
      const total = this.db.prepare(`${inView} SELECT count(*) FROM inview`).pluck().get(...boxes.args) as number;
      const rows = this.db
        .prepare(
          `${inView} SELECT ${columns}, e.unread, 1 AS threadSize FROM inview v JOIN email e ON e.pk = v.email_pk
           ORDER BY v.received_at DESC, v.email_pk DESC LIMIT ? OFFSET ?`,
        )
        .all(...boxes.args, q.limit, q.offset) as Row[];
      return { total, items: rows.map((r) => toItem(r, 'local')) };
    }
    const threaded = `${inView},
      ranked AS (
        SELECT v.email_pk, v.received_at,
               count(*) OVER w AS size, max(e.unread) OVER w AS anyUnread,
               row_number() OVER (w ORDER BY v.received_at DESC, v.email_pk DESC) AS rn
          FROM inview v JOIN email e ON e.pk = v.email_pk
        WINDOW w AS (PARTITION BY e.account_id, e.thread_id))`;
    const total = this.db.prepare(`${threaded} SELECT count(*) FROM ranked WHERE rn = 1`).pluck().get(...boxes.args) as number;
    const rows = this.db
      .prepare(
        `${threaded} SELECT ${columns}, r.anyUnread AS unread, r.size AS threadSize FROM ranked r JOIN email e ON e.pk = r.email_pk
         WHERE r.rn = 1 ORDER BY r.received_at DESC, r.email_pk DESC LIMIT ? OFFSET ?`,
      )
      .all(...boxes.args, q.limit, q.offset) as Row[];
    return { total, items: rows.map((r) => toItem(r, 'local')) };
  }

  /** Local search, newest first. `in:` matches a mailbox by role or name. */
  search(q: SearchQuery, accountId: string | undefined, limit: number): EmailListItem[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const match = ftsMatch(q);
    let from = 'email e';
    // Newest first. With text, FTS rowids are received times, so rowid order is date order
    // and FTS5 streams matches in it without sorting them all.
    let order = 'e.received_at DESC';
    if (match) {
      from = 'email_fts f JOIN email e ON e.fts_rowid = f.rowid';
      where.push('email_fts MATCH ?');
      args.push(match);
      order = 'f.rowid DESC';
    }
    if (accountId) where.push('e.account_id = ?'), args.push(accountId);
    if (q.hasAttachment) where.push('e.has_attachment = 1');
    if (q.unread !== null) where.push('e.unread = ?'), args.push(q.unread ? 1 : 0);
    if (q.flagged !== null) where.push('e.flagged = ?'), args.push(q.flagged ? 1 : 0);
    if (q.before !== null) where.push('e.received_at < ?'), args.push(q.before);
    if (q.after !== null) where.push('e.received_at >= ?'), args.push(q.after);
    if (q.inMailbox) {
      where.push(`EXISTS (SELECT 1 FROM email_mailbox x JOIN mailbox mb ON mb.account_id = x.account_id AND mb.id = x.mailbox_id
                   WHERE x.email_pk = e.pk AND (mb.role = lower(?) OR mb.name = ? COLLATE NOCASE))`);
      args.push(q.inMailbox, q.inMailbox);
    }
    const rows = this.db
      .prepare(
        `SELECT ${columns}, e.unread, 1 AS threadSize FROM ${from}
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`,
      )
      .all(...args, limit) as Row[];
    return rows.map((r) => toItem(r, 'local'));
  }

  /** One email with its body, or null if it is not stored (or its body is not fetched yet: bodyStatus 0). */
  detail(accountId: string, id: string): { item: EmailListItem; cc: EmailListItem['from']; sentAt: number | null; size: number; bodyStatus: number; text: string | null; html: string | null; attachments: string } | null {
    const row = this.db
      .prepare(
        `SELECT ${columns}, e.unread, 1 AS threadSize, e.cc_json AS ccJson, e.sent_at AS sentAt, e.size, e.body_status AS bodyStatus,
                b.text_body AS text, b.html_body AS html, coalesce(b.attachments, '[]') AS attachments
           FROM email e LEFT JOIN email_body b ON b.email_pk = e.pk WHERE e.account_id = ? AND e.id = ?`,
      )
      .get(accountId, id) as (Row & { ccJson: string; sentAt: number | null; size: number; bodyStatus: number; text: string | null; html: string | null; attachments: string }) | undefined;
    if (!row) return null;
    return { item: toItem(row, 'local'), cc: JSON.parse(row.ccJson), sentAt: row.sentAt, size: row.size, bodyStatus: row.bodyStatus, text: row.text, html: row.html, attachments: row.attachments };
  }

  /** Which of these ids are stored locally for an account. */
  known(accountId: string, ids: readonly string[]): Set<string> {
    const stmt = this.db.prepare('SELECT 1 FROM email WHERE account_id = ? AND id = ?').pluck();
    return new Set(ids.filter((id) => stmt.get(accountId, id) !== undefined));
  }

  /** Which of these ids local search already covers fully: stored with their body indexed (or never to come). */
  indexed(accountId: string, ids: readonly string[]): Set<string> {
    const stmt = this.db.prepare('SELECT 1 FROM email WHERE account_id = ? AND id = ? AND body_status != 0').pluck();
    return new Set(ids.filter((id) => stmt.get(accountId, id) !== undefined));
  }

  /** The stored emails among these ids, as list items (in no particular order). */
  items(accountId: string, ids: readonly string[]): EmailListItem[] {
    const stmt = this.db.prepare(`SELECT ${columns}, e.unread, 1 AS threadSize FROM email e WHERE e.account_id = ? AND e.id = ?`);
    return ids.flatMap((id) => {
      const row = stmt.get(accountId, id) as Row | undefined;
      return row ? [toItem(row, 'local')] : [];
    });
  }

  /** The stored emails of a conversation (its newest `limit`), oldest first, in whatever mailboxes they are. */
  thread(accountId: string, threadId: string, limit = 500): EmailListItem[] {
    const rows = this.db
      .prepare(
        `SELECT ${columns}, e.unread, 1 AS threadSize FROM email e WHERE e.account_id = ? AND e.thread_id = ?
         ORDER BY e.received_at DESC, e.pk DESC LIMIT ?`,
      )
      .all(accountId, threadId, limit) as Row[];
    return rows.reverse().map((r) => toItem(r, 'local'));
  }
}

function toItem(r: Row, source: 'local' | 'server'): EmailListItem {
  return {
    accountId: r.accountId,
    id: r.id,
    threadId: r.threadId,
    receivedAt: r.receivedAt,
    subject: r.subject,
    from: JSON.parse(r.fromJson),
    to: JSON.parse(r.toJson),
    preview: r.preview,
    unread: r.unread === 1,
    flagged: r.flagged === 1,
    hasAttachment: r.hasAttachment === 1,
    mailboxIds: JSON.parse(r.mailboxIds ?? '[]'),
    threadSize: r.threadSize,
    source,
  };
}
