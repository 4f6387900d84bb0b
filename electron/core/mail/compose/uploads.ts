// Attachments on their way from the renderer to the server. Requests are single frames of at
// most 1 MiB, so a file arrives in chunks and is held here (in memory: attachments are capped
// by the server's limits) until it is complete and uploaded.
import { randomUUID } from 'node:crypto';
import { IpcError } from '../../../../shared/errors';

/** Raw bytes per chunk; as base64 (4/3 larger) it stays well inside one frame. */
export const chunkBytes = 512 * 1024;
/** Uploads nobody finished are dropped after this long. */
const idleMs = 15 * 60_000;

export interface PendingUpload {
  id: string;
  accountId: string;
  name: string;
  type: string;
  size: number;
  chunks: Buffer[];
  received: number;
  touchedAt: number;
}

export class Uploads {
  private readonly pending = new Map<string, PendingUpload>();

  begin(accountId: string, name: string, type: string, size: number, maxBytes: number): string {
    if (size > maxBytes) {
      throw new IpcError({ code: 'payload-too-large', message: `${name || 'The file'} is ${formatMb(size)}; this server accepts attachments up to ${formatMb(maxBytes)}.` });
    }
    this.sweep();
    const id = randomUUID();
    this.pending.set(id, { id, accountId, name, type, size, chunks: [], received: 0, touchedAt: Date.now() });
    return id;
  }

  /** Appends a chunk; offsets must follow on, so a lost or repeated chunk is caught. */
  chunk(uploadId: string, offset: number, base64: string): number {
    const u = this.get(uploadId);
    if (offset !== u.received) throw new IpcError({ code: 'invalid-params', message: `Expected the chunk at byte ${u.received}, got ${offset}.` });
    const data = Buffer.from(base64, 'base64');
    if (u.received + data.length > u.size) {
      this.pending.delete(uploadId);
      throw new IpcError({ code: 'invalid-params', message: 'More bytes arrived than the file was said to have.' });
    }
    u.chunks.push(data);
    u.received += data.length;
    u.touchedAt = Date.now();
    return u.received;
  }

  /** The complete file, removed from here. */
  take(uploadId: string): PendingUpload & { data: Buffer } {
    const u = this.get(uploadId);
    if (u.received !== u.size) throw new IpcError({ code: 'invalid-params', message: `Only ${u.received} of ${u.size} bytes arrived.` });
    this.pending.delete(uploadId);
    return { ...u, data: Buffer.concat(u.chunks) };
  }

  cancel(uploadId: string): boolean {
    return this.pending.delete(uploadId);
  }

  private get(uploadId: string): PendingUpload {
    const u = this.pending.get(uploadId);
    if (!u) throw new IpcError({ code: 'not-found', message: 'This upload is no longer in progress; attach the file again.' });
    return u;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, u] of this.pending) if (now - u.touchedAt > idleMs) this.pending.delete(id);
  }
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
