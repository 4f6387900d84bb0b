// A fault-injecting HTTP proxy in front of the real Cyrus. Tests switch its mode to make
// requests fail the ways networks and servers do; in 'pass' mode it is transparent.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | 'pass'
  | 'drop' // the connection closes without an answer
  | 'refuse' // the server is gone: connections are closed at once
  | '500'
  | '503'
  | '429'
  | 'slow' // answers after `slowMs`
  | 'truncate'; // sends half the body, then closes

export interface FaultProxy {
  url: string;
  /** Sets the fault for every request from now on. */
  set(fault: Fault): void;
  /** A function picking a fault per request, e.g. at random. */
  setPicker(pick: (req: IncomingMessage) => Fault): void;
  slowMs: number;
  readonly stats: { requests: number; faulted: number };
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let pick: (req: IncomingMessage) => Fault = () => 'pass';
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    url: '',
    set: (fault) => void (pick = () => fault),
    setPicker: (p) => void (pick = p),
    slowMs: 2000,
    stats: { requests: 0, faulted: 0 },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((req, res) => {
    proxy.stats.requests++;
    const fault = pick(req);
    if (fault !== 'pass') proxy.stats.faulted++;
    switch (fault) {
      case 'drop':
      case 'refuse':
        req.socket.destroy();
        return;
      case '500':
      case '503':
      case '429':
        req.resume();
        res.writeHead(Number(fault), { 'Content-Type': 'text/plain', ...(fault === '429' ? { 'Retry-After': '1' } : {}) });
        res.end(`injected ${fault}`);
        return;
      case 'slow':
        setTimeout(() => forward(req, res, 'pass'), proxy.slowMs);
        return;
      default:
        forward(req, res, fault);
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function forward(req: IncomingMessage, res: ServerResponse, fault: Fault): void {
    const up = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (upRes) => {
        if (fault !== 'truncate') {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...upRes.headers };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          res.writeHead(upRes.statusCode ?? 502, headers);
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          res.socket?.destroy();
        });
      },
    );
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
