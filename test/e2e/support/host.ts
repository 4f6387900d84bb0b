// Runs the headless host (electron/host/cli.ts) as a child process with a throwaway data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../support/cyrus';

export interface RunningHost {
  /** The full address the host printed, including #token=…. */
  url: string;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  /** Everything the host wrote to stderr so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const readyLine = /^JMAP host ready: (http:\/\/127\.0\.0\.1:(\d+)\/#token=\S+)$/m;
const startTimeoutMs = 30_000;

/** `dataDir`: use (and keep) this data dir instead of a throwaway one, e.g. a prebuilt store. */
export async function startHost(options: { dataDir?: string } = {}): Promise<RunningHost> {
  if (!existsSync(join(repoRoot, 'dist/renderer/index.html'))) {
    throw new Error('The renderer is not built: run `npm run test:e2e` (it runs `vite build` first)');
  }
  const keep = options.dataDir !== undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'jmap-e2e-')));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'electron/host/cli.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--secret-store',
      'memory',
      '--poll-interval',
      '1000',
      '--no-open',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const stop = async (): Promise<void> => {
    await terminate(child);
    if (!keep) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`host did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      const check = (): void => {
        const m = readyLine.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`host exited (${signal ?? code}) before it was ready`));
      });
    });
    const [, url = '', port = ''] = match;
    return { url, origin: new URL(url).origin, port: Number(port), log: () => stderr, stop };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}

/** SIGTERM lets the host close its database; SIGKILL if it hangs. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
