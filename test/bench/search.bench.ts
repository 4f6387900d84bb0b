// bench:search — local search over N messages with bodies, p50 and p95 per query and overall.
// The store is filled straight from the seed generator (no server): this measures SQLite + FTS5.
//   npm run bench:search [-- --count 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, mb, ms, print } from './bench-env';
import { generateMessage } from '../support/seed';
import { openDatabase } from '../../electron/core/store/db';
import { AccountStore } from '../../electron/core/store/accounts';
import { EmailStore, type EmailAddress, type EmailMeta } from '../../electron/core/store/emails';
import { EmailQueries } from '../../electron/core/store/email-queries';
import { parseSearch } from '../../electron/core/mail/search-query';

const count = Number(arg('count', '100000'));
const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
const db = openDatabase(join(dir, 'mail.db'));
new AccountStore(db).insert({ id: 'a', name: 'a', email: 'a@example.com', username: 'a', authKind: 'basic', sessionUrl: 'http://x/', jmapAccountId: 'a', sessionJson: null, createdAt: 0 });
const emails = new EmailStore(db);

/** Just enough RFC 5322 to fill the columns from the generator's output. */
function toMeta(i: number): { meta: EmailMeta; text: string } {
  const m = generateMessage(i, 'alice@example.com', 3);
  const [head, ...rest] = m.raw.split('\r\n\r\n');
  const header = (name: string) => head!.match(new RegExp(`^${name}: (.*)$`, 'mi'))?.[1] ?? '';
  const addr = (v: string): EmailAddress[] => {
    const x = v.match(/^(.*?)\s*<([^>]+)>$/);
    return x ? [{ name: x[1] || null, email: x[2]! }] : v ? [{ name: null, email: v }] : [];
  };
  const text = rest.join('\n').replace(/--[ab]-.*|Content-[^\n]*/g, '').replace(/<[^>]+>/g, ' ');
  return {
    meta: {
      id: `M${i}`, threadId: `T${Math.floor(i / 4)}`, receivedAt: Date.parse(m.receivedAt), sentAt: null, size: m.raw.length,
      subject: header('Subject'), from: addr(header('From')), to: addr(header('To')), cc: [], preview: text.slice(0, 120),
      hasAttachment: i % 10 === 3, keywords: m.keywords, mailboxIds: { inbox: true },
    },
    text,
  };
}

const t0 = performance.now();
for (let start = 0; start < count; start += 1000) {
  const batch = Array.from({ length: Math.min(1000, count - start) }, (_, k) => toMeta(start + k));
  db.transaction(() => {
    emails.upsert('a', batch.map((b) => b.meta));
    for (const b of batch) emails.saveBody('a', b.meta.id, { text: b.text, html: null, attachments: [] });
  })();
}
const loadSeconds = (performance.now() - t0) / 1000;

const queries = new EmailQueries(db);
const cases = ['lisbon', 'from:grace', 'subject:invoice', '"token-4242"', 'quick brown fox', 'is:unread report', 'has:attachment budget', 'kitch', 'from:bob to:alice coffee', 'after:2026-06-01 migration'];
const all: number[] = [];
const rows: [string, string][] = [];
for (const c of cases) {
  const q = parseSearch(c);
  const times: number[] = [];
  let hits = 0;
  for (let r = 0; r < 30; r++) {
    const s = performance.now();
    hits = queries.search(q, undefined, 50).length;
    times.push(performance.now() - s);
  }
  times.sort((x, y) => x - y);
  all.push(...times);
  rows.push([c, `p50 ${times[15]!.toFixed(2)} ms, p95 ${times[28]!.toFixed(2)} ms, ${hits} shown`]);
}
all.sort((x, y) => x - y);
const p = (q: number) => all[Math.min(all.length - 1, Math.floor(q * all.length))]!;
const size = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
db.close();
rmSync(dir, { recursive: true, force: true });
print(`bench:search — ${count} messages with bodies (loaded in ${loadSeconds.toFixed(1)} s, database ${mb(size)})`, [
  ...rows,
  ['overall (goal: p95 < 30 ms)', `p50 ${ms(p(0.5))}, p95 ${p(0.95).toFixed(1)} ms`],
]);
