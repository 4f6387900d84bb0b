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
  /** Whether new mail in this account raises system notifications. */
  notify: boolean;
}

const columns = `id, name, email, username, auth_kind AS authKind, session_url AS sessionUrl,
  jmap_account_id AS jmapAccountId, session_json AS sessionJson, created_at AS createdAt, notify`;

/** A new account notifies by default. */
export type NewAccountRow = Omit<AccountRow, 'notify'>;

type StoredRow = Omit<AccountRow, 'notify'> & { notify: number };
const fromStored = (r: StoredRow): AccountRow => ({ ...r, notify: r.notify !== 0 });

export class AccountStore {
  constructor(private readonly db: Db) {}

  list(): AccountRow[] {
    return (this.db.prepare(`SELECT ${columns} FROM account ORDER BY created_at, id`).all() as StoredRow[]).map(fromStored);
  }

  get(id: string): AccountRow | null {
    const row = this.db.prepare(`SELECT ${columns} FROM account WHERE id = ?`).get(id) as StoredRow | undefined;
    return row ? fromStored(row) : null;
  }

  findByServerAccount(sessionUrl: string, jmapAccountId: string): AccountRow | null {
    const row = this.db
      .prepare(`SELECT ${columns} FROM account WHERE session_url = ? AND jmap_account_id = ?`)
      .get(sessionUrl, jmapAccountId) as StoredRow | undefined;
    return row ? fromStored(row) : null;
  }

  insert(row: NewAccountRow): void {
    this.db
      .prepare(
        `INSERT INTO account (id, name, email, username, auth_kind, session_url, jmap_account_id, session_json, created_at)
         VALUES (@id, @name, @email, @username, @authKind, @sessionUrl, @jmapAccountId, @sessionJson, @createdAt)`,
      )
      .run(row);
  }

  setNotify(id: string, notify: boolean): boolean {
    return this.db.prepare('UPDATE account SET notify = ? WHERE id = ?').run(notify ? 1 : 0, id).changes > 0;
  }

  saveSession(id: string, sessionJson: string): void {
    this.db.prepare('UPDATE account SET session_json = ? WHERE id = ?').run(sessionJson, id);
  }

  /** Deletes the account and, by cascade, everything synced for it. */
  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM account WHERE id = ?').run(id).changes > 0;
  }
}
