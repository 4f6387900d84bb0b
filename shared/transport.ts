// The renderer's only view of the core. It cannot tell which transport sits behind it.
import type { EventName, EventPayload, Params, RequestName, Result } from './contract';
import { IpcError, type Envelope, type IpcErrorData } from './errors';

export interface Transport {
  /** Resolves with the result, or rejects with an IpcError. */
  request<M extends RequestName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/**
 * The untyped pipe each transport provides: Electron's preload exposes one of these via
 * contextBridge; the headless host's WebSocket client implements the same shape.
 */
export interface Bridge {
  invoke(method: string, params: unknown): Promise<Envelope<unknown>>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

/** Wraps a Bridge in the typed contract. The core is trusted to answer with the declared types. */
export function typedTransport(bridge: Bridge): Transport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  bridge.onEvent((event, payload) => {
    for (const fn of listeners.get(event) ?? []) fn(payload);
  });
  return {
    async request(method, params) {
      const envelope = await bridge.invoke(method, params);
      if (!envelope.ok) throw new IpcError(envelope.error);
      return envelope.value as Result<typeof method>;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      return () => set.delete(fn);
    },
  };
}

export type { Envelope, IpcErrorData };
