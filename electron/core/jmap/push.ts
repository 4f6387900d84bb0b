// Push (RFC 8620 §7): the server says "state X of type T in account A moved", so sync can run
// at once instead of waiting for the next poll. Two transports: a JMAP WebSocket (RFC 8887)
// when the session offers one with push, else the EventSource stream (RFC 8620 §7.3).
//
// A server without push (Cyrus 3.6 answers its eventSourceUrl with 204) is told apart from a
// broken connection: the first is given up on after one request, so we never hammer it, and
// the caller keeps polling; the second is retried with exponential backoff and jitter.
// Everything the server sends is untrusted: frames are size-bounded and validated, and bad
// ones are logged and skipped rather than allowed to end the listener.
import { WebSocket, type RawData } from 'ws';
import { z } from 'zod';
import { authorizationHeader, type Credentials, type FetchLike } from './http';
import { expandTemplate, type JmapSession } from './session';

export const websocketCapability = 'urn:ietf:params:jmap:websocket';

export type PushStatus = 'connecting' | 'connected' | 'unavailable' | 'reconnecting' | 'auth-failed';

/** accountId → type name → the type's new state string. */
export type StateChanged = Record<string, Record<string, string>>;

export interface PushOptions {
  session: JmapSession;
  credentials: Credentials;
  /** Only changes to these accounts are reported; all when absent. */
  accountIds?: readonly string[];
  /** Type names to subscribe to; all when absent. */
  types?: readonly string[];
  fetch?: FetchLike;
  WebSocketImpl?: typeof WebSocket;
  onStateChange(changed: StateChanged): void;
  onStatus?(status: PushStatus, detail: string | null): void;
  log?(message: string): void;
  /** Keepalive interval asked of the server; 2.5× that without a sign of life means the connection is dead. */
  pingSeconds?: number;
  backoff?: { initialMs: number; maxMs: number };
}

export interface PushHandle {
  readonly status: PushStatus;
  readonly transport: 'websocket' | 'eventsource' | null;
  stop(): void;
}

export function startPush(opts: PushOptions): PushHandle {
  const listener = new PushListener(opts);
  listener.start();
  return listener;
}

const StateChangeSchema = z.looseObject({
  '@type': z.literal('StateChange'),
  changed: z.record(z.string(), z.record(z.string(), z.string())),
  pushState: z.string().optional(),
});
const PingSchema = z.looseObject({ interval: z.number().int().positive().max(3600) });
const WebSocketCapabilitySchema = z.looseObject({ url: z.string().min(1), supportsPush: z.boolean() });
const FrameTypeSchema = z.looseObject({ '@type': z.string() });

/** Larger frames or SSE events are refused: no honest StateChange comes near this. */
const maxFrameBytes = 1024 * 1024;
/** Until the server answers a connection attempt. */
const connectTimeoutMs = 30_000;
/** A connection that lived this long counts as good even without traffic: backoff starts over. */
const stableMs = 10_000;
/** Ceiling for a server's Retry-After or SSE `retry:` hint. */
const maxHintMs = 15 * 60_000;

type Outcome =
  | { kind: 'dropped'; reason: string; retryAfterMs?: number | null }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'auth-failed'; reason: string };

/** What a transport reports about its one connection. `end` counts only the first time. */
interface Connection {
  opened(): void;
  /** Any traffic; `proof` when it was a valid JMAP frame, which shows the push really works. */
  alive(proof: boolean): void;
  setPingSeconds(seconds: number): void;
  end(outcome: Outcome): void;
}

class PushListener implements PushHandle {
  status: PushStatus = 'connecting';
  transport: 'websocket' | 'eventsource' | null = null;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private closeCurrent: (() => void) | null = null;
  private wsUrl: string | null = null;
  private readonly eventSourceUrl: string | null;
  /** From the SSE `retry:` field: the server's wish for the least reconnection delay. */
  private serverRetryMs: number | null = null;
  /** From the SSE `id:` field, sent back on reconnect so a server can resume. */
  private lastEventId = '';
  private readonly pingSeconds: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly log: (message: string) => void;

