// The test Cyrus server: where it is, and a fresh user per test so tests never share state.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cyrusDir = process.env.CYRUS_JMAP_DIR ?? '/tmp/cyrus-jmap';

export interface CyrusEnv {
  sessionUrl: string;
  baseUrl: string;
  password: string;
}

export function cyrusEnv(): CyrusEnv {
  const file = join(cyrusDir, 'env.sh');
  if (!existsSync(file)) throw new Error(`Cyrus is not running: start it with "bash test/server/start-cyrus.sh" (as root)`);
  const vars = Object.fromEntries(
    [...readFileSync(file, 'utf8').matchAll(/^export (\w+)="?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]),
  );
  return { sessionUrl: vars.JMAP_SESSION_URL!, baseUrl: vars.JMAP_BASE_URL!, password: vars.JMAP_PASSWORD! };
}

/** Creates a new, empty mailbox user and returns its address (e.g. "t-3f9a1c@example.com"). */
export function freshUser(prefix = 't'): string {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  return execFileSync('bash', [join(repoRoot, 'test/server/add-user.sh'), name, cyrusDir], { encoding: 'utf8' }).trim();
}
