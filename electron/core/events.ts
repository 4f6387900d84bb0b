// A typed event bus: the core emits contract events; each transport forwards them.
import type { EventName, EventPayload } from '../../shared/contract';

export type CoreEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];
export type CoreEventListener = (event: CoreEvent) => void;

export class EventBus {
  private readonly listeners = new Set<CoreEventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const fn of this.listeners) {
      try {
        fn({ event, payload } as CoreEvent);
      } catch (err) {
        // A broken listener (e.g. a closed socket) must not stop the others.
        console.error('event listener failed', err);
      }
    }
  }

  on(listener: CoreEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
