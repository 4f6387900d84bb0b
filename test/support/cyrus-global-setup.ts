// Makes sure the project's Cyrus is up before integration tests (idempotent, ~0.3 s when running).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cyrusDir, repoRoot } from './cyrus';

export default function setup(): void {
  if (process.getuid?.() !== 0) {
    // Without root the script cannot start Cyrus; a server someone started by hand still works.
    return;
  }
  execFileSync('bash', [join(repoRoot, 'test/server/start-cyrus.sh'), cyrusDir], { stdio: ['ignore', 'ignore', 'inherit'] });
}
