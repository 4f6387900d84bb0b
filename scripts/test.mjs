#!/usr/bin/env node
// `npm test`: everything, on a fresh machine. Starts the project's Cyrus (as root), runs the
// suite inside a D-Bus session with an unlocked gnome-keyring so keytar has a real keychain,
// then type-checks, runs unit + integration tests, builds the renderer and runs Playwright.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  console.log(`\n▶ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`✗ ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
};
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

if (!process.env.JMAP_TEST_IN_DBUS && !process.env.DBUS_SESSION_BUS_ADDRESS) {
  if (!has('dbus-run-session') || !has('gnome-keyring-daemon')) {
    console.error('npm test needs dbus-run-session and gnome-keyring-daemon for the keychain tests: apt-get install dbus gnome-keyring libsecret-1-dev');
    process.exit(1);
  }
  const r = spawnSync('dbus-run-session', ['--', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, JMAP_TEST_IN_DBUS: '1' },
  });
  process.exit(r.status ?? 1);
}

if (process.env.JMAP_TEST_IN_DBUS) {
  // A password on stdin creates and unlocks a fresh login keyring; the daemon lives as long as the D-Bus session.
  // Its keyring files go to a throwaway directory so no earlier keyring (with another password) is reused.
  const keyringHome = mkdtempSync(join(tmpdir(), 'jmap-test-keyring-'));
  const r = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    input: 'jmap-test',
    encoding: 'utf8',
    env: { ...process.env, XDG_DATA_HOME: keyringHome },
  });
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^(\w+)=(.*)$/);
    if (m) process.env[m[1]] = m[2];
  }
}

if (process.getuid?.() === 0) {
  run('bash', ['test/server/start-cyrus.sh']);
} else if (!existsSync('/tmp/cyrus-jmap/env.sh')) {
  console.error('The tests need the Cyrus JMAP test server: run `sudo bash test/server/start-cyrus.sh` once, then `npm test`.');
  process.exit(1);
}

run('npm', ['run', 'typecheck']);
run('npx', ['vitest', 'run']);
run('npm', ['run', 'test:e2e']);
console.log('\n✓ all tests passed');
