// One HTTP exchange with a JMAP server: auth header, timeout, and mapping of transport
// failures and HTTP statuses to typed errors.
import { JmapAuthError, JmapHttpError, JmapNetworkError, JmapProtocolError } from './errors';

export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

/** Credentials as an account stores them: how it authenticates, its login name, its secret. */
export function credentialsFor(kind: 'basic' | 'bearer', username: string, secret: string): Credentials {
  return kind === 'bearer' ? { kind: 'bearer', token: secret } : { kind: 'basic', username, password: secret };
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export function authorizationHeader(credentials: Credentials): string {
  return credentials.kind === 'basic'
    ? 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')
    : `Bearer ${credentials.token}`;
}

export interface HttpOptions {
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** Sends a request and returns the response, throwing typed errors for network and auth failures. */
export async function send(url: string, init: RequestInit, opts: HttpOptions = {}): Promise<Response> {
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { ...init, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  } catch (err) {
    throw new JmapNetworkError(url, describeNetworkFailure(err));
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new JmapAuthError(url, res.status);
  }
  return res;
}

/** Reads a JSON body, refusing anything that is not JSON. */
export async function readJson(res: Response, url: string): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new JmapNetworkError(url, `the connection broke while reading the answer (${describeNetworkFailure(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new JmapProtocolError(`The server's answer from ${new URL(url).host} is not valid JSON (${text.length} bytes).`);
  }
}

export function retryAfterMs(res: Response): number | null {
  const value = res.headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

export function httpError(res: Response, url: string): JmapHttpError {
  return new JmapHttpError(url, res.status, retryAfterMs(res));
}

function describeNetworkFailure(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'the server did not answer in time';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return 'connection refused';
    if (cause?.code === 'ENOTFOUND') return 'no such host';
    if (cause?.code === 'ECONNRESET') return 'the connection was reset';
    if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
    return cause?.message || err.message;
  }
  return String(err);
}
