// test-only RFC 9219 fixture: Cyrus 3.6 does not implement urn:ietf:params:jmap:smimeverify,
// so this loopback proxy in front of it adds it. Every request goes to Cyrus unchanged except:
//  - the session document also advertises the capability (session and each account, value {}),
//  - a request that uses it has it removed from `using` (Cyrus would refuse it as unknown), and
//    an Email/get asking for smimeStatus / smimeErrors / smimeStatusAtDelivery / smimeVerifiedAt
//    is sent on without them; the proxy then answers them itself, as a server would: it fetches
//    each email's raw message from Cyrus and verifies it with `openssl cms -verify` against the
//    CA file it was given ("signed/verified" or "signed/failed" with openssl's complaint in
//    smimeErrors), "unknown" for encrypted mail it cannot open, null for mail without S/MIME.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const smimeVerifyCapability = 'urn:ietf:params:jmap:smimeverify';
const smimeProperties = ['smimeStatus', 'smimeErrors', 'smimeStatusAtDelivery', 'smimeVerifiedAt'];

export interface SmimeVerifyFixture {
  url: string;
  /** Email/get calls whose S/MIME properties this fixture answered. */
  readonly stats: { statusRequests: number; verified: number };
  close(): Promise<void>;
}

type Invocation = [string, Record<string, unknown>, string];

