// The headless host: serves the built renderer over loopback HTTP and carries the IPC
// contract over a WebSocket, so the app runs in a browser without Electron.
//
// Threat model: other local processes and web pages in the user's browser. Pages could
// reach a loopback port, so every WebSocket needs the per-launch token (handed to the user
// in a URL fragment) and our own Origin, and every request needs our own Host header
// (DNS rebinding).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { IpcErrorData } from '../../shared/errors';
import { maxRequestFrameBytes, tokenParam, type EventFrame, type ResponseFrame } from '../../shared/wire';
import type { Core } from '../core/core';
import { contentTypeFor, rendererCsp, resolveStaticPath, securityHeaders } from '../shell/static-files';

export interface HostOptions {
  core: Pick<Core, 'dispatch' | 'onEvent'>;
  /** 0 picks a free port. */
  port: number;
  /** Must be a loopback address: the host speaks plain HTTP. */
  host?: string;
  rendererDir: string;
  /** Defaults to 32 random bytes, base64url. */
  token?: string;
}

export interface Host {
  /** The origin with a trailing slash, e.g. http://127.0.0.1:4517/ (no token). */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Path of the WebSocket endpoint. */
export const ipcPath = '/ipc';
/** Frames above this make ws drop the connection; below it, oversize frames get an answer. */
const hardMaxPayload = 16 * 1024 * 1024;
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);
const oversizeIdPattern = /^\{"id":(\d+)/;
const frameKeys = new Set(['id', 'method', 'params']);

export async function startHost(options: HostOptions): Promise<Host> {
  const { core, rendererDir } = options;
  const bindHost = options.host ?? '127.0.0.1';
  if (!loopbackHosts.has(bindHost)) {
    throw new Error(`refusing to listen on ${bindHost}: the host serves plain HTTP and must stay on loopback`);
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);

  // Known once listening (port 0 means the OS chooses).
  let port = 0;
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();
  let csp = '';

  const server = createServer((req, res) => {
    serveStatic(req, res).catch((err: unknown) => {
      console.error('host: static request failed', err);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? '')) return sendText(res, 421, 'Misdirected Request');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method Not Allowed');
    }
    const pathname = new URL(req.url ?? '/', 'http://host.invalid').pathname;
    const file = resolveStaticPath(rendererDir, pathname);
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info?.isFile()) return sendText(res, 404, 'Not Found');
    const body = await readFile(file);
    res.writeHead(200, {
      ...securityHeaders(csp),
      'Content-Type': contentTypeFor(file),
      'Content-Length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: hardMaxPayload });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!allowedHosts.has(req.headers.host ?? '')) return refuseUpgrade(socket, 421, 'Misdirected Request');
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    if (url.pathname !== ipcPath) return refuseUpgrade(socket, 404, 'Not Found');
    const given = url.searchParams.get(tokenParam);
    // Comparing fixed-length digests keeps the comparison constant-time whatever was sent.
    const tokenOk = given !== null && timingSafeEqual(digest(given), tokenDigest);
    const originOk = allowedOrigins.has(req.headers.origin ?? '');
    if (!tokenOk || !originOk) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    // Errors (e.g. a frame above hardMaxPayload) close the socket; they must not crash the host.
    ws.on('error', () => clients.delete(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void handleFrame(toBuffer(data), isBinary).then((frame) => send(ws, frame));
    });
  }

  async function handleFrame(data: Buffer, isBinary: boolean): Promise<ResponseFrame> {
    if (data.length > maxRequestFrameBytes) {
      // Not parsed: answering must not cost what the oversized frame would.
      const match = oversizeIdPattern.exec(data.subarray(0, 64).toString('latin1'));
      const id = match?.[1] !== undefined ? Number(match[1]) : null;
      return failure(id !== null && Number.isSafeInteger(id) ? id : null, {
        code: 'payload-too-large',
        message: `request frame is ${data.length} bytes; the limit is ${maxRequestFrameBytes}`,
      });
    }
    if (isBinary) return failure(null, { code: 'bad-message', message: 'expected a text frame' });
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      return failure(null, { code: 'bad-message', message: 'frame is not valid JSON' });
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      return failure(null, { code: 'bad-message', message: 'frame must be a JSON object' });
    }
    const fields = frame as Record<string, unknown>;
    const id = isFrameId(fields.id) ? fields.id : null;
    if (id === null) return failure(null, { code: 'bad-message', message: 'frame needs a non-negative integer id' });
    if (typeof fields.method !== 'string') {
      return failure(id, { code: 'bad-message', message: 'frame needs a string method' });
    }
    const extra = Object.keys(fields).filter((k) => !frameKeys.has(k));
    if (extra.length > 0) {
      return failure(id, { code: 'bad-message', message: `unexpected frame keys: ${extra.slice(0, 5).join(', ')}` });
    }
    try {
      return { id, ...(await core.dispatch(fields.method, fields.params)) };
    } catch (err) {
      // dispatch promises never to throw; this keeps the socket answering if it ever does.
      console.error('host: dispatch threw', err);
      return failure(id, { code: 'internal', message: 'internal error' });
    }
  }

  const unsubscribe = core.onEvent(({ event, payload }) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ event, payload } satisfies EventFrame);
    for (const ws of clients) send(ws, text);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, bindHost, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  allowedHosts = new Set(['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`));
  allowedOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));
  csp = rendererCsp([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
  const urlHost = bindHost === '::1' ? '[::1]' : bindHost;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    token,
    close() {
      closing ??= (async () => {
        unsubscribe();
        for (const ws of clients) ws.terminate();
        clients.clear();
        await new Promise<void>((done) => wss.close(() => done()));
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function isFrameId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function failure(id: number | null, error: IpcErrorData): ResponseFrame {
  return { id, ok: false, error };
}

function send(ws: WebSocket, frame: ResponseFrame | string): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const text = typeof frame === 'string' ? frame : serialize(frame);
  // The callback swallows send errors; the socket's own 'error'/'close' handlers clean up.
  ws.send(text, () => {});
}

function serialize(frame: ResponseFrame): string {
  try {
    return JSON.stringify(frame);
  } catch (err) {
    // A result that cannot be serialized (cycle, BigInt) is a core bug; still answer the caller.
    console.error('host: response not serializable', err);
    return JSON.stringify(failure(frame.id, { code: 'internal', message: 'response could not be serialized' }));
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  // Ending (not just destroying) lets the client see the status before the socket goes.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
