import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redact, redactValue } from '../../electron/core/diagnostics';
import { formatLogLine, LogFile, teeConsole } from '../../electron/shell/log-file';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'desktop-log-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('redact', () => {
  it('hides Authorization headers and Basic/Bearer credentials', () => {
    expect(redact('Authorization: Basic YWxpY2U6c2VjcmV0')).toBe('Authorization: [redacted]');
    expect(redact('proxy-authorization=Bearer abc.def')).toBe('proxy-authorization=[redacted]');
    expect(redact('sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.x to the server')).toBe('sent Bearer [redacted] to the server');
    expect(redact('auth Basic YWxpY2U6c2VjcmV0, retrying')).toBe('auth Basic [redacted], retrying');
  });

  it('hides password, secret and token fields in JSON, query strings and fragments', () => {
    expect(redact('{"username":"alice","password":"hunter2","x":1}')).toBe('{"username":"alice","password":"[redacted]","x":1}');
    expect(redact("login secret='s3 cr3t' ok")).toBe('login secret="[redacted]" ok');
    expect(redact('https://x.example/cb?code=1&access_token=abc123&y=2')).toBe('https://x.example/cb?code=1&access_token="[redacted]"&y=2');
    expect(redact('opened app://renderer/#token=zzz9')).toBe('opened app://renderer/#token="[redacted]"');
    expect(redact('apiKey: k-123')).toBe('apiKey: "[redacted]"');
  });

  it('hides userinfo in URLs', () => {
    expect(redact('GET https://alice:hunter2@mail.example/jmap failed')).toBe('GET https://[redacted]@mail.example/jmap failed');
    expect(redact('wss://token@push.example/x')).toBe('wss://[redacted]@push.example/x');
  });

  it('leaves ordinary text alone', () => {
    const text = 'sync of acc-1 failed: 503 Service Unavailable at https://mail.example/jmap/session';
    expect(redact(text)).toBe(text);
    expect(redact('passed: 3, bypass=on')).toBe('passed: 3, bypass=on');
  });
});

describe('redactValue', () => {
  it('hides secret fields, leaves out message content, and keeps the rest', () => {
    expect(
      redactValue({ id: 'e1', password: 'x', headers: { Authorization: 'Basic abc' }, body: { text: 'Dear Bob' }, htmlBody: [1], subjectLength: 3 }),
    ).toEqual({ id: 'e1', password: '[redacted]', headers: { Authorization: '[redacted]' }, body: '[omitted]', htmlBody: '[omitted]', subjectLength: 3 });
  });

  it('writes errors as their stack, redacted', () => {
    const err = new Error('fetch https://bob:pw@x.example/ failed');
    const out = redactValue(err) as string;
    expect(out).toContain('Error: fetch https://[redacted]@x.example/ failed');
    expect(out).not.toContain('pw@');
  });
});

describe('formatLogLine', () => {
  it('stamps, levels and redacts; a stack stays one entry; a huge argument is capped', () => {
    const line = formatLogLine(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), 'warn', ['push for %s lost', 'acc-1', { token: 't' }]);
    expect(line).toBe("2026-01-02T03:04:05.000Z WARN push for acc-1 lost { token: '[redacted]' }\n");
    const multi = formatLogLine(new Date(0), 'error', ['a\nb']);
    expect(multi).toBe('1970-01-01T00:00:00.000Z ERROR a\n    b\n');
    expect(formatLogLine(new Date(0), 'info', ['x'.repeat(10_000)]).length).toBeLessThan(4200);
  });
});

describe('LogFile', () => {
  it('appends redacted lines and reads back the newest ones', () => {
    const dir = tempDir();
    const log = new LogFile({ dir });
    log.write('info', 'started');
    log.write('error', 'login failed: Authorization: Basic YWxpY2U6c2VjcmV0');
    expect(log.tail(10).map((l) => l.replace(/^\S+ /, ''))).toEqual(['INFO started', 'ERROR login failed: Authorization: [redacted]']);
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).not.toContain('YWxpY2U6c2VjcmV0');
    // Reopened (a restart), it appends.
    new LogFile({ dir }).write('warn', 'again');
    expect(log.tail(1)[0]).toMatch(/WARN again$/);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'main.log')).mode & 0o777).toBe(0o600);
  });

  it('rotates at the size cap and keeps only the configured number of files', () => {
    const dir = tempDir();
    const log = new LogFile({ dir, maxBytes: 200, files: 3 });
    for (let i = 0; i < 40; i++) log.write('info', `entry ${String(i).padStart(2, '0')} ${'.'.repeat(30)}`);
    expect(readdirSync(dir).sort()).toEqual(['main.log', 'main.log.1', 'main.log.2']);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(200);
    // The newest entries survive, in order, across the rotated files; the oldest are gone.
    const tail = log.tail(1000).map((l) => /entry (\d+)/.exec(l)![1]);
    expect(tail.at(-1)).toBe('39');
    expect(tail).toEqual([...tail].sort());
    expect(tail).not.toContain('00');
    expect(log.tail(3).map((l) => /entry (\d+)/.exec(l)![1])).toEqual(['37', '38', '39']);
  });

  it('keeps an entry bigger than the cap whole, in a file of its own', () => {
    const dir = tempDir();
    const log = new LogFile({ dir, maxBytes: 50, files: 2 });
    log.write('info', 'small');
    log.write('info', 'big '.repeat(30));
    expect(readFileSync(join(dir, 'main.log.1'), 'utf8')).toMatch(/small\n$/);
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toContain('big big');
  });
});

describe('teeConsole', () => {
  it('copies console output into the log and still passes it on; undone on request', () => {
    const passed: string[] = [];
    const target = {
      log: (...a: unknown[]) => passed.push(`log ${a.join(' ')}`),
      info: (...a: unknown[]) => passed.push(`info ${a.join(' ')}`),
      warn: (...a: unknown[]) => passed.push(`warn ${a.join(' ')}`),
      error: (...a: unknown[]) => passed.push(`error ${a.join(' ')}`),
    };
    const written: unknown[][] = [];
    const undo = teeConsole(target, { write: (level, ...args) => written.push([level, ...args]) });
    target.warn('push lost', 'acc-1');
    target.error('boom');
    target.log('hello');
    expect(written).toEqual([['warn', 'push lost', 'acc-1'], ['error', 'boom'], ['info', 'hello']]);
    expect(passed).toEqual(['warn push lost acc-1', 'error boom', 'log hello']);
    undo();
    target.warn('after');
    expect(written).toHaveLength(3);
  });
});
