// Recipient suggestions from the correspondent table (migration 4): people the user wrote to
// count three times as much as people who wrote to the user, and both fade with time.
import type { Db } from '../../store/db';

export interface Suggestion {
  name: string | null;
  email: string;
}

const monthMs = 30 * 24 * 3600 * 1000;

export function suggestRecipients(db: Db, accountId: string, query: string, limit: number, now = Date.now()): Suggestion[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  // instr() rather than LIKE: the query may hold % or _; the table is small enough to scan.
  return db
    .prepare(
      `SELECT email, name FROM correspondent
        WHERE account_id = @accountId
          AND (instr(lower(email), @q) > 0 OR instr(lower(coalesce(name, '')), @q) > 0)
          AND lower(email) NOT IN (SELECT email FROM own_address WHERE account_id = @accountId)
        ORDER BY (lower(email) LIKE @prefix ESCAPE '\\' OR lower(coalesce(name, '')) LIKE @prefix ESCAPE '\\'
                  OR lower(coalesce(name, '')) LIKE @wordPrefix ESCAPE '\\') DESC,
                 (3.0 * sent + received) / (1.0 + max(0, @now - last_at) / ${monthMs}.0) DESC,
                 last_at DESC
        LIMIT @limit`,
    )
    .all({ accountId, q, prefix: `${escapeLike(q)}%`, wordPrefix: `% ${escapeLike(q)}%`, now, limit }) as Suggestion[];
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
