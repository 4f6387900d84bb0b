// The app's single-key shortcuts: the table itself is in shared/keymap.ts, because the
// Electron shell's native menus show the same keys. Here: what only the renderer needs (the
// sequence reader, aria labels). The key handler (KeyboardShortcuts.svelte) and the help
// overlay (?) read the table through this module.
import { keymap, keyLabel, type Action } from '../../shared/keymap';

export { bindingFor, keyGroups, keyLabel, keymap, type Action, type Binding, type KeyGroup } from '../../shared/keymap';

/** The value for aria-keyshortcuts (sequences are not expressible there: first key only). */
export function ariaKeys(action: Action): string {
  const binding = keymap.find((b) => b.action === action);
  return binding ? binding.keys.map((seq) => (seq.length === 1 ? keyLabel(seq[0] ?? '') : '')).filter(Boolean).join(' ') : '';
}

/** How long the second key of a sequence may wait. */
const sequenceMs = 1500;

/** Turns keys, one at a time, into actions; remembers the start of a sequence like "g i". */
export class KeySequence {
  private pending: string[] = [];
  private at = 0;

  /** An action, 'pending' while a sequence may still complete, or null for an unbound key. */
  feed(key: string, now = Date.now()): Action | 'pending' | null {
    const prefix = now - this.at <= sequenceMs ? this.pending : [];
    for (const keys of [[...prefix, key], [key]]) {
      const found = match(keys);
      if (found === 'pending') {
        this.pending = keys;
        this.at = now;
        return 'pending';
      }
      if (found) {
        this.reset();
        return found;
      }
    }
    this.reset();
    return null;
  }

  reset(): void {
    this.pending = [];
    this.at = 0;
  }
}

function match(keys: readonly string[]): Action | 'pending' | null {
  let pending = false;
  for (const binding of keymap) {
    for (const seq of binding.keys) {
      if (seq.length < keys.length || !keys.every((k, i) => seq[i] === k)) continue;
      if (seq.length === keys.length) return binding.action;
      pending = true;
    }
  }
  return pending ? 'pending' : null;
}