export async function startSmimeVerifyFixture(target: string, opts: { caPem: string }): Promise<SmimeVerifyFixture> {
  const upstream = new URL(target);
  const caFile = join(mkdtempSync(join(tmpdir(), 'smimeverify-')), 'ca.pem');
  writeFileSync(caFile, opts.caPem);
  let downloadTemplate: string | null = null;
  const sockets = new Set<Socket>();

  const upstreamCall = (method: string, path: string, headers: IncomingMessage['headers'], body: Buffer | null) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      // Plain bodies: the fixture reads and rewrites JSON.
      const h = { ...headers, host: upstream.host, 'accept-encoding': 'identity' };
      delete h['content-length'];
      if (body) h['content-length'] = String(body.length);
      const up = request({ host: upstream.hostname, port: upstream.port, path, method, headers: h }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      up.on('error', reject);
      up.end(body ?? undefined);
    });

  const reply = (res: ServerResponse, status: number, headers: IncomingMessage['headers'], body: Buffer) => {
    const h = { ...headers };
    delete h['transfer-encoding'];
    h['content-length'] = String(body.length);
    res.writeHead(status, h);
    res.end(body);
  };

  /** The server's verdict on one raw message, as RFC 9219 §3 names them. */
  function verdict(raw: Buffer): { status: string | null; errors: string[] | null } {
    const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('latin1');
    const type = /^content-type:\s*([^;\r\n]+)/im.exec(head)?.[1]?.trim().toLowerCase() ?? 'text/plain';
    const enveloped = /pkcs7-mime/.test(type) && /smime-type\s*=\s*"?(auth)?enveloped-data/i.test(head);
    if (enveloped) return { status: 'unknown', errors: null };
    if (type !== 'multipart/signed' && !/pkcs7-mime/.test(type)) return { status: null, errors: null };
    try {
      execFileSync('openssl', ['cms', '-verify', '-CAfile', caFile, '-purpose', 'smimesign'], { input: raw, stdio: ['pipe', 'pipe', 'pipe'] });
      stats.verified++;
      return { status: 'signed/verified', errors: null };
    } catch (e) {
      const err = ((e as { stderr?: Buffer }).stderr?.toString() ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
      return { status: 'signed/failed', errors: err.length ? err.slice(0, 3) : ['verification failed'] };
    }
  }

  async function answer(response: Invocation, headers: IncomingMessage['headers'], addedBlobId: boolean, wanted: string[]): Promise<void> {
    const args = response[1] as { accountId?: string; list?: Record<string, unknown>[] };
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const email of args.list ?? []) {
      const blobId = typeof email.blobId === 'string' ? email.blobId : null;
      let v: { status: string | null; errors: string[] | null } = { status: null, errors: null };
      if (blobId && downloadTemplate && args.accountId) {
        const path = new URL(
          downloadTemplate.replace('{accountId}', encodeURIComponent(args.accountId)).replace('{blobId}', encodeURIComponent(blobId)).replace('{name}', 'm.eml').replace('{type}', encodeURIComponent('message/rfc822')),
          upstream,
        );
        const got = await upstreamCall('GET', path.pathname + path.search, { authorization: headers.authorization }, null);
        if (got.status === 200) v = verdict(got.body);
      }
      if (wanted.includes('smimeStatus')) email.smimeStatus = v.status;
      if (wanted.includes('smimeErrors')) email.smimeErrors = v.errors;
      if (wanted.includes('smimeStatusAtDelivery')) email.smimeStatusAtDelivery = v.status;
      if (wanted.includes('smimeVerifiedAt')) email.smimeVerifiedAt = v.status ? now : null;
      if (addedBlobId) delete email.blobId;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : null;
    const path = req.url ?? '/';
    const isJson = (req.headers['content-type'] ?? '').includes('json');
    if (req.method === 'POST' && body && isJson) {
      type Request = { using?: string[]; methodCalls?: Invocation[] };
      let parsed: Request | null = null;
      try {
        parsed = JSON.parse(body.toString('utf8')) as Request;
      } catch {
        parsed = null;
      }
      if (parsed?.methodCalls && parsed.using?.includes(smimeVerifyCapability)) {
        parsed.using = parsed.using.filter((u) => u !== smimeVerifyCapability);
        const touched = new Map<string, { added: boolean; wanted: string[] }>();
        for (const call of parsed.methodCalls) {
          const props = call[1].properties;
          if (call[0] !== 'Email/get' || !Array.isArray(props)) continue;
          const wanted = props.filter((p): p is string => typeof p === 'string' && smimeProperties.includes(p));
          if (!wanted.length) continue;
          const kept = props.filter((p) => typeof p !== 'string' || !smimeProperties.includes(p));
          const added = !kept.includes('blobId');
          call[1].properties = added ? [...kept, 'blobId'] : kept;
          touched.set(call[2], { added, wanted });
          stats.statusRequests++;
        }
        const up = await upstreamCall('POST', path, req.headers, Buffer.from(JSON.stringify(parsed)));
        if (up.status !== 200 || !touched.size) return reply(res, up.status, up.headers, up.body);
        const out = JSON.parse(up.body.toString('utf8')) as { methodResponses: Invocation[] };
        for (const r of out.methodResponses) {
          const t = touched.get(r[2]);
          if (t && r[0] === 'Email/get') await answer(r, req.headers, t.added, t.wanted);
        }
        return reply(res, 200, up.headers, Buffer.from(JSON.stringify(out)));
      }
    }
    const up = await upstreamCall(req.method ?? 'GET', path, req.headers, body);
    const type = String(up.headers['content-type'] ?? '');
    if (req.method === 'GET' && up.status === 200 && type.includes('json')) {
      try {
        const session = JSON.parse(up.body.toString('utf8')) as { capabilities?: Record<string, unknown>; accounts?: Record<string, { accountCapabilities?: Record<string, unknown> }>; downloadUrl?: string };
        if (session.capabilities && session.accounts) {
          session.capabilities[smimeVerifyCapability] = {};
          for (const a of Object.values(session.accounts)) if (a.accountCapabilities) a.accountCapabilities[smimeVerifyCapability] = {};
          if (session.downloadUrl) downloadTemplate = session.downloadUrl;
          return reply(res, 200, up.headers, Buffer.from(JSON.stringify(session)));
        }
      } catch {
        // not a session document: pass it on untouched
      }
    }
    reply(res, up.status, up.headers, up.body);
  }

  const stats = { statusRequests: 0, verified: 0 };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
