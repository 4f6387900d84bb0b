// The keymap is the one table the key handler and the help overlay share: it must be
// unambiguous, and sequences like "g i" must resolve without eating the keys around them.
import { describe, expect, it } from 'vitest';
import { ariaKeys, keyLabel, keymap, KeySequence } from '../../renderer/src/keymap';

describe('keymap', () => {
  it('binds each key (or sequence) to one action only, and no single key is also a sequence prefix', () => {
    const seen = new Map<string, string>();
    for (const binding of keymap) {
      for (const seq of binding.keys) {
        const id = seq.join(' ');
        expect(seen.get(id), `${id} is bound twice`).toBeUndefined();
        seen.set(id, binding.action);
      }
    }
    const prefixes = keymap.flatMap((b) => b.keys.filter((s) => s.length > 1).map((s) => s[0]!));
    for (const prefix of prefixes) expect(seen.has(prefix), `${prefix} is both a key and a sequence start`).toBe(false);
  });

  it('has the issue keymap', () => {
    const action = (keys: string) => keymap.find((b) => b.keys.some((s) => s.join(' ') === keys))?.action;
    expect(action('j')).toBe('next');
    expect(action('k')).toBe('previous');
    expect(action('o')).toBe('open');
    expect(action('Enter')).toBe('open');
    expect(action('u')).toBe('back');
    expect(action('e')).toBe('archive');
    expect(action('#')).toBe('delete');
    expect(action('r')).toBe('reply');
    expect(action('a')).toBe('replyAll');
    expect(action('f')).toBe('forward');
    expect(action('c')).toBe('compose');
    expect(action('/')).toBe('search');
    expect(action('g i')).toBe('goInbox');
    expect(action('?')).toBe('help');
  });

  it('resolves g then i within the time limit, and lets other keys through', () => {
    const keys = new KeySequence();
    expect(keys.feed('g', 0)).toBe('pending');
    expect(keys.feed('i', 500)).toBe('goInbox');
    // A key that does not continue the sequence is read on its own.
    expect(keys.feed('g', 1000)).toBe('pending');
    expect(keys.feed('j', 1100)).toBe('next');
    // Too slow: the second key stands alone (i is not bound).
    expect(keys.feed('g', 2000)).toBe('pending');
    expect(keys.feed('i', 5000)).toBeNull();
    expect(keys.feed('z', 6000)).toBeNull();
    expect(keys.feed('?', 6100)).toBe('help');
  });

  it('labels keys for people and for aria-keyshortcuts', () => {
    expect(keyLabel('U')).toBe('Shift+U');
    expect(keyLabel('Escape')).toBe('Esc');
    expect(ariaKeys('delete')).toBe('# Delete');
    expect(ariaKeys('markUnread')).toBe('Shift+U');
  });
});
