// test-only push fixture: Cyrus 3.6 has no push (its eventSourceUrl answers 204, and it has no
// JMAP WebSocket), so this loopback proxy in front of it adds both. Every request is passed to
// Cyrus unchanged, except that the session document is rewritten to advertise this proxy's
// EventSource and RFC 8887 WebSocket endpoints. StateChange events come from polling Cyrus
// with each connecting client's own credentials and reporting the /get states that moved.
// Faults on demand: drop every push connection, stop the keepalives, inject raw frames.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { cyrusEnv } from './cyrus';

export type PushTransport = 'websocket' | 'eventsource';

export interface PushProxyOptions {
  /** Cyrus' origin; defaults to the test server. */
  target?: string;
  /** Which push endpoints the session advertises (and answers); both by default. */
  transports?: readonly PushTransport[];
  pollMs?: number;
}

export interface PushProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The rewritten session, at the same path as Cyrus' own. */
  sessionUrl: string;
  /** Closes every open push connection abruptly (sockets destroyed, no goodbye). */
  dropConnections(): void;
  /** Off: no SSE ping events and no answers to WebSocket pings, so connections look dead. */
  setPings(enabled: boolean): void;
  /** Sends text as is: written into every SSE stream, or as a WebSocket text frame. */
  injectRaw(text: string): void;
  readonly stats: { requests: number; eventSource: number; webSocket: number; pushEnable: number };
  /** Push connections open right now. */
  openConnections(): number;
  close(): Promise<void>;
}

type Changed = Record<string, Record<string, string>>;
/** Pushed types: what the mail client syncs. */
const polledTypes = ['Mailbox', 'Email', 'Thread'] as const;

interface Subscriber {
  types: Set<string> | null;
  send(changed: Changed): void;
}

