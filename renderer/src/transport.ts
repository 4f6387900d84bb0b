// Picks the pipe to the core. Inside Electron the preload script exposes a Bridge as
// window.jmapBridge; in a plain browser the headless host serves this page and carries the
// same contract over a WebSocket on loopback. The UI only ever sees a Transport.
import { ipcErrorCodes, type IpcErrorCode } from '../../shared/errors';
import { typedTransport, type Bridge, type Envelope, type Transport } from '../../shared/transport';
import { maxRequestFrameBytes, tokenParam, type RequestFrame } from '../../shared/wire';

/**
 * 'connecting': first attempt in progress; 'open': requests flow; 'reconnecting': the
 * socket dropped (or never came up) and a retry is scheduled; 'no-token': this page was
 * opened without the host's per-launch token, so connecting cannot succeed.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'no-token';

/** A Svelte-store-shaped view of the connection: calls back at once, then on every change. */
export interface Connection {
  subscribe(listener: (state: ConnectionState) => void): () => void;
}

export function selectTransport(): { transport: Transport; connection: Connection } {
  if (window.jmapBridge) {
    // Electron IPC cannot drop while the window exists.
    return { transport: typedTransport(window.jmapBridge), connection: constant('open') };
  }
  const token = takeToken();
  if (!token) {
    const bridge: Bridge = {
      invoke: async () => failure('server-unreachable', 'No access token: open the address the app host printed.'),
      onEvent: () => () => {},
    };
    return { transport: typedTransport(bridge), connection: constant('no-token') };
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/ipc?${tokenParam}=${encodeURIComponent(token)}`;
  const bridge = new WebSocketBridge(url);
  return { transport: typedTransport(bridge), connection: bridge };
}

const tokenStorageKey = 'jmap-host-token';

/** Reads the token from #token=…, keeps it for reloads, and removes it from the address bar. */
function takeToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get(tokenParam);
  if (fromHash) {
    sessionStorage.setItem(tokenStorageKey, fromHash);
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(tokenStorageKey);
}

function constant(state: ConnectionState): Connection {
  return {
    subscribe(listener) {
      listener(state);
      return () => {};
    },
  };
}

function failure(code: IpcErrorCode, message: string): Envelope<unknown> {
  return { ok: false, error: { code, message } };
}

const minBackoffMs = 250;
const maxBackoffMs = 5000;

class WebSocketBridge implements Bridge, Connection {
  private socket: WebSocket | null = null;
  private state: ConnectionState = 'connecting';
  private nextId = 1;
  private backoffMs = minBackoffMs;
  /** Every request not yet answered, sent or still queued, by id. */
  private readonly pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  /** Serialized frames waiting for the socket to open. */
  private queue: string[] = [];
  private readonly eventListeners = new Set<(event: string, payload: unknown) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(private readonly url: string) {
    this.connect();
  }

  invoke(method: string, params: unknown): Promise<Envelope<unknown>> {
    const id = this.nextId++;
    // Property order matters: the host reads the id from the first bytes of the frame.
    const request: RequestFrame = { id, method, params };
    const frame = JSON.stringify(request);
    if (frame.length * 3 > maxRequestFrameBytes && new TextEncoder().encode(frame).length > maxRequestFrameBytes) {
      return Promise.resolve(failure('payload-too-large', 'The request is too large to send.'));
    }
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (this.state === 'open' && this.socket) this.socket.send(frame);
      else this.queue.push(frame);
    });
  }

  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  subscribe(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const fn of this.stateListeners) fn(state);
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.backoffMs = minBackoffMs;
      const queued = this.queue;
      this.queue = [];
      for (const frame of queued) socket.send(frame);
      this.setState('open');
    };
    socket.onmessage = (message) => {
      if (typeof message.data === 'string') this.receive(message.data);
    };
    // An error is always followed by close, which does the cleanup.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending();
      this.setState('reconnecting');
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
      setTimeout(() => this.connect(), delay);
    };
  }

  /** Nothing in flight survives a dropped socket; callers must not wait forever. */
  private failPending(): void {
    this.queue = [];
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const resolve of waiting) {
      resolve(failure('server-unreachable', 'Lost the connection to the app host.'));
    }
  }

  private receive(data: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      console.warn('ignoring a malformed frame from the host');
      return;
    }
    if (!isRecord(frame)) return;
    if ('id' in frame) {
      if (typeof frame.id !== 'number') {
        // id null: the host could not read our request at all; nothing to match it to.
        console.warn('host rejected a frame', frame.error);
        return;
      }
      const resolve = this.pending.get(frame.id);
      if (!resolve) return;
      this.pending.delete(frame.id);
      resolve(toEnvelope(frame));
    } else if (typeof frame.event === 'string') {
      for (const fn of this.eventListeners) fn(frame.event, frame.payload);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toEnvelope(frame: Record<string, unknown>): Envelope<unknown> {
  if (frame.ok === true) return { ok: true, value: frame.value };
  const error = frame.error;
  if (isRecord(error) && isErrorCode(error.code) && typeof error.message === 'string') {
    const issues = Array.isArray(error.issues) ? error.issues.filter(isIssue) : undefined;
    return { ok: false, error: issues ? { code: error.code, message: error.message, issues } : { code: error.code, message: error.message } };
  }
  return failure('internal', 'The app host sent a response this window does not understand.');
}

function isErrorCode(value: unknown): value is IpcErrorCode {
  return ipcErrorCodes.some((code) => code === value);
}

function isIssue(value: unknown): value is { path: string; message: string } {
  return isRecord(value) && typeof value.path === 'string' && typeof value.message === 'string';
}
