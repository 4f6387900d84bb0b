// `npm run web`: runs the core in plain Node and serves the app to a browser on loopback.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCore } from '../core/core';
import { KeytarSecretStore } from '../core/secrets/keytar-store';
import { MemorySecretStore, type SecretStore } from '../core/secrets/secret-store';
import { startHost, type Host } from './server';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type SecretStoreChoice = 'keychain' | 'memory' | 'auto';

interface CliOptions {
  port: number;
  dataDir: string;
  secretStore: SecretStoreChoice;
  pollIntervalMs: number | undefined;
  rendererDir: string;
  open: boolean;
}

const usage = `Usage: tsx electron/host/cli.ts [options]
  --port N              port on 127.0.0.1 (default 4517; 0 picks a free one)
  --data-dir DIR        where the database lives (default: the platform's app data dir)
  --secret-store KIND   keychain | memory | auto (default auto)
  --poll-interval MS    how often accounts without push poll for changes
  --renderer-dir DIR    the built renderer (default dist/renderer)
  --no-open             do not open a browser`;

const keychainHelp =
  process.platform === 'linux'
    ? 'On Linux the keychain is the Secret Service: run inside a desktop session with a keyring ' +
      'daemon such as gnome-keyring or KWallet; on a headless machine, e.g. ' +
      '`dbus-run-session -- sh -c \'echo -n PASSPHRASE | gnome-keyring-daemon --unlock && npm run web\'`.'
    : 'Check that the system keychain is unlocked and that this process may use it.';

class UsageError extends Error {}

function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'secret-store': { type: 'string' },
      'poll-interval': { type: 'string' },
      'renderer-dir': { type: 'string' },
      'no-open': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  const port = values.port === undefined ? 4517 : integer('--port', values.port, 0, 65535);
  const secretStore = values['secret-store'] ?? 'auto';
  if (secretStore !== 'keychain' && secretStore !== 'memory' && secretStore !== 'auto') {
    throw new UsageError(`--secret-store must be keychain, memory or auto, not ${JSON.stringify(secretStore)}`);
  }
  const pollIntervalMs =
    values['poll-interval'] === undefined ? undefined : integer('--poll-interval', values['poll-interval'], 1000, 86_400_000);
  return {
    port,
    dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
    secretStore,
    pollIntervalMs,
    rendererDir: resolve(values['renderer-dir'] ?? join(repoRoot, 'dist/renderer')),
    open: !values['no-open'],
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}`);
  return n;
}

/** The same folder as Electron's app.getPath('userData'), so desktop and --web share accounts. */
function defaultDataDir(): string {
  const name = 'Meridian Mail'; // package.json productName, which Electron uses for userData
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), name);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name);
  const xdg = process.env.XDG_CONFIG_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), name);
}

async function openSecretStore(choice: SecretStoreChoice): Promise<SecretStore> {
  if (choice === 'memory') return new MemorySecretStore();
  try {
    return await KeytarSecretStore.open();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (choice === 'keychain') {
      throw new UsageError(`No system keychain is available (${reason}). ${keychainHelp}`);
    }
    process.stderr.write(
      `WARNING: no system keychain is available (${reason}); passwords will be kept in memory and ` +
        `forgotten when the host exits. ${keychainHelp} Pass --secret-store memory to silence this warning.\n`,
    );
    return new MemorySecretStore();
  }
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // no opener installed: the printed URL is enough
    child.unref();
  } catch {
    // Same: opening a browser is a convenience.
  }
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    throw new UsageError('Renderer not built: run `npm run web` (it builds first)');
  }
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const secrets = await openSecretStore(options.secretStore);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const core = await createCore({
    dataDir: options.dataDir,
    secrets,
    version,
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  let host: Host;
  try {
    host = await startHost({ core, port: options.port, rendererDir: options.rendererDir });
  } catch (err) {
    await core.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`Port ${options.port} is in use; pick another with --port N (0 = any free port)`);
    }
    throw err;
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      // A second Ctrl-C means closing hangs; do not make the user reach for kill -9.
      process.stderr.write('Forced exit before the core finished closing.\n');
      process.exit(1);
    }
    stopping = true;
    void (async () => {
      await host.close().catch((err: unknown) => console.error('closing the host failed', err));
      await core.close().catch((err: unknown) => console.error('closing the core failed', err));
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // The token rides in the fragment: browsers never send fragments in requests, so it stays
  // out of HTTP logs and Referer headers.
  const url = `${host.url}#token=${host.token}`;
  process.stderr.write(`Secret store: ${secrets.info.kind} (${secrets.info.description})\n`);
  process.stdout.write(`JMAP host ready: ${url}\n`);
  if (options.open) openBrowser(url);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`${err.message}\n`);
    if (!(err instanceof UsageError)) process.stderr.write(usage + '\n');
  } else {
    console.error(err);
  }
  process.exit(1);
});
