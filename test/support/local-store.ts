// Reads the client's SQLite copy the way the tests compare it with the server.
import Database from 'better-sqlite3';
import type { ServerEmailState } from './jmap-raw';

export function localEmails(dbFile: string, accountId: string): ServerEmailState[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT e.id, e.keywords, (SELECT json_group_object(m.mailbox_id, json('true')) FROM email_mailbox m WHERE m.email_pk = e.pk) AS mailboxIds
           FROM email e WHERE e.account_id = ? ORDER BY e.id`,
      )
      .all(accountId) as { id: string; keywords: string; mailboxIds: string }[];
    return rows
      .map((r) => ({ id: r.id, keywords: JSON.parse(r.keywords) as Record<string, boolean>, mailboxIds: JSON.parse(r.mailboxIds) as Record<string, boolean> }))
      .sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    db.close();
  }
}
