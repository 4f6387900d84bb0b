// Passwords go to a real Secret Service keychain (gnome-keyring in CI), never to SQLite.
import { describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../electron/core/secrets/keytar-store';

describe('KeytarSecretStore', () => {
  it('stores, reads back and deletes a secret in the system keychain', async () => {
    // `npm test` runs inside a D-Bus session with an unlocked gnome-keyring (scripts/test.mjs).
    const store = await KeytarSecretStore.open();
    expect(store.info).toMatchObject({ kind: 'keychain', persistent: true });
    const key = `test-${process.pid}-${Date.now()}`;
    await store.set(key, 'pässwörd ✓');
    expect(await store.get(key)).toBe('pässwörd ✓');
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
  });
});