  constructor(private readonly opts: PushOptions) {
    this.pingSeconds = Math.max(1, Math.round(opts.pingSeconds ?? 30));
    this.backoff = opts.backoff ?? { initialMs: 1000, maxMs: 60_000 };
    this.log = opts.log ?? (() => {});
    const { session } = opts;
    const secureSession = new URL(session.sessionUrl).protocol === 'https:';
    const ws = WebSocketCapabilitySchema.safeParse(session.capabilities[websocketCapability]);
    if (ws.success && ws.data.supportsPush) {
      const url = safeUrl(ws.data.url, session.sessionUrl);
      // Credentials that came over TLS are not sent in the clear.
      if (url && (url.protocol === 'wss:' || (url.protocol === 'ws:' && !secureSession))) this.wsUrl = url.href;
      else this.log(`push: ignoring the WebSocket URL ${url ? url.protocol : 'that is invalid'}`);
    }
    const es = session.eventSourceUrl;
    this.eventSourceUrl = es && (!secureSession || es.startsWith('https:')) ? es : null;
  }

  start(): void {
    this.transport = this.wsUrl ? 'websocket' : this.eventSourceUrl ? 'eventsource' : null;
    if (!this.transport) {
      this.setStatus('unavailable', 'the server offers no push');
      return;
    }
    this.setStatus('connecting', null);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.closeCurrent?.();
    this.closeCurrent = null;
  }

  private connect(): void {
    if (this.stopped) return;
    let ended = false;
    let openedAt = 0;
    let proven = false;
    let deadMs = this.pingSeconds * 2500;
    let deadTimer: NodeJS.Timeout | null = null;
    let close: () => void = () => {};
    const armDead = (ms: number) => {
      if (deadTimer) clearTimeout(deadTimer);
      deadTimer = setTimeout(() => conn.end({ kind: 'dropped', reason: `no sign of life for ${Math.round(ms / 1000)} s` }), ms);
      deadTimer.unref?.();
    };
    const finish = () => {
      ended = true;
      if (deadTimer) clearTimeout(deadTimer);
      close();
    };
    const conn: Connection = {
      opened: () => {
        if (ended) return;
        openedAt = Date.now();
        this.setStatus('connected', this.transport);
        armDead(deadMs);
      },
      alive: (proof) => {
        if (ended) return;
        if (proof) proven = true;
        if (openedAt) armDead(deadMs);
      },
      setPingSeconds: (seconds) => {
        deadMs = seconds * 2500;
      },
      end: (outcome) => {
        if (ended) return;
        finish();
        this.closeCurrent = null;
        if (this.stopped) return;
        if (proven || (openedAt && Date.now() - openedAt >= stableMs)) this.attempt = 0;
        this.after(outcome);
      },
    };
    armDead(connectTimeoutMs);
    close = this.transport === 'websocket' ? this.openWebSocket(conn, this.wsUrl ?? '') : this.openEventSource(conn, this.eventSourceUrl ?? '');
    if (ended) close();
    else this.closeCurrent = finish;
  }

