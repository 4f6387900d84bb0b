// `npm run demo`: a local Cyrus JMAP server with two realistic, deterministic accounts, and the
// app opened on them (the headless host, in your browser). A second run reuses the data.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cyrusDir = process.env.DEMO_CYRUS_DIR ?? '/var/tmp/meridian-demo-cyrus';
const httpPort = process.env.DEMO_CYRUS_HTTP_PORT ?? '8095';
const imapPort = process.env.DEMO_CYRUS_IMAP_PORT ?? '1195';
const hostPort = Number(process.env.DEMO_PORT ?? 4518); // 0 picks a free port (tests)
const open = !process.argv.includes('--no-open');
const accounts = ['alice@example.com', 'bob@example.com'];
const marker = join(cyrusDir, 'demo-seeded-v1');
/** The demo S/MIME CA, kept with the data so a second run trusts the same root. */
const smimeRoot = join(cyrusDir, 'demo-smime-root.pem');

const elsewhere = `The demo runs its own JMAP server: Cyrus IMAP from Debian's packages, started on 127.0.0.1
with demo accounts. That needs Debian or Ubuntu and root (it installs cyrus-imapd with apt). Here
it cannot run. Instead, point the app at any JMAP server: start it with \`npm start\` (or
\`npm run web\` for the browser build), choose "Add account", and enter your address and an
app password — Fastmail (create an app password under Settings → Privacy & Security), Stalwart,
or Cyrus; if your address does not lead to the server, type the server's URL (or its JMAP
session URL) under "Server URL".`;

if (process.platform !== 'linux' || process.getuid?.() !== 0 || !hasCommand('apt-get')) {
  console.log(elsewhere);
  process.exit(1);
}

const t0 = performance.now();
process.env.CYRUS_JMAP_DIR = cyrusDir;
process.env.CYRUS_JMAP_HTTP_PORT = httpPort;
process.env.CYRUS_JMAP_IMAP_PORT = imapPort;
execFileSync('bash', [join(root, 'test/server/start-cyrus.sh'), cyrusDir], { stdio: ['ignore', 'ignore', 'inherit'] });

// The support modules read CYRUS_JMAP_DIR when loaded, so they are imported after it is set.
const { seedDemo, seedSignedMail } = await import('./demo-data');
if (!existsSync(marker)) {
  console.log('Filling the demo accounts (first run only)…');
  await seedDemo(accounts);
  writeFileSync(marker, new Date().toISOString());
}
// Added after the first data set shipped: an earlier demo's data gets it on its next run.
if (!existsSync(smimeRoot)) writeFileSync(smimeRoot, await seedSignedMail(accounts[0]!));

execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
const { createCore } = await import('../electron/core/core');
const { MemorySecretStore } = await import('../electron/core/secrets/secret-store');
const { startHost } = await import('../electron/host/server');

// A fresh client store each run: syncing the demo accounts takes a second or two, and the
// passwords (demo ones) never need to outlive the process.
const core = await createCore({ dataDir: mkdtempSync(join(tmpdir(), 'meridian-demo-')), secrets: new MemorySecretStore(), version: 'demo', pollIntervalMs: 30_000 });
for (const email of accounts) {
  const res = await core.dispatch('accounts.add', { email, secret: 'secret', serverUrl: `http://127.0.0.1:${httpPort}/` });
  if (!res.ok) throw new Error(`could not add ${email}: ${res.error.message}`);
}
// The demo's signed mail verifies as "Signed" once its CA is trusted, as a company CA would be.
const trusted = await core.dispatch('smime.importCertificates', { base64: readFileSync(smimeRoot).toString('base64'), kind: 'ca' });
if (!trusted.ok) throw new Error(`could not trust the demo CA: ${trusted.error.message}`);
const host = await startHost({ core, port: hostPort, rendererDir: join(root, 'dist/renderer') });
const url = `${host.url}#token=${host.token}`;
console.log(`\nDemo ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${accounts.join(' and ')} (password "secret") on Cyrus at http://127.0.0.1:${httpPort}/`);
console.log(`JMAP host ready: ${url}`);
if (open) spawn('xdg-open', [url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();

const stop = async () => {
  await host.close();
  await core.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
