// "Copy diagnostics": a plain-text report a user can paste into a bug report, and the
// redaction every log line passes through. Nothing here may disclose a credential or mail:
// accounts appear by id and server origin only, and text is run through redact().
import type { AccountView, OutboxEntryView, SecretStoreInfo } from '../../shared/contract';

const hidden = '[redacted]';

/** Keys whose values are credentials, wherever they appear (JSON, query strings, objects). */
const secretKey = /^pass$|pass(?:word|wd|phrase)|secret|token|authorization|cookie|credential|api[-_]?key/i;
/** Keys holding message content, which never belongs in a log. */
const bodyKey = /^(?:body|bodies|bodyValues|textBody|htmlBody|html|text|preview|raw|source|mime|content)$/i;

const keyNames = '[\\w-]*(?:pass(?:word|wd|phrase)|secret|token|api[-_]?key)[\\w-]*';
const patterns: [RegExp, string][] = [
  // An Authorization header, to the end of its line.
  [/\b((?:proxy-)?authorization)(\s*["']?\s*[:=]\s*)[^\r\n]*/gi, `$1$2${hidden}`],
  // Basic / Bearer credentials wherever they appear.
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${hidden}`],
  // key=value, key: value, "key": "value" (JSON) for credential-looking keys.
  [new RegExp(`(["']?\\b${keyNames}["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s&#,;}\\]]+)`, 'gi'), `$1"${hidden}"`],
  // Userinfo in URLs: https://user:pass@host/.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#"']+@/gi, `$1${hidden}@`],
];

/** Removes credentials from free text: headers, Basic/Bearer strings, secret fields, URL userinfo. */
export function redact(text: string): string {
  return patterns.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/**
 * A value made safe to log: secret fields hidden, message content left out, errors as their
 * stack, and strings redacted. Depth-limited, so a huge object cannot flood the log.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return redact(value.stack ?? `${value.name}: ${value.message}`);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (secretKey.test(key)) out[key] = hidden;
    else if (bodyKey.test(key)) out[key] = '[omitted]';
    else out[key] = redactValue(v, depth + 1);
  }
  return out;
}

export interface DiagnosticsInput {
  version: string;
  platform: string;
  arch: string;
  /** process.versions: node always, electron and chrome inside Electron. */
  versions: Readonly<Record<string, string | undefined>>;
  secretStore: SecretStoreInfo;
  accounts: readonly AccountView[];
  outbox: readonly OutboxEntryView[];
  databaseBytes: number | null;
  /** The newest log lines, or null when this process keeps no log file (the headless host). */
  log: readonly string[] | null;
  now: Date;
}

/** The server's origin only: no path, query or userinfo. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(unparsable URL)';
  }
}

const when = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString());

function bytes(n: number | null): string {
  if (n === null) return 'unknown';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function diagnosticsText(input: DiagnosticsInput): string {
  const v = input.versions;
  const lines = [
    `Meridian Mail ${input.version} diagnostics, ${input.now.toISOString()}`,
    `Platform: ${input.platform} ${input.arch}`,
    `Node ${v.node ?? '?'}${v.electron ? `, Electron ${v.electron}, Chrome ${v.chrome ?? '?'}` : ' (no Electron: headless host)'}`,
    `Secret store: ${input.secretStore.kind}${input.secretStore.persistent ? '' : ' (not persistent)'}`,
    `Database: ${bytes(input.databaseBytes)}`,
    '',
    `Accounts (${input.accounts.length}):`,
  ];
  for (const a of input.accounts) {
    const s = a.status;
    const first = s.initialSync ? `, first sync ${s.initialSync.fetched}/${s.initialSync.total ?? '?'}` : '';
    const message = s.message ? ` — ${redact(s.message)}` : '';
    lines.push(`  ${a.id}  ${origin(a.sessionUrl)}  ${s.state}, last sync ${when(s.lastSyncAt)}${first}${message}`);
  }
  lines.push('', 'Outbox:');
  if (input.outbox.length === 0) lines.push('  empty');
  const byAccount = new Map<string, { pending: number; failed: number }>();
  for (const entry of input.outbox) {
    const counts = byAccount.get(entry.accountId) ?? { pending: 0, failed: 0 };
    counts[entry.status]++;
    byAccount.set(entry.accountId, counts);
  }
  for (const [accountId, c] of byAccount) lines.push(`  ${accountId}  ${c.pending} pending, ${c.failed} failed`);
  lines.push('');
  if (input.log === null) {
    lines.push('Log: this process keeps no log file (headless host; see its console output).');
  } else {
    lines.push(`Log (last ${input.log.length} lines):`, ...input.log.map(redact));
  }
  return lines.join('\n') + '\n';
}
