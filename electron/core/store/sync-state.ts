// The JMAP state string per account and type. Written only inside the transaction that
// writes the objects it describes, so the two can never disagree after a crash.
import type { Db } from './db';

export class SyncStateStore {
  constructor(private readonly db: Db) {}

  get(accountId: string, type: string): string | null {
    const row = this.db.prepare('SELECT state FROM sync_state WHERE account_id = ? AND type = ?').get(accountId, type) as
      | { state: string }
      | undefined;
    return row?.state ?? null;
  }

  /** Call only inside the transaction that writes the matching objects. */
  set(accountId: string, type: string, state: string): void {
    this.db
      .prepare('INSERT INTO sync_state (account_id, type, state) VALUES (?, ?, ?) ON CONFLICT (account_id, type) DO UPDATE SET state = excluded.state')
      .run(accountId, type, state);
  }
}
