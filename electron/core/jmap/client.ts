// A typed JMAP client (RFC 8620): batched method calls with back-references, the server's
// advertised limits kept, typed errors, and the session refetched when its state moves on.
import { z } from 'zod';
import { JmapLimitError, JmapMethodError, JmapProtocolError, JmapRequestError } from './errors';
import { authorizationHeader, httpError, readJson, send, type Credentials, type FetchLike } from './http';
import { Semaphore } from './semaphore';
import { capabilities, expandTemplate, parseSession, type JmapSession } from './session';

export interface ClientOptions {
  sessionUrl: string;
  credentials: Credentials;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Called with every request's byte counts, for accounting in tests and benchmarks. */
  onTraffic?: (sent: number, received: number) => void;
  /** Called when the session was refetched because its state changed. */
  onSession?: (session: JmapSession) => void;
}

/** A method call's result, to read after the batch is sent or to back-reference inside it. */
export interface CallHandle<T> {
  readonly callId: string;
  readonly method: string;
  readonly schema: z.ZodType<T> | null;
  /** A ResultReference (RFC 8620 §3.7) to a path in this call's result. */
  ref(path: string): ResultReference;
}
export interface ResultReference {
  resultOf: string;
  name: string;
  path: string;
}

type MethodCall = [string, Record<string, unknown>, string];

const ResponseSchema = z.looseObject({
  methodResponses: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown()), z.string()])),
  sessionState: z.string().optional(),
});
const ProblemSchema = z.looseObject({ type: z.string(), detail: z.string().optional(), limit: z.string().optional() });
const UploadResponse = z.looseObject({ blobId: z.string().min(1), type: z.string(), size: z.number().int().nonnegative() });
export type UploadedBlob = z.output<typeof UploadResponse>;

export class Batch {
  private readonly calls: MethodCall[] = [];
  private readonly using = new Set<string>([capabilities.core]);

  constructor(private readonly client: JmapClient, using: readonly string[]) {
    for (const u of using) this.using.add(u);
  }

  /** Adds a call. A schema validates the server's response arguments when they are read. */
  call<T = Record<string, unknown>>(method: string, args: Record<string, unknown>, schema?: z.ZodType<T>): CallHandle<T> {
    const callId = `c${this.calls.length}`;
    this.calls.push([method, args, callId]);
    return {
      callId,
      method,
      schema: schema ?? null,
      ref: (path) => ({ resultOf: callId, name: method, path }),
    };
  }

  get size(): number {
    return this.calls.length;
  }

  async send(): Promise<BatchResult> {
    const responses = await this.client.rawRequest([...this.using], this.calls);
    return new BatchResult(responses);
  }
}

export class BatchResult {
  constructor(private readonly responses: MethodCall[]) {}

  /** The response to a call; throws JmapMethodError if the server answered with an error. */
  get<T>(handle: CallHandle<T>): T {
    // A call may produce several responses (RFC 8620 §3.4); the one named like the call is the result.
    const mine = this.responses.filter((r) => r[2] === handle.callId);
    const error = mine.find((r) => r[0] === 'error');
    if (error) {
      const args = error[1];
      throw new JmapMethodError(handle.method, String(args.type ?? 'unknown'), typeof args.description === 'string' ? args.description : null);
    }
    const response = mine.find((r) => r[0] === handle.method) ?? mine[0];
    if (!response) throw new JmapProtocolError(`The server sent no response to ${handle.method}.`);
    if (!handle.schema) return response[1] as T;
    const parsed = handle.schema.safeParse(response[1]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new JmapProtocolError(`The server's ${handle.method} response is malformed at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`);
    }
    return parsed.data;
  }
}

export class JmapClient {
  private current: JmapSession;
  private refreshing: Promise<void> | null = null;
  private readonly semaphore: Semaphore;
  private readonly uploads: Semaphore;

  private constructor(private readonly opts: ClientOptions, session: JmapSession) {
    this.current = session;
    this.semaphore = serverLimiter(session.apiUrl, () => this.current.limits.maxConcurrentRequests);
    this.uploads = new Semaphore(() => this.current.limits.maxConcurrentUpload);
  }

  /** Fetches the session and returns a client bound to it. */
  static async connect(opts: ClientOptions): Promise<JmapClient> {
    return new JmapClient(opts, await fetchSession(opts));
  }

