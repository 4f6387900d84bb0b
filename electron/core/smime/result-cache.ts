// Per-message cache of S/MIME outcomes (table smime_result, migration 6). Only the status
// summary is stored, never decrypted content: plaintext must not reach the disk.
import type { Db } from '../store/db';
import type { SmimeReadSummary } from './types';

export interface CachedSmimeResult {
  summary: SmimeReadSummary;
  /** Epoch milliseconds. */
  checkedAt: number;
}

export class SmimeResultCache {
  constructor(private readonly db: Db) {}

  get(accountId: string, emailId: string): CachedSmimeResult | null {
    const row = this.db.prepare('SELECT json, checked_at FROM smime_result WHERE account_id = ? AND email_id = ?').get(accountId, emailId) as
      | { json: string; checked_at: number }
      | undefined;
    if (!row) return null;
    try {
      const summary = JSON.parse(row.json) as SmimeReadSummary;
      if (!Array.isArray(summary.layers)) return null;
      return { summary, checkedAt: row.checked_at };
    } catch {
      return null; // a damaged row is a cache miss
    }
  }

  /** Stores the summary; pass `{ signature, encrypted, layers }` only — any `content` is dropped. */
  put(accountId: string, emailId: string, result: SmimeReadSummary, checkedAt = Date.now()): void {
    const summary: SmimeReadSummary = { signature: result.signature, encrypted: result.encrypted, layers: result.layers };
    this.db
      .prepare('INSERT INTO smime_result (account_id, email_id, json, checked_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, email_id) DO UPDATE SET json = excluded.json, checked_at = excluded.checked_at')
      .run(accountId, emailId, JSON.stringify(summary), checkedAt);
  }

  delete(accountId: string, emailId: string): void {
    this.db.prepare('DELETE FROM smime_result WHERE account_id = ? AND email_id = ?').run(accountId, emailId);
  }

  /** Forget every result (of one account, or all): needed when trust anchors or keys change. */
  clear(accountId?: string): void {
    if (accountId === undefined) this.db.prepare('DELETE FROM smime_result').run();
    else this.db.prepare('DELETE FROM smime_result WHERE account_id = ?').run(accountId);
  }
}
