// Email rows: metadata first, bodies later, mailbox membership, and the full-text index that
// follows them. Callers wrap writes in the transaction that also stores the sync state.
import type { Db } from './db';

export interface EmailAddress {
  name: string | null;
  email: string;
}

export interface EmailMeta {
  id: string;
  threadId: string;
  receivedAt: number;
  sentAt: number | null;
  size: number;
  subject: string;
  from: EmailAddress[];
  to: EmailAddress[];
  cc: EmailAddress[];
  preview: string;
  hasAttachment: boolean;
  keywords: Record<string, boolean>;
  mailboxIds: Record<string, boolean>;
}

export interface EmailBody {
  text: string | null;
  html: string | null;
  attachments: unknown[];
}

export class EmailStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      upsert: db.prepare(`
        INSERT INTO email (account_id, id, thread_id, received_at, sent_at, size, subject, from_json, to_json, cc_json,
                           preview, has_attachment, keywords, unread, flagged)
        VALUES (@accountId, @id, @threadId, @receivedAt, @sentAt, @size, @subject, @from, @to, @cc,
                @preview, @hasAttachment, @keywords, @unread, @flagged)
        ON CONFLICT (account_id, id) DO UPDATE SET
          keywords = excluded.keywords, unread = excluded.unread, flagged = excluded.flagged
        RETURNING pk, body_status AS bodyStatus, fts_rowid AS ftsRowid`),
      pk: db.prepare('SELECT pk, received_at AS receivedAt, fts_rowid AS ftsRowid FROM email WHERE account_id = ? AND id = ?'),
      ftsRowidTaken: db.prepare('SELECT 1 FROM email WHERE fts_rowid = ?'),
      setFtsRowid: db.prepare('UPDATE email SET fts_rowid = ? WHERE pk = ?'),
      setKeywords: db.prepare('UPDATE email SET keywords = ?, unread = ?, flagged = ? WHERE pk = ?'),
      clearMailboxes: db.prepare('DELETE FROM email_mailbox WHERE email_pk = ?'),
      addMailbox: db.prepare('INSERT OR IGNORE INTO email_mailbox (account_id, mailbox_id, received_at, email_pk) VALUES (?, ?, ?, ?)'),
      ftsUpsert: db.prepare('INSERT OR REPLACE INTO email_fts (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)'),
      ftsDelete: db.prepare('DELETE FROM email_fts WHERE rowid = ?'),
      delete: db.prepare('DELETE FROM email WHERE pk = ?'),
      pendingBodies: db.prepare('SELECT id FROM email WHERE account_id = ? AND body_status = 0 ORDER BY received_at DESC LIMIT ?').pluck(),
      saveBody: db.prepare('INSERT OR REPLACE INTO email_body (email_pk, text_body, html_body, attachments) VALUES (?, ?, ?, ?)'),
      setBodyStatus: db.prepare('UPDATE email SET body_status = ? WHERE pk = ?'),
      mutable: db.prepare(
        `SELECT e.keywords, (SELECT json_group_object(x.mailbox_id, json('true')) FROM email_mailbox x WHERE x.email_pk = e.pk) AS mailboxIds
           FROM email e WHERE e.account_id = ? AND e.id = ?`,
      ),
      adjustCounts: db.prepare(
        'UPDATE mailbox SET total_emails = max(0, total_emails + ?), unread_emails = max(0, unread_emails + ?) WHERE account_id = ? AND id = ?',
      ),
      ftsSource: db.prepare('SELECT subject, from_json AS f, to_json AS t, cc_json AS c FROM email WHERE pk = ?'),
    };
  }

  /**
   * Stores new emails (or refreshes the mutable part of known ones). `index: false` leaves
   * full-text indexing to the body fetch that follows (a first sync does this: indexing twice
   * would nearly double its write cost).
   */
  upsert(accountId: string, emails: readonly EmailMeta[], opts: { index?: boolean } = {}): void {
    const index = opts.index ?? true;
    for (const e of emails) {
      const row = this.stmts.upsert.get({
        accountId,
        id: e.id,
        threadId: e.threadId,
        receivedAt: e.receivedAt,
        sentAt: e.sentAt,
        size: e.size,
        subject: e.subject,
        from: JSON.stringify(e.from),
        to: JSON.stringify(e.to),
        cc: JSON.stringify(e.cc),
        preview: e.preview,
        hasAttachment: e.hasAttachment ? 1 : 0,
        keywords: JSON.stringify(e.keywords),
        unread: e.keywords.$seen ? 0 : 1,
        flagged: e.keywords.$flagged ? 1 : 0,
      }) as { pk: number; bodyStatus: number; ftsRowid: number | null };
      this.setMailboxes(accountId, row.pk, e.receivedAt, e.mailboxIds);
      if (index && row.ftsRowid === null) {
        this.stmts.ftsUpsert.run(this.assignFtsRowid(row.pk, e.receivedAt), e.subject, addressText(e.from), addressText([...e.to, ...e.cc]), '');
      }
    }
  }

  /** Applies a change to the two mutable properties of an email (RFC 8621 §4.1). Returns false if unknown. */
  updateMutable(accountId: string, id: string, keywords: Record<string, boolean>, mailboxIds: Record<string, boolean>): boolean {
    const row = this.stmts.pk.get(accountId, id) as { pk: number; receivedAt: number } | undefined;
    if (!row) return false;
    this.stmts.setKeywords.run(JSON.stringify(keywords), keywords.$seen ? 0 : 1, keywords.$flagged ? 1 : 0, row.pk);
    this.setMailboxes(accountId, row.pk, row.receivedAt, mailboxIds);
    return true;
  }

  /** The mutable part of a stored email, or null if it is not stored. */
  mutable(accountId: string, id: string): { keywords: Record<string, boolean>; mailboxIds: Record<string, boolean> } | null {
    const row = this.stmts.mutable.get(accountId, id) as { keywords: string; mailboxIds: string | null } | undefined;
    if (!row) return null;
    return { keywords: JSON.parse(row.keywords) as Record<string, boolean>, mailboxIds: JSON.parse(row.mailboxIds ?? '{}') as Record<string, boolean> };
  }

  /**
   * A local change (the user's, before the server has it): writes the email and adjusts the
   * affected mailboxes' counts, so the sidebar is right at once.
   */
  applyLocal(accountId: string, id: string, change: { keywords?: Record<string, boolean>; mailboxIds?: Record<string, boolean> }): void {
    const before = this.mutable(accountId, id);
    if (!before) return;
    const after = { keywords: change.keywords ?? before.keywords, mailboxIds: change.mailboxIds ?? before.mailboxIds };
    const adjust = this.stmts.adjustCounts;
    for (const mailboxId of Object.keys(before.mailboxIds)) adjust.run(-1, before.keywords.$seen ? 0 : -1, accountId, mailboxId);
    for (const mailboxId of Object.keys(after.mailboxIds)) adjust.run(1, after.keywords.$seen ? 0 : 1, accountId, mailboxId);
    this.updateMutable(accountId, id, after.keywords, after.mailboxIds);
  }

  /** A local deletion: removes the email and takes it out of its mailboxes' counts. */
  removeLocal(accountId: string, id: string): void {
    this.applyLocal(accountId, id, { mailboxIds: {} });
    this.remove(accountId, [id]);
  }

  remove(accountId: string, ids: readonly string[]): void {
    for (const id of ids) {
      const row = this.stmts.pk.get(accountId, id) as { pk: number; ftsRowid: number | null } | undefined;
      if (!row) continue;
      if (row.ftsRowid !== null) this.stmts.ftsDelete.run(row.ftsRowid);
      this.stmts.delete.run(row.pk);
    }
  }

  /** Newest first: the mail a user is likeliest to open or search for. */
  withoutBody(accountId: string, limit: number): string[] {
    return this.stmts.pendingBodies.all(accountId, limit) as string[];
  }

  /** Stores a fetched body (null: the server could not give one) and indexes the email with it. */
  saveBody(accountId: string, id: string, body: EmailBody | null): void {
    const row = this.stmts.pk.get(accountId, id) as { pk: number; receivedAt: number; ftsRowid: number | null } | undefined;
    if (!row) return;
    if (body) this.stmts.saveBody.run(row.pk, body.text, body.html, JSON.stringify(body.attachments));
    this.stmts.setBodyStatus.run(body ? 1 : 2, row.pk);
    // Indexed now in any case, so an email whose body never comes is still found by subject and address.
    const src = this.stmts.ftsSource.get(row.pk) as { subject: string; f: string; t: string; c: string };
    const recipients = [...(JSON.parse(src.t) as EmailAddress[]), ...(JSON.parse(src.c) as EmailAddress[])];
    const ftsRowid = row.ftsRowid ?? this.assignFtsRowid(row.pk, row.receivedAt);
    this.stmts.ftsUpsert.run(ftsRowid, src.subject, addressText(JSON.parse(src.f) as EmailAddress[]), addressText(recipients), body?.text ?? '');
  }

  /**
   * The FTS rowid is the received time (ms) with room for 1024 emails per millisecond, so
   * FTS5 can return matches newest first and a search stops after the first page of hits
   * instead of sorting every match.
   */
  private assignFtsRowid(pk: number, receivedAt: number): number {
    let candidate = Math.max(0, receivedAt) * 1024 + (pk % 1024);
    while (this.stmts.ftsRowidTaken.get(candidate)) candidate++;
    this.stmts.setFtsRowid.run(candidate, pk);
    return candidate;
  }

  private setMailboxes(accountId: string, pk: number, receivedAt: number, mailboxIds: Record<string, boolean>): void {
    this.stmts.clearMailboxes.run(pk);
    for (const [mailboxId, on] of Object.entries(mailboxIds)) if (on) this.stmts.addMailbox.run(accountId, mailboxId, receivedAt, pk);
  }
}

function addressText(list: readonly EmailAddress[]): string {
  return list.map((a) => `${a.name ?? ''} ${a.email}`.trim()).join(' ');
}
