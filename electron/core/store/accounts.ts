// Account rows. Credentials are not here: they live in the SecretStore under the account id.
import type { Db } from './db';

export interface AccountRow {
  id: string;
  name: string;
  email: string;
  username: string;
  authKind: 'basic' | 'bearer';
  sessionUrl: string;
  jmapAccountId: string;
  sessionJson: string | null;
  createdAt: number;
}

const columns = `id, name, email, username, auth_kind AS authKind, session_url AS sessionUrl,
  jmap_account_id AS jmapAccountId, session_json AS sessionJson, created_at AS createdAt`;

export class AccountStore {
  constructor(private readonly db: Db) {}

  list(): AccountRow[] {
    return this.db.prepare(`SELECT ${columns} FROM account ORDER BY created_at, id`).all() as AccountRow[];
  }

  get(id: string): AccountRow | null {
    return (this.db.prepare(`SELECT ${columns} FROM account WHERE id = ?`).get(id) as AccountRow | undefined) ?? null;
  }

  findByServerAccount(sessionUrl: string, jmapAccountId: string): AccountRow | null {
    const row = this.db
      .prepare(`SELECT ${columns} FROM account WHERE session_url = ? AND jmap_account_id = ?`)
      .get(sessionUrl, jmapAccountId) as AccountRow | undefined;
    return row ?? null;
  }

  insert(row: AccountRow): void {
    this.db
      .prepare(
        `INSERT INTO account (id, name, email, username, auth_kind, session_url, jmap_account_id, session_json, created_at)
         VALUES (@id, @name, @email, @username, @authKind, @sessionUrl, @jmapAccountId, @sessionJson, @createdAt)`,
      )
      .run(row);
  }

  saveSession(id: string, sessionJson: string): void {
    this.db.prepare('UPDATE account SET session_json = ? WHERE id = ?').run(sessionJson, id);
  }

  /** Deletes the account and, by cascade, everything synced for it. */
  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM account WHERE id = ?').run(id).changes > 0;
  }
}
