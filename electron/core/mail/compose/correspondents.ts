// Recipient suggestions from the correspondent table (migration 4): people the user wrote to
// count three times as much as people who wrote to the user, and both fade with time.
import type { Db } from '../../store/db';

export interface Suggestion {
  name: string | null;
  email: string;
}

const monthMs = 30 * 24 * 3600 * 1000;

/**
 * Contacts whose name starts with the query (or has a word that does) come first, then the
 * correspondents in their order, then contacts matched elsewhere (by address, mid-word). An
 * address appears once, with the contact's name when it has one.
 */
export function suggestRecipients(db: Db, accountId: string, query: string, limit: number, now = Date.now()): Suggestion[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const contacts = contactSuggestions(db, accountId, q, limit);
  const recent = correspondentSuggestions(db, accountId, q, limit, now);
  const seen = new Set<string>();
  const out: Suggestion[] = [];
  const names = new Map(contacts.map((c) => [c.email.toLowerCase(), c.name]));
  for (const s of [...contacts.filter((c) => c.byName), ...recent, ...contacts.filter((c) => !c.byName)]) {
    const key = s.email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: names.get(key) ?? s.name, email: s.email });
  }
  return out.slice(0, limit);
}

/** Cards matching by name or address; each of a card's addresses is one suggestion. */
function contactSuggestions(db: Db, accountId: string, q: string, limit: number): (Suggestion & { byName: boolean })[] {
  const rows = db
    .prepare(
      `SELECT display_name AS name, emails,
              (lower(display_name) LIKE @prefix ESCAPE '\\' OR lower(display_name) LIKE @wordPrefix ESCAPE '\\') AS byName
         FROM contact_card
        WHERE account_id = @accountId AND kind != 'group' AND emails != ''
          AND (instr(lower(display_name), @q) > 0 OR instr(emails, @q) > 0)
          AND NOT EXISTS (SELECT 1 FROM own_address o WHERE o.account_id = @accountId AND instr(' ' || contact_card.emails || ' ', ' ' || o.email || ' ') > 0)
        ORDER BY byName DESC, display_name COLLATE NOCASE
        LIMIT @limit`,
    )
    .all({ accountId, q, prefix: `${escapeLike(q)}%`, wordPrefix: `% ${escapeLike(q)}%`, limit }) as { name: string; emails: string; byName: number }[];
  return rows.flatMap((r) => {
    const all = r.emails.split(' ').filter(Boolean);
    const matching = r.byName || instrName(r.name, q) ? all : all.filter((e) => e.includes(q));
    return matching.map((email) => ({ name: r.name || null, email, byName: r.byName === 1 }));
  });
}

const instrName = (name: string, q: string) => name.toLowerCase().includes(q);

function correspondentSuggestions(db: Db, accountId: string, q: string, limit: number, now: number): Suggestion[] {
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