  private after(outcome: Outcome): void {
    if (outcome.kind === 'auth-failed') {
      this.setStatus('auth-failed', outcome.reason);
      return;
    }
    if (outcome.kind === 'unavailable') {
      // A refused WebSocket still leaves the EventSource the session offers.
      if (this.transport === 'websocket' && this.eventSourceUrl) {
        this.log(`push: WebSocket unavailable (${outcome.reason}); trying EventSource`);
        this.transport = 'eventsource';
        this.connect();
        return;
      }
      this.setStatus('unavailable', outcome.reason);
      return;
    }
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.attempt, 20));
    // Equal jitter: many clients dropped at once do not all come back in the same instant.
    const jittered = base / 2 + Math.random() * (base / 2);
    const hint = Math.min(maxHintMs, Math.max(outcome.retryAfterMs ?? 0, this.serverRetryMs ?? 0));
    const delay = Math.max(jittered, hint);
    this.attempt++;
    this.setStatus('reconnecting', `${outcome.reason}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.retryTimer.unref?.();
  }

  private setStatus(status: PushStatus, detail: string | null): void {
    if (this.stopped || (status === this.status && status !== 'connecting' && status !== 'reconnecting')) return;
    this.status = status;
    this.log(`push: ${status}${detail ? ` (${detail})` : ''}`);
    try {
      this.opts.onStatus?.(status, detail);
    } catch (err) {
      this.log(`push: status listener failed: ${describe(err)}`);
    }
  }

  private openEventSource(conn: Connection, template: string): () => void {
    const ctrl = new AbortController();
    const url = expandTemplate(template, {
      types: this.opts.types ? this.opts.types.join(',') : '*',
      closeafter: 'no',
      ping: String(this.pingSeconds),
    });
    const doFetch = this.opts.fetch ?? fetch;
    void (async () => {
      let res: Response;
      try {
        res = await doFetch(url, {
          headers: {
            Accept: 'text/event-stream',
            Authorization: authorizationHeader(this.opts.credentials),
            'Cache-Control': 'no-cache',
            ...(this.lastEventId ? { 'Last-Event-ID': this.lastEventId } : {}),
          },
          signal: ctrl.signal,
        });
      } catch (err) {
        conn.end({ kind: 'dropped', reason: describe(err) });
        return;
      }
      const refused = classifyStatus(res.status, res.headers.get('retry-after'));
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      if (refused || !type.startsWith('text/event-stream') || !res.body) {
        await res.body?.cancel().catch(() => {});
        conn.end(refused ?? { kind: 'unavailable', reason: `the server answered HTTP ${res.status} ${type || 'without a type'}, not an event stream` });
        return;
      }
      conn.opened();
      const parser = new SseParser({
        onEvent: (event) => this.onSseEvent(event, conn),
        onRetry: (ms) => void (this.serverRetryMs = ms),
      });
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          conn.alive(false);
          parser.write(value);
        }
        conn.end({ kind: 'dropped', reason: 'the server ended the stream' });
      } catch (err) {
        conn.end({ kind: 'dropped', reason: describe(err) });
      }
    })();
    return () => ctrl.abort();
  }

  private onSseEvent(event: SseEvent, conn: Connection): void {
    if (event.id) this.lastEventId = event.id;
    if (event.type === 'ping') {
      const ping = PingSchema.safeParse(parseJson(event.data));
      // The server may ping less often than asked; its ping says how often (RFC 8620 §7.3).
      if (ping.success) conn.setPingSeconds(Math.max(this.pingSeconds, ping.data.interval));
      conn.alive(true);
      return;
    }
    if (event.type !== 'state') {
      this.log(`push: ignoring an SSE event of type "${event.type.slice(0, 40)}"`);
      return;
    }
    if (this.deliver(parseJson(event.data), 'SSE event')) conn.alive(true);
  }

  private openWebSocket(conn: Connection, url: string): () => void {
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    let pinger: NodeJS.Timeout | null = null;
    let ws: WebSocket;
    try {
      ws = new Impl(url, ['jmap'], {
        headers: { Authorization: authorizationHeader(this.opts.credentials) },
        maxPayload: maxFrameBytes,
        handshakeTimeout: connectTimeoutMs,
        followRedirects: false,
      });
    } catch (err) {
      queueMicrotask(() => conn.end({ kind: 'unavailable', reason: describe(err) }));
      return () => {};
    }
    ws.on('unexpected-response', (req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      conn.end(classifyStatus(status, headerValue(res.headers['retry-after'])) ?? { kind: 'unavailable', reason: `the WebSocket handshake got HTTP ${status}` });
    });
    ws.on('open', () => {
      ws.send(JSON.stringify({ '@type': 'WebSocketPushEnable', dataTypes: this.opts.types ? [...this.opts.types] : null }));
      conn.opened();
      // JMAP has no keepalive of its own over WebSocket; protocol-level pings stand in for it.
      ws.ping();
      pinger = setInterval(() => ws.ping(), this.pingSeconds * 1000);
      pinger.unref?.();
    });
    // A pong shows the socket is up, not that the server pushes: it does not reset the backoff.
    ws.on('pong', () => conn.alive(false));
    ws.on('ping', () => conn.alive(false));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      conn.alive(false);
      if (isBinary) {
        this.log('push: ignoring a binary WebSocket frame');
        return;
      }
      const json = parseJson(rawText(data));
      const frame = FrameTypeSchema.safeParse(json);
      if (frame.success && frame.data['@type'] !== 'StateChange') {
        this.log(`push: ignoring a WebSocket frame of type "${frame.data['@type'].slice(0, 40)}"`);
        return;
      }
      if (this.deliver(json, 'WebSocket frame')) conn.alive(true);
    });
    ws.on('error', (err: Error) => {
      // A server that does not speak the jmap subprotocol is no JMAP WebSocket.
      if (/subprotocol/i.test(err.message)) conn.end({ kind: 'unavailable', reason: err.message });
      else conn.end({ kind: 'dropped', reason: err.message });
    });
    ws.on('close', (code: number) => conn.end({ kind: 'dropped', reason: `the WebSocket closed (${code})` }));
    return () => {
      if (pinger) clearInterval(pinger);
      ws.terminate();
    };
  }

  /** Validates a StateChange and hands on the accounts asked for. Returns whether it was valid. */
  private deliver(json: unknown, what: string): boolean {
    const parsed = StateChangeSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.log(`push: ignoring a malformed ${what}${issue ? ` (${issue.path.join('.') || 'document'}: ${issue.message})` : ''}`);
      return false;
    }
    const wanted = this.opts.accountIds;
    const changed: StateChanged = {};
    for (const [accountId, types] of Object.entries(parsed.data.changed)) {
      if (!wanted || wanted.includes(accountId)) changed[accountId] = types;
    }
    if (Object.keys(changed).length === 0) return true;
    try {
      this.opts.onStateChange(changed);
    } catch (err) {
      this.log(`push: state change listener failed: ${describe(err)}`);
    }
    return true;
  }
}

/**
 * Maps an HTTP status that is not a working push stream to what to do about it; null when
 * the status itself is fine (2xx but 204). Auth failures stop; "no such thing here" stops,
 * so servers without push are asked once; overload and server errors are retried.
 */
function classifyStatus(status: number, retryAfter: string | null): Outcome | null {
  if (status === 401 || status === 403) return { kind: 'auth-failed', reason: `the server rejected the credentials (HTTP ${status})` };
  if (status === 408 || status === 429 || (status >= 500 && status !== 501)) {
    return { kind: 'dropped', reason: `the server answered HTTP ${status}`, retryAfterMs: retryAfterMs(retryAfter) };
  }
  if (status >= 200 && status < 300 && status !== 204) return null;
  return { kind: 'unavailable', reason: `the server answered HTTP ${status}` };
}

function retryAfterMs(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function safeUrl(url: string, base: string): URL | null {
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}

// ---------------------------------------------------------------------------------------------
// Server-sent events, parsed per the HTML standard's event stream rules: lines end in CRLF, LF
// or CR (and a CRLF may be split across chunks); "field: value" with one optional space; a
// blank line dispatches; comments (":") are ignored; a stream's unfinished event is dropped.

export interface SseEvent {
  /** The `event:` field, or "message". */
  type: string;
  /** `data:` lines joined with "\n". */
  data: string;
  /** The last event id seen on this stream. */
  id: string;
}

export interface SseHandlers {
  onEvent(event: SseEvent): void;
  /** A valid `retry:` field: the reconnection time the server asks for, in ms. */
  onRetry?(ms: number): void;
}

export class SseOverflowError extends Error {
  override name = 'SseOverflowError';
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** The previous chunk ended in CR: a LF starting the next one belongs to it. */
  private afterCR = false;
  private started = false;
  private eventType = '';
  private data: string[] = [];
  private dataChars = 0;
  private lastEventId = '';

  constructor(private readonly handlers: SseHandlers, private readonly maxChars = maxFrameBytes) {}

  /** Feeds bytes (decoded as a UTF-8 stream, so characters may be split) or text. Throws SseOverflowError. */
  write(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.afterCR && text.length > 0) {
      this.afterCR = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    const eol = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = eol.exec(this.buffer); m; m = eol.exec(this.buffer)) {
      const line = this.buffer.slice(start, m.index);
      start = eol.lastIndex;
      // A CR ending the buffer may be the first half of a CRLF split across chunks.
      if (m[0] === '\r' && start === this.buffer.length) this.afterCR = true;
      this.line(line);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.maxChars) throw new SseOverflowError(`an event-stream line exceeds ${this.maxChars} characters`);
  }

  /** The stream ended: an event without its blank line is not dispatched. */
  end(): void {
    this.buffer = '';
    this.data = [];
    this.dataChars = 0;
    this.eventType = '';
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataChars += value.length + 1;
        if (this.dataChars > this.maxChars) throw new SseOverflowError(`an event's data exceeds ${this.maxChars} characters`);
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    const hasData = this.data.length > 0;
    const event: SseEvent = { type: this.eventType || 'message', data: this.data.join('\n'), id: this.lastEventId };
    this.data = [];
    this.dataChars = 0;
    this.eventType = '';
    if (hasData) this.handlers.onEvent(event);
  }
}
