// Small JSON files in the user-data directory (window state, encrypted secrets). Written to a
// temporary file and renamed, so a crash mid-write leaves the old file, never half of one.
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The parsed file, or null when it is missing or not JSON (a corrupt file is a fresh start). */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

let counter = 0;

/** Writes atomically; owner-only by default, since some of these files hold (encrypted) secrets. */
export async function writeJsonFile(path: string, value: unknown, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${++counter}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Runs writes one after another, so an older state can never land after a newer one. */
export class SerialWriter {
  private tail: Promise<void> = Promise.resolve();

  run(write: () => Promise<void>): Promise<void> {
    const next = this.tail.then(write, write);
    // The chain survives a failed write; the caller still sees the failure.
    this.tail = next.catch(() => {});
    return next;
  }

  /** Resolves when every queued write has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
