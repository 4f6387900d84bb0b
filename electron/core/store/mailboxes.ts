// Mailbox rows for each account, as last synced from the server.
import type { MailboxView } from '../../../shared/contract';
import type { Db } from './db';

export interface MailboxRecord {
  id: string;
  name: string;
  parentId: string | null;
  role: string | null;
  sortOrder: number;
  totalEmails: number;
  unreadEmails: number;
  totalThreads: number;
  unreadThreads: number;
  isSubscribed: boolean;
  myRights: Record<string, boolean> | null;
}

export class MailboxStore {
  constructor(private readonly db: Db) {}

  list(accountId: string): MailboxView[] {
    const rows = this.db
      .prepare(
        `SELECT account_id AS accountId, id, name, parent_id AS parentId, role, sort_order AS sortOrder,
                total_emails AS totalEmails, unread_emails AS unreadEmails, total_threads AS totalThreads,
                unread_threads AS unreadThreads, is_subscribed AS isSubscribed
           FROM mailbox WHERE account_id = ? ORDER BY sort_order, name`,
      )
      .all(accountId) as (Omit<MailboxView, 'isSubscribed'> & { isSubscribed: number })[];
    return rows.map((r) => ({ ...r, isSubscribed: r.isSubscribed === 1 }));
  }

  ids(accountId: string): string[] {
    return (this.db.prepare('SELECT id FROM mailbox WHERE account_id = ?').pluck().all(accountId) as string[]);
  }

  upsert(accountId: string, m: MailboxRecord): void {
    this.db
      .prepare(
        `INSERT INTO mailbox (account_id, id, name, parent_id, role, sort_order, total_emails, unread_emails,
                              total_threads, unread_threads, is_subscribed, my_rights)
         VALUES (@accountId, @id, @name, @parentId, @role, @sortOrder, @totalEmails, @unreadEmails,
                 @totalThreads, @unreadThreads, @isSubscribed, @myRights)
         ON CONFLICT (account_id, id) DO UPDATE SET
           name = excluded.name, parent_id = excluded.parent_id, role = excluded.role,
           sort_order = excluded.sort_order, total_emails = excluded.total_emails,
           unread_emails = excluded.unread_emails, total_threads = excluded.total_threads,
           unread_threads = excluded.unread_threads, is_subscribed = excluded.is_subscribed,
           my_rights = excluded.my_rights`,
      )
      .run({
        ...m,
        accountId,
        isSubscribed: m.isSubscribed ? 1 : 0,
        myRights: m.myRights ? JSON.stringify(m.myRights) : null,
      });
  }

  remove(accountId: string, ids: readonly string[]): void {
    const stmt = this.db.prepare('DELETE FROM mailbox WHERE account_id = ? AND id = ?');
    for (const id of ids) stmt.run(accountId, id);
  }
}
