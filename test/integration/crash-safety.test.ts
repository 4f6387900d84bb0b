// SIGKILL the sync process at random points, over and over, during a first sync and during
// outbox replay. Nothing is lost or stored twice, and no action reaches the server twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cyrusEnv, freshUser, repoRoot } from '../support/cyrus';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { jmap1, serverEmails, serverMailboxes } from '../support/jmap-raw';
import { localEmails } from '../support/local-store';
import { seedMessages } from '../support/seed';

const kills = 20;
let proxy: FaultProxy;
let user: string;
const dataDir = mkdtempSync(join(tmpdir(), 'crash-'));
const dbFile = join(dataDir, 'mail.db');

function rng(seed: number) {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}
const random = rng(7);

/** Starts the worker; resolves when it prints `line` (or exits). */
function worker(extraEnv: Record<string, string> = {}): { child: ChildProcess; lines: string[]; wait(line: string): Promise<boolean>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/sync-worker.ts')], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PASSWORD: cyrusEnv().password, SERVER_URL: `${proxy.url}/jmap/`, EMAIL: user, PAGE_SIZE: '40', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => lines.push(`stderr: ${chunk.trim()}`));
  const waiters: [string, (ok: boolean) => void][] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      lines.push(line);
      for (const [want, resolve] of waiters) if (line.startsWith(want)) resolve(true);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const [, r] of waiters) r(false);
    resolve(code);
  }));
  return {
    child,
    lines,
    exited,
    wait: (line) => (lines.some((l) => l.startsWith(line)) ? Promise.resolve(true) : new Promise((resolve) => waiters.push([line, resolve]))),
  };
}

async function killSoonAfterReady(minMs: number, maxMs: number): Promise<void> {
  const w = worker();
  if (await w.wait('READY')) await new Promise((r) => setTimeout(r, minMs + random() * (maxMs - minMs)));
  w.child.kill('SIGKILL');
  await w.exited;
}

async function runToCompletion(extraEnv: Record<string, string> = {}): Promise<void> {
  const w = worker(extraEnv);
  const done = await w.wait('DONE');
  const code = await w.exited;
  expect(done, `exit ${code}\n${w.lines.join('\n')}`).toBe(true);
}

function localCounts() {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM email').get() as { rows: number; ids: number };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  proxy = await startFaultProxy(cyrusEnv().baseUrl);
  user = freshUser('crash');
  await seedMessages(user, { count: 3000 });
});

afterAll(() => proxy.close());

describe('killed with SIGKILL', () => {
  it(`loses and duplicates nothing across ${kills} kills during the first sync`, async () => {
    const serverIds = new Set((await serverEmails(user)).list.map((e) => e.id));
    let grew = 0;
    let last = 0;
    for (let i = 0; i < kills; i++) {
      await killSoonAfterReady(100, 700);
      const { rows, ids } = localCounts();
      expect(rows).toBe(ids);
      if (rows > last) grew++;
      last = rows;
    }
    expect(grew).toBeGreaterThan(3); // the kills really landed mid-sync, and progress was kept
    const db = new Database(dbFile, { readonly: true });
    const stored = db.prepare('SELECT id FROM email').pluck().all() as string[];
    db.close();
    expect(stored.filter((id) => !serverIds.has(id))).toEqual([]);
    await runToCompletion();
    expect(localEmails(dbFile, localAccount())).toEqual((await serverEmails(user)).list);
  }, 240_000);

  it(`applies each queued action exactly once across ${kills} kills during replay`, async () => {
    const { list } = await serverEmails(user);
    const [x, y, z, ...rest] = list.map((e) => e.id);
    const seen = rest.slice(0, 10);
    const actions: [string, Record<string, unknown>][] = [
      ...['F1', 'F2', 'F3', 'F4'].map((name): [string, Record<string, unknown>] => ['mailboxes.create', { name, parentId: null }]),
      ...[true, false, true, false, true].map((value): [string, Record<string, unknown>] => ['emails.setKeyword', { emailIds: [x], keyword: '$flagged', value }]),
      ['emails.move', { emailIds: [y], to: { role: 'archive' } }],
      ['emails.move', { emailIds: [y], to: { role: 'trash' } }],
      ['emails.move', { emailIds: [y], to: { role: 'archive' } }],
      ['emails.setKeyword', { emailIds: seen, keyword: '$seen', value: true }],
      ['emails.destroy', { emailIds: [z] }],
    ];
    // Queue everything while the server is out of reach, so nothing is sent yet.
    proxy.set('drop');
    const first = worker({ ACTIONS: JSON.stringify(actions) });
    expect(await first.wait('QUEUED')).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;

    proxy.set('pass');
    let replayed = 0;
    for (let i = 0; i < kills; i++) {
      await killSoonAfterReady(0, 300);
      const db = new Database(dbFile, { readonly: true });
      const pending = db.prepare("SELECT count(*) FROM outbox WHERE status = 'pending'").pluck().get() as number;
      db.close();
      if (pending < actions.length) replayed++;
    }
    expect(replayed).toBeGreaterThan(0);
    await runToCompletion();

    const boxes = (await serverMailboxes(user)).list;
    for (const name of ['F1', 'F2', 'F3', 'F4']) expect(boxes.filter((m) => m.name === name)).toHaveLength(1);
    const archive = boxes.find((m) => m.role === 'archive')!.id;
    const server = await serverEmails(user);
    const byId = new Map(server.list.map((e) => [e.id, e]));
    expect(byId.get(x!)!.keywords.$flagged).toBe(true);
    expect(byId.get(y!)!.mailboxIds).toEqual({ [archive]: true });
    expect(byId.has(z!)).toBe(false);
    for (const id of seen) expect(byId.get(id)!.keywords.$seen).toBe(true);
    expect(localEmails(dbFile, localAccount())).toEqual(server.list);
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM outbox WHERE status = 'failed'").pluck().get()).toBe(0);
    db.close();
    void jmap1;
  }, 240_000);
});

function localAccount(): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT id FROM account').pluck().get() as string;
  } finally {
    db.close();
  }
}
