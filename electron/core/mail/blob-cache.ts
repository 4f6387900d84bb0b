// Attachment bytes, downloaded on demand and kept on disk under a size cap, least recently
// used first out. Files are named by a hash, so no server-chosen id ever becomes a path.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class BlobCache {
  constructor(
    private readonly dir: string,
    private readonly capBytes: number,
  ) {}

  async get(accountId: string, blobId: string): Promise<Buffer | null> {
    const file = this.file(accountId, blobId);
    try {
      const data = await readFile(file);
      const now = new Date();
      await utimes(file, now, now); // recency for eviction
      return data;
    } catch {
      return null;
    }
  }

  async put(accountId: string, blobId: string, data: Buffer): Promise<void> {
    if (data.length > this.capBytes) return; // would evict everything and still not fit
    await mkdir(this.dir, { recursive: true });
    const file = this.file(accountId, blobId);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file); // never a half-written file under the real name
    await this.evict();
  }

  /** Removes least recently used files until the cache fits its cap. */
  async evict(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const files = (
      await Promise.all(names.filter((n) => !n.endsWith('.tmp')).map(async (n) => ({ path: join(this.dir, n), info: await stat(join(this.dir, n)).catch(() => null) })))
    ).flatMap((f) => (f.info ? [{ path: f.path, size: f.info.size, used: f.info.mtimeMs }] : []));
    let total = files.reduce((n, f) => n + f.size, 0);
    for (const f of files.sort((a, b) => a.used - b.used)) {
      if (total <= this.capBytes) break;
      await unlink(f.path).catch(() => {});
      total -= f.size;
    }
  }

  private file(accountId: string, blobId: string): string {
    return join(this.dir, createHash('sha256').update(`${accountId}\0${blobId}`).digest('hex'));
  }
}
