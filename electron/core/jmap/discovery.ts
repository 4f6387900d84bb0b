// Finds a JMAP session (RFC 8620 §2.2): from a URL the user typed, or from the domain of
// an email address via DNS SRV `_jmap._tcp` and then `/.well-known/jmap`.
import { promises as dns } from 'node:dns';
import { JmapAuthError, JmapDiscoveryError, JmapError, JmapNetworkError } from './errors';
import { authorizationHeader, httpError, readJson, send, type Credentials, type FetchLike } from './http';
import { parseSession, type JmapSession } from './session';

export type SrvResolver = (name: string) => Promise<{ name: string; port: number; priority: number; weight: number }[]>;

export interface DiscoveryOptions {
  email: string;
  /** A session URL, or any URL on the server (its /.well-known/jmap is tried next). */
  serverUrl?: string | undefined;
  credentials: Credentials;
  fetch?: FetchLike;
  resolveSrv?: SrvResolver;
  timeoutMs?: number;
}

export interface Discovered {
  sessionUrl: string;
  session: JmapSession;
}

const maxRedirects = 5;

export async function discoverSession(opts: DiscoveryOptions): Promise<Discovered> {
  const candidates = opts.serverUrl ? candidatesFromUrl(opts.serverUrl) : await candidatesFromEmail(opts.email, opts.resolveSrv ?? dns.resolveSrv);
  const failures: JmapError[] = [];
  for (const candidate of candidates) {
    try {
      return await trySessionUrl(candidate, opts);
    } catch (err) {
      // A server that rejects the password has answered: trying other URLs would only re-send it.
      if (err instanceof JmapAuthError) throw err;
      if (err instanceof JmapError) failures.push(err);
      else throw err;
    }
  }
  if (failures.length > 0 && failures.every((f) => f instanceof JmapNetworkError)) throw failures[0]!;
  const tried = candidates.join(', ');
  const reason = failures.find((f) => !(f instanceof JmapNetworkError))?.message ?? 'no answer';
  throw new JmapDiscoveryError(`No JMAP server found (tried ${tried}). ${reason}`);
}

/** The URL itself, then its origin's /.well-known/jmap. A bare host name means https. */
export function candidatesFromUrl(input: string): string[] {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new JmapDiscoveryError(`"${input}" is not a valid server URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new JmapDiscoveryError(`"${input}" is not an http(s) URL.`);
  }
  const wellKnown = new URL('/.well-known/jmap', url).href;
  return url.pathname === '/' || url.href === wellKnown ? [wellKnown] : [url.href, wellKnown];
}

/** SRV targets first (by priority, then weight), then the domain's own /.well-known/jmap. */
export async function candidatesFromEmail(email: string, resolveSrv: SrvResolver): Promise<string[]> {
  const domain = email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase();
  if (!domain || !/^[a-z0-9.-]+$/.test(domain)) throw new JmapDiscoveryError(`Cannot find a server for "${email}".`);
  const out: string[] = [];
  try {
    const records = await resolveSrv(`_jmap._tcp.${domain}`);
    records.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    for (const r of records) {
      // RFC 2782: a target of "." means the service is decidedly not available.
      if (r.name === '.' || r.name === '') continue;
      const host = r.name.replace(/\.$/, '');
      out.push(`https://${host}${r.port === 443 ? '' : `:${r.port}`}/.well-known/jmap`);
    }
  } catch {
    // No SRV record is the common case, not an error.
  }
  out.push(`https://${domain}/.well-known/jmap`);
  return [...new Set(out)];
}

/**
 * GETs a candidate, following redirects by hand so credentials go only where they should:
 * on to the same origin, or to another origin over https (e.g. fastmail.com → api.fastmail.com).
 */
async function trySessionUrl(start: string, opts: DiscoveryOptions): Promise<Discovered> {
  let url = start;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const res = await send(
      url,
      { headers: { Authorization: authorizationHeader(opts.credentials), Accept: 'application/json' }, redirect: 'manual' },
      { fetch: opts.fetch, timeoutMs: opts.timeoutMs ?? 15_000 },
    );
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel().catch(() => {});
      const next = new URL(location, url);
      if (next.origin !== new URL(url).origin && next.protocol !== 'https:') {
        throw new JmapDiscoveryError(`${url} redirects to ${next.origin}, which is not https; not sending the password there.`);
      }
      url = next.href;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw httpError(res, url);
    }
    return { sessionUrl: url, session: parseSession(await readJson(res, url), url) };
  }
  throw new JmapDiscoveryError(`Too many redirects from ${start}.`);
}
