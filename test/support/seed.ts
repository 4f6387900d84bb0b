// A seeded, deterministic generator of realistic mail, and a fast loader into Cyrus (one
// request per batch: Cyrus' Blob/set creates the raw messages, Email/import files them).
// Tests, benchmarks and the demo share it, so the same seed always means the same mailbox.
import { cyrusEnv } from './cyrus';
import { basic } from './jmap-raw';

export interface SeedOptions {
  count: number;
  seed?: number;
  /** Mailbox role or id to file into. */
  mailbox?: string;
  /** Distinguishes otherwise identical runs (Cyrus refuses the same bytes twice per account). */
  salt?: string;
  batch?: number;
  /** Index of the first message, to grow a mailbox in several calls. */
  start?: number;
}

const people = [
  ['Bob Builder', 'bob@example.com'], ['Carol Danvers', 'carol@example.com'], ['Dave Grohl', 'dave@example.net'],
  ['Erin Brockovich', 'erin@example.org'], ['Frank Ocean', 'frank@example.com'], ['Grace Hopper', 'grace@navy.example'],
  ['Heidi Klum', 'heidi@example.de'], ['Ivan Ilyich', 'ivan@example.ru'], ['Judy Hopps', 'judy@zootopia.example'],
] as const;
const topics = ['Quarterly report', 'Lunch on Friday?', 'Release 2.4 checklist', 'Invoice #4471', 'Trip to Lisbon', 'Design review notes',
  'Server migration', 'Welcome aboard', 'Budget 2027', 'Re-org announcement', 'Conference talk draft', 'Bike repair'];
const words = 'the quick brown fox jumps over lazy dogs while project deadlines loom and coffee brews in the kitchen near the window'.split(' ');

/** mulberry32: tiny, fast, good enough for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedMessage {
  raw: string;
  receivedAt: string;
  keywords: Record<string, true>;
}

const epoch = Date.UTC(2026, 10, 1, 12, 0, 0);

export function generateMessage(i: number, to: string, seed = 1, salt = ''): GeneratedMessage {
  const r = rng(seed * 1_000_003 + i);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const [name, email] = pick(people);
  const thread = Math.floor(i / 4);
  const inThread = i % 4;
  const topic = topics[thread % topics.length]!;
  const date = new Date(epoch - i * 37 * 60_000);
  const msgId = (t: number, k: number) => `<seed${seed}-${t}-${k}${salt ? `-${salt}` : ''}@example.com>`;
  const body = Array.from({ length: 20 + Math.floor(r() * 60) }, () => pick(words)).join(' ');
  const headers = [
    `From: ${name} <${email}>`,
    `To: ${to}`,
    `Subject: ${inThread ? 'Re: ' : ''}${topic} (${thread})`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${msgId(thread, inThread)}`,
    ...(inThread ? [`In-Reply-To: ${msgId(thread, inThread - 1)}`, `References: ${msgId(thread, 0)}`] : []),
    'MIME-Version: 1.0',
  ];
  const text = `Hi,\r\n\r\n${body}.\r\n\r\nseed message ${i} token-${i}\r\n`;
  let mime: string[];
  if (i % 10 === 3) {
    const b = `b-${seed}-${i}`;
    mime = [`Content-Type: multipart/mixed; boundary="${b}"`, '', `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', text,
      `--${b}`, `Content-Type: application/pdf; name="report-${i}.pdf"`, `Content-Disposition: attachment; filename="report-${i}.pdf"`,
      'Content-Transfer-Encoding: base64', '', Buffer.from(`%PDF-1.4 fake report ${i}`).toString('base64'), `--${b}--`, ''];
  } else if (i % 3 === 1) {
    const b = `a-${seed}-${i}`;
    mime = [`Content-Type: multipart/alternative; boundary="${b}"`, '', `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', text,
      `--${b}`, 'Content-Type: text/html; charset=utf-8', '', `<p>Hi,</p><p>${body}.</p><p>seed message ${i} token-${i}</p>`, `--${b}--`, ''];
  } else {
    mime = ['Content-Type: text/plain; charset=utf-8', '', text];
  }
  return {
    raw: [...headers, ...mime].join('\r\n'),
    receivedAt: date.toISOString().replace(/\.\d+Z$/, 'Z'),
    keywords: { ...(r() < 0.7 ? { $seen: true as const } : {}), ...(r() < 0.05 ? { $flagged: true as const } : {}) },
  };
}

/** Loads `count` generated messages into a user's mailbox. Returns the created email ids. */
export async function seedMessages(user: string, opts: SeedOptions): Promise<string[]> {
  const env = cyrusEnv();
  const mailbox = opts.mailbox ?? 'inbox';
  const mailboxIds = /^[a-z]+$/.test(mailbox) ? { [`$${mailbox}`]: true } : { [mailbox]: true };
  const batch = opts.batch ?? 250;
  const ids: string[] = [];
  const first = opts.start ?? 0;
  const end = first + opts.count;
  for (let start = first; start < end; start += batch) {
    const create: Record<string, unknown> = {};
    const emails: Record<string, unknown> = {};
    for (let i = start; i < Math.min(end, start + batch); i++) {
      const m = generateMessage(i, user, opts.seed ?? 1, opts.salt ?? '');
      create[`b${i}`] = { 'data:asText': m.raw, type: 'message/rfc822' };
      emails[`e${i}`] = { blobId: `#b${i}`, mailboxIds, keywords: m.keywords, receivedAt: m.receivedAt };
    }
    const res = await fetch(new URL('/jmap/', env.baseUrl), {
      method: 'POST',
      headers: { Authorization: basic(user, env.password), 'Content-Type': 'application/json' },
      body: JSON.stringify({
        using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail', 'https://cyrusimap.org/ns/jmap/blob'],
        methodCalls: [['Blob/set', { accountId: user, create }, 'b'], ['Email/import', { accountId: user, emails }, 'i']],
      }),
    });
    if (!res.ok) throw new Error(`seed HTTP ${res.status}`);
    const { methodResponses } = (await res.json()) as { methodResponses: [string, Record<string, unknown>, string][] };
    const imp = methodResponses.find((r) => r[2] === 'i');
    if (!imp || imp[0] !== 'Email/import') throw new Error(`seed failed: ${JSON.stringify(imp)}`);
    const notCreated = imp[1].notCreated as Record<string, unknown> | null;
    if (notCreated && Object.keys(notCreated).length) throw new Error(`seed: not created ${JSON.stringify(notCreated).slice(0, 300)}`);
    ids.push(...Object.values(imp[1].created as Record<string, { id: string }>).map((c) => c.id));
  }
  return ids;
}