  /** A client for an already known session (e.g. from the local cache), for offline start. */
  static fromSession(opts: ClientOptions, session: JmapSession): JmapClient {
    return new JmapClient(opts, session);
  }

  get session(): JmapSession {
    return this.current;
  }

  batch(using: readonly string[] = [capabilities.mail]): Batch {
    return new Batch(this, using);
  }

  /** One method call on its own. */
  async call<T = Record<string, unknown>>(method: string, args: Record<string, unknown>, schema?: z.ZodType<T>, using?: readonly string[]): Promise<T> {
    const batch = this.batch(using);
    const handle = batch.call(method, args, schema);
    return (await batch.send()).get(handle);
  }

  async refreshSession(): Promise<JmapSession> {
    this.refreshing ??= fetchSession(this.opts).then(
      (session) => {
        this.current = session;
        this.opts.onSession?.(session);
        this.semaphore.wake();
        this.refreshing = null;
      },
      (err: unknown) => {
        this.refreshing = null;
        throw err;
      },
    );
    await this.refreshing;
    return this.current;
  }

  /** Sends method calls as one request, within the server's limits. */
  async rawRequest(using: string[], calls: MethodCall[]): Promise<MethodCall[]> {
    if (this.refreshing) await this.refreshing;
    const limits = this.current.limits;
    if (limits.maxCallsInRequest > 0 && calls.length > limits.maxCallsInRequest) {
      throw new JmapLimitError(`A request of ${calls.length} calls exceeds the server's maxCallsInRequest of ${limits.maxCallsInRequest}.`);
    }
    const body = JSON.stringify({ using, methodCalls: calls });
    const bytes = Buffer.byteLength(body);
    if (limits.maxSizeRequest > 0 && bytes > limits.maxSizeRequest) {
      throw new JmapLimitError(`A request of ${bytes} bytes exceeds the server's maxSizeRequest of ${limits.maxSizeRequest}.`);
    }
    const url = this.current.apiUrl;
    const json = await this.semaphore.run(async () => {
      const res = await send(url, {
        method: 'POST',
        headers: {
          Authorization: authorizationHeader(this.opts.credentials),
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body,
      }, this.opts);
      const isProblem = (res.headers.get('content-type') ?? '').includes('problem+json');
      if (!res.ok || isProblem) {
        if (isProblem || res.status === 400) {
          const problem = ProblemSchema.safeParse(await readJson(res, url).catch(() => null));
          if (problem.success) {
            throw new JmapRequestError(problem.data.type, res.status, problem.data.detail ?? null, problem.data.limit ?? null);
          }
        }
        await res.body?.cancel().catch(() => {});
        throw httpError(res, url);
      }
      const text = await readJson(res, url);
      this.opts.onTraffic?.(bytes, Number(res.headers.get('content-length') ?? 0) || JSON.stringify(text).length);
      return text;
    });
    const parsed = ResponseSchema.safeParse(json);
    if (!parsed.success) throw new JmapProtocolError('The server answered with something that is not a JMAP response.');
    const { sessionState, methodResponses } = parsed.data;
    if (sessionState !== undefined && sessionState !== this.current.state) {
      // RFC 8620 §3.4: a changed sessionState means the session (accounts, limits) changed.
      void this.refreshSession().catch(() => {
        /* the next request retries; the current response is still valid */
      });
    }
    return methodResponses;
  }

  /** Downloads a blob (RFC 8620 §6.2), refusing ones larger than maxBytes. */
  async download(accountId: string, blobId: string, name: string, type: string, maxBytes: number): Promise<Buffer> {
    const url = expandTemplate(this.current.downloadUrl, { accountId, blobId, name, type });
    const res = await this.semaphore.run(() =>
      send(url, { headers: { Authorization: authorizationHeader(this.opts.credentials) } }, { ...this.opts, timeoutMs: this.opts.timeoutMs ?? 120_000 }),
    );
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw httpError(res, url);
    }
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new JmapLimitError(`The file is ${declared} bytes; the limit here is ${maxBytes}.`);
    }
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > maxBytes) throw new JmapLimitError(`The file is ${data.length} bytes; the limit here is ${maxBytes}.`);
    return data;
  }

  /**
   * Uploads a blob (RFC 8620 §6.1). The body is streamed in slices so `onProgress` can tell
   * how many bytes have been handed to the connection; uploads have their own concurrency cap.
   */
  async upload(accountId: string, data: Buffer, type: string, onProgress?: (sent: number, total: number) => void): Promise<UploadedBlob> {
    const limit = this.current.limits.maxSizeUpload;
    if (limit > 0 && data.length > limit) throw new JmapLimitError(`The file is ${data.length} bytes; the server accepts at most ${limit}.`);
    const url = expandTemplate(this.current.uploadUrl, { accountId });
    const slice = 64 * 1024;
    const res = await this.uploads.run(() => {
      let offset = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= data.length) return controller.close();
          const end = Math.min(data.length, offset + slice);
          controller.enqueue(data.subarray(offset, end));
          offset = end;
          onProgress?.(offset, data.length);
        },
      });
      const init: RequestInit & { duplex: 'half' } = {
        method: 'POST',
        headers: { Authorization: authorizationHeader(this.opts.credentials), 'Content-Type': type, 'Content-Length': String(data.length), Accept: 'application/json' },
        body,
        duplex: 'half',
      };
      // A slow link needs time in proportion to the size: at least 2 minutes, plus 1 s per 64 KiB.
      return send(url, init, { ...this.opts, timeoutMs: Math.max(this.opts.timeoutMs ?? 0, 120_000 + Math.ceil(data.length / slice) * 1000) });
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw httpError(res, url);
    }
    const parsed = UploadResponse.safeParse(await readJson(res, url));
    if (!parsed.success) throw new JmapProtocolError('The server answered an upload with something that is not an upload response.');
    return parsed.data;
  }

  /**
   * Fetches objects by id in as many /get calls as maxObjectsInGet requires, packing up to
   * maxCallsInRequest calls per request.
   */
  async getAll<T>(
    type: string,
    accountId: string,
    ids: readonly string[],
    properties: readonly string[] | null,
    schema: z.ZodType<T>,
    using?: readonly string[],
  ): Promise<{ list: T[]; notFound: string[]; state: string | null }> {
    const GetSchema = z.looseObject({ list: z.array(schema), notFound: z.array(z.string()).nullable().optional(), state: z.string() });
    const perGet = Math.max(1, this.current.limits.maxObjectsInGet || 500);
    const perRequest = Math.max(1, this.current.limits.maxCallsInRequest || 16);
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += perGet) chunks.push(ids.slice(i, i + perGet));
    const list: T[] = [];
    const notFound: string[] = [];
    let state: string | null = null;
    const requests: Promise<void>[] = [];
    for (let i = 0; i < chunks.length; i += perRequest) {
      const batch = this.batch(using);
      const handles = chunks.slice(i, i + perRequest).map((chunk) =>
        batch.call(`${type}/get`, { accountId, ids: chunk, ...(properties ? { properties } : {}) }, GetSchema),
      );
      requests.push(
        batch.send().then((result) => {
          for (const h of handles) {
            const r = result.get(h);
            list.push(...r.list);
            notFound.push(...(r.notFound ?? []));
            state ??= r.state;
          }
        }),
      );
    }
    await Promise.all(requests);
    return { list, notFound, state };
  }
}

/**
 * One semaphore per server, shared by every account on it, so several accounts at one
 * provider together stay within its maxConcurrentRequests.
 */
const serverLimiters = new Map<string, Semaphore>();
function serverLimiter(apiUrl: string, limit: () => number): Semaphore {
  const key = new URL(apiUrl).origin;
  const existing = serverLimiters.get(key);
  if (existing) {
    existing.setLimitSource(limit);
    return existing;
  }
  const created = new Semaphore(limit);
  serverLimiters.set(key, created);
  return created;
}

/** GETs a session URL with credentials and validates it. */
export async function fetchSession(opts: ClientOptions): Promise<JmapSession> {
  const res = await send(opts.sessionUrl, {
    headers: { Authorization: authorizationHeader(opts.credentials), Accept: 'application/json' },
  }, opts);
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw httpError(res, opts.sessionUrl);
  }
  return parseSession(await readJson(res, opts.sessionUrl), opts.sessionUrl);
}
