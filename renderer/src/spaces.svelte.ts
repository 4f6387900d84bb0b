// Which space the window shows — mail, calendar or contacts — remembered across launches, and
// what another space asked to be opened there (a contact from a message, an event from an
// invitation).
import { getContext, setContext } from 'svelte';

export type Space = 'mail' | 'calendar' | 'contacts';
export const spaces: readonly Space[] = ['mail', 'calendar', 'contacts'];

export type SpaceTarget =
  | { kind: 'contact'; accountId: string; contactId: string }
  | { kind: 'event'; accountId: string; eventId: string; start?: string };

const storageKey = 'meridian.space';

function saved(): Space {
  try {
    const value = localStorage.getItem(storageKey);
    return spaces.includes(value as Space) ? (value as Space) : 'mail';
  } catch {
    return 'mail';
  }
}

export class Spaces {
  current = $state<Space>(saved());
  /** Set by show(); the target space takes it (and clears it) once it has opened it. */
  target = $state<SpaceTarget | null>(null);

  show(space: Space, target: SpaceTarget | null = null): void {
    this.current = space;
    this.target = target;
    try {
      localStorage.setItem(storageKey, space);
    } catch {
      // Private mode or storage full: the choice just isn't remembered.
    }
  }

  /** The pending target of this kind, taken (so it is opened once). */
  take<K extends SpaceTarget['kind']>(kind: K): Extract<SpaceTarget, { kind: K }> | null {
    const t = this.target;
    if (t?.kind !== kind) return null;
    this.target = null;
    return t as Extract<SpaceTarget, { kind: K }>;
  }
}

const key = Symbol('spaces');

export function setSpaces(value: Spaces): void {
  setContext(key, value);
}

export function getSpaces(): Spaces {
  const value = getContext<Spaces | undefined>(key);
  if (!value) throw new Error('getSpaces() outside the app');
  return value;
}
