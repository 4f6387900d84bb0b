// Short-lived notices at the bottom of the window: "Archived · Undo", and failures the user
// should hear about (an action the server refused).
import { getContext, setContext } from 'svelte';

export interface Toast {
  id: number;
  tone: 'info' | 'error';
  message: string;
  action?: { label: string; run: () => void };
}

const infoMs = 6000;
const errorMs = 10000;

export class Toasts {
  list = $state<Toast[]>([]);
  private nextId = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  show(toast: Omit<Toast, 'id'>): number {
    const id = this.nextId++;
    // One undo at a time: a newer action's toast replaces older info toasts.
    if (toast.action) for (const t of this.list.filter((t) => t.action)) this.dismiss(t.id);
    this.list = [...this.list, { ...toast, id }].slice(-4);
    this.timers.set(id, setTimeout(() => this.dismiss(id), toast.tone === 'error' ? errorMs : infoMs));
    return id;
  }

  info(message: string, action?: Toast['action']): number {
    return this.show(action ? { tone: 'info', message, action } : { tone: 'info', message });
  }

  error(message: string): number {
    return this.show({ tone: 'error', message });
  }

  dismiss(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.list = this.list.filter((t) => t.id !== id);
  }

  /** Keeps a toast up while the pointer is on it; restarts the clock when it leaves. */
  hold(id: number, held: boolean): void {
    clearTimeout(this.timers.get(id));
    if (!held) this.timers.set(id, setTimeout(() => this.dismiss(id), infoMs));
  }
}

const key = Symbol('toasts');

export function setToasts(toasts: Toasts): void {
  setContext(key, toasts);
}

export function getToasts(): Toasts {
  const toasts = getContext<Toasts | undefined>(key);
  if (!toasts) throw new Error('Toasts are not in context');
  return toasts;
}