/** Polls one login's states in Cyrus while anyone listens. Shared by that login's connections. */
class StatePoller {
  readonly subscribers = new Set<Subscriber>();
  private states = new Map<string, string>();
  private accounts: string[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private ready: Promise<number> | null = null;

  constructor(private readonly target: string, private readonly authorization: string, private readonly pollMs: number) {}

  /** Resolves with the HTTP status of the first poll (200 when the credentials work). */
  start(): Promise<number> {
    this.ready ??= this.poll(true);
    return this.ready;
  }

  add(sub: Subscriber): void {
    this.subscribers.add(sub);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(false), this.pollMs);
      this.timer.unref();
    }
  }

  remove(sub: Subscriber): void {
    this.subscribers.delete(sub);
    if (this.subscribers.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(first: boolean): Promise<number> {
    if (this.polling) return 200;
    this.polling = true;
    try {
      if (!this.accounts) {
        const res = await fetch(new URL('/jmap/', this.target), { headers: { Authorization: this.authorization } });
        if (!res.ok) return res.status;
        const session = (await res.json()) as { accounts: Record<string, { accountCapabilities: Record<string, unknown> }> };
        this.accounts = Object.entries(session.accounts)
          .filter(([, a]) => 'urn:ietf:params:jmap:mail' in a.accountCapabilities)
          .map(([id]) => id);
      }
      const methodCalls = this.accounts.flatMap((accountId) => polledTypes.map((t) => [`${t}/get`, { accountId, ids: [] }, `${t} ${accountId}`]));
      const res = await fetch(new URL('/jmap/', this.target), {
        method: 'POST',
        headers: { Authorization: this.authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify({ using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'], methodCalls }),
      });
      if (!res.ok) return res.status;
      const { methodResponses } = (await res.json()) as { methodResponses: [string, { state?: string }, string][] };
      const changed: Changed = {};
      for (const [name, args, callId] of methodResponses) {
        if (name === 'error' || typeof args.state !== 'string') continue;
        const [type = '', accountId = ''] = callId.split(' ');
        const key = `${accountId} ${type}`;
        if (!first && this.states.get(key) !== args.state) (changed[accountId] ??= {})[type] = args.state;
        this.states.set(key, args.state);
      }
      if (Object.keys(changed).length) {
        for (const sub of this.subscribers) {
          const wanted = only(changed, sub.types);
          if (Object.keys(wanted).length) sub.send(wanted);
        }
      }
      return 200;
    } catch {
      return 502;
    } finally {
      this.polling = false;
    }
  }
}

/** The changes to the types a subscriber asked for (all when null). */
function only(changed: Changed, types: Set<string> | null): Changed {
  const out: Changed = {};
  for (const [account, states] of Object.entries(changed)) {
    const kept = Object.entries(states).filter(([t]) => !types || types.has(t));
    if (kept.length) out[account] = Object.fromEntries(kept);
  }
  return out;
}

export async function startPushProxy(options: PushProxyOptions = {}): Promise<PushProxy> {
  const target = options.target ?? cyrusEnv().baseUrl;
  const upstream = new URL(target);
  const transports = new Set(options.transports ?? ['websocket', 'eventsource']);
  const pollMs = options.pollMs ?? 200;
  const sessionPath = '/jmap/';
  const sockets = new Set<Socket>();
  const pollers = new Map<string, StatePoller>();
  const streams = new Set<{ res: ServerResponse; pinger: NodeJS.Timeout | null; sub: Subscriber; poller: StatePoller }>();
  const wss = new WebSocketServer({
    noServer: true,
    autoPong: false, // answered by hand, so the fixture can fall silent
    handleProtocols: (protocols) => (protocols.has('jmap') ? 'jmap' : false),
  });
  let pings = true;
  let origin = '';
  const stats = { requests: 0, eventSource: 0, webSocket: 0, pushEnable: 0 };

  function pollerFor(authorization: string): StatePoller {
    let p = pollers.get(authorization);
    if (!p) {
      p = new StatePoller(target, authorization, pollMs);
      pollers.set(authorization, p);
    }
    return p;
  }

  /** Checks the login by polling with it; a failed check is answered with Cyrus' status. */
  async function authorize(req: IncomingMessage): Promise<{ poller: StatePoller } | { status: number }> {
    const authorization = req.headers.authorization;
    if (!authorization) return { status: 401 };
    const poller = pollerFor(authorization);
    const status = await poller.start();
    if (status !== 200) {
      pollers.delete(authorization);
      return { status };
    }
    return { poller };
  }

  const server = createServer((req, res) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'GET' && url.pathname === sessionPath) return void rewriteSession(req, res);
    if (req.method === 'GET' && url.pathname === '/jmap/eventsource/') return void eventSource(req, res, url);
    forward(req, res);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', origin);
    if (!transports.has('websocket') || url.pathname !== '/jmap/ws/') return refuseUpgrade(socket, 404);
    void authorize(req).then((auth) => {
      if ('status' in auth) return refuseUpgrade(socket, auth.status);
      wss.handleUpgrade(req, socket, head, (ws) => webSocket(ws, auth.poller, req.headers.authorization ?? ''));
    });
  });

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function refuseUpgrade(socket: Duplex, status: number): void {
    socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  function rewriteSession(req: IncomingMessage, res: ServerResponse): void {
    // Asked uncompressed, so the JSON can be edited.
    const headers = { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' };
    const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: 'GET', headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        let body = Buffer.concat(chunks);
        const outHeaders = { ...upRes.headers };
        if (upRes.statusCode === 200) {
          const session = JSON.parse(body.toString('utf8')) as { eventSourceUrl?: string; capabilities: Record<string, unknown> };
          if (transports.has('eventsource')) session.eventSourceUrl = `${origin}/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}`;
          else delete session.eventSourceUrl;
          if (transports.has('websocket')) {
            session.capabilities['urn:ietf:params:jmap:websocket'] = { url: `${origin.replace(/^http/, 'ws')}/jmap/ws/`, supportsPush: true };
          }
          body = Buffer.from(JSON.stringify(session));
          delete outHeaders['transfer-encoding'];
          outHeaders['content-length'] = String(body.length);
        }
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        res.end(body);
      });
    });
    up.on('error', () => res.socket?.destroy());
    up.end();
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const up = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  }

  async function eventSource(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!transports.has('eventsource')) {
      res.writeHead(404).end();
      return;
    }
    const auth = await authorize(req);
    if ('status' in auth) {
      res.writeHead(auth.status).end();
      return;
    }
    if (res.destroyed) return; // the client gave up while the login was checked
    stats.eventSource++;
    const typesParam = url.searchParams.get('types') ?? '*';
    const closeAfterState = url.searchParams.get('closeafter') === 'state';
    const pingSeconds = Number(url.searchParams.get('ping') ?? '0');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.flushHeaders();
    const stream = {
      res,
      pinger: null as NodeJS.Timeout | null,
      poller: auth.poller,
      sub: {
        types: typesParam === '*' ? null : new Set(typesParam.split(',')),
        send: (changed: Changed) => {
          res.write(`event: state\ndata: ${JSON.stringify({ '@type': 'StateChange', changed })}\n\n`);
          if (closeAfterState) res.end();
        },
      } satisfies Subscriber,
    };
    if (Number.isInteger(pingSeconds) && pingSeconds > 0) {
      stream.pinger = setInterval(() => {
        if (pings) res.write(`event: ping\ndata: ${JSON.stringify({ interval: pingSeconds })}\n\n`);
      }, pingSeconds * 1000);
    }
    streams.add(stream);
    auth.poller.add(stream.sub);
    res.on('close', () => {
      if (stream.pinger) clearInterval(stream.pinger);
      streams.delete(stream);
      auth.poller.remove(stream.sub);
    });
  }

  const sockets8887 = new Set<WebSocket>();
  function webSocket(ws: WebSocket, poller: StatePoller, authorization: string): void {
    stats.webSocket++;
    sockets8887.add(ws);
    const sub: Subscriber = { types: null, send: (changed) => ws.send(JSON.stringify({ '@type': 'StateChange', changed })) };
    const disable = () => poller.remove(sub);
    ws.on('ping', (data: Buffer) => {
      if (pings) ws.pong(data);
    });
    ws.on('message', (data: RawData) => {
      let frame: { '@type'?: unknown; dataTypes?: unknown; id?: unknown; using?: unknown; methodCalls?: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        ws.send(JSON.stringify({ '@type': 'RequestError', type: 'urn:ietf:params:jmap:error:notJSON', status: 400 }));
        return;
      }
      if (frame['@type'] === 'WebSocketPushEnable') {
        stats.pushEnable++;
        sub.types = Array.isArray(frame.dataTypes) ? new Set(frame.dataTypes.map(String)) : null;
        poller.add(sub);
      } else if (frame['@type'] === 'WebSocketPushDisable') {
        disable();
      } else if (frame['@type'] === 'Request') {
        void apiRequest(frame, authorization).then((answer) => ws.send(JSON.stringify(answer)));
      }
    });
    ws.on('close', () => {
      disable();
      sockets8887.delete(ws);
    });
  }

  /** RFC 8887 Request objects, answered through Cyrus' HTTP API. */
  async function apiRequest(frame: { id?: unknown; using?: unknown; methodCalls?: unknown }, authorization: string): Promise<Record<string, unknown>> {
    const requestId = typeof frame.id === 'string' ? { requestId: frame.id } : {};
    const res = await fetch(new URL('/jmap/', target), {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ using: frame.using, methodCalls: frame.methodCalls }),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return res.ok ? { ...json, '@type': 'Response', ...requestId } : { ...json, '@type': 'RequestError', status: res.status, ...requestId };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    sessionUrl: `${origin}${sessionPath}`,
    stats,
    dropConnections() {
      for (const s of streams) s.res.socket?.destroy();
      for (const ws of sockets8887) ws.terminate();
    },
    setPings(enabled) {
      pings = enabled;
    },
    injectRaw(text) {
      for (const s of streams) s.res.write(text);
      for (const ws of sockets8887) ws.send(text);
    },
    openConnections: () => streams.size + sockets8887.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pollers.values()) p.stop();
        for (const ws of sockets8887) ws.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
