// Helpers for talking to the headless host the way a browser (or an attacker) would.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import type { EventFrame, ResponseFrame } from '../../shared/wire';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET whose path is sent verbatim: fetch() would normalize `..` away before sending. */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface ConnectOptions {
  token?: string | null;
  origin?: string | null;
  path?: string;
  headers?: Record<string, string>;
}

export function wsUrl(port: number, { token, path = '/ipc' }: ConnectOptions): string {
  return `ws://127.0.0.1:${port}${path}` + (token == null ? '' : `?token=${encodeURIComponent(token)}`);
}

/** Resolves with an open socket, or rejects with the HTTP status the host refused with. */
export function connect(port: number, options: ConnectOptions): Promise<WebSocket> {
  const origin = options.origin === undefined ? `http://127.0.0.1:${port}` : options.origin;
  const headers: Record<string, string> = { ...options.headers };
  if (origin !== null) headers.Origin = origin;
  const ws = new WebSocket(wsUrl(port, options), { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new RefusedError(res.statusCode ?? 0));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

export class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`refused with HTTP ${status}`);
  }
}

/** The status the host refused the upgrade with, or 'open' if it accepted. */
export async function upgradeStatus(port: number, options: ConnectOptions): Promise<number | 'open' | string> {
  try {
    const ws = await connect(port, options);
    ws.close();
    return 'open';
  } catch (err) {
    if (err instanceof RefusedError) return err.status;
    return err instanceof Error ? err.message : String(err);
  }
}

/** Reads frames off a socket in order, splitting responses from events. */
export class FrameReader {
  private readonly responses: ResponseFrame[] = [];
  readonly events: EventFrame[] = [];
  private waiter: (() => void) | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ResponseFrame | EventFrame;
      if ('event' in frame) this.events.push(frame);
      else this.responses.push(frame);
      this.waiter?.();
    });
  }

  /** Sends text (or an object, serialized) and resolves with the next response frame. */
  async send(frame: string | Buffer | object): Promise<ResponseFrame> {
    const data = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
    this.ws.send(data);
    return this.nextResponse();
  }

  async nextResponse(timeoutMs = 5000): Promise<ResponseFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length === 0) {
      if (Date.now() > deadline) throw new Error('no response from the host');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.responses.shift() as ResponseFrame;
  }

  async nextEvent(timeoutMs = 5000): Promise<EventFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      if (Date.now() > deadline) throw new Error('no event from the host');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.events.shift() as EventFrame;
  }
}
