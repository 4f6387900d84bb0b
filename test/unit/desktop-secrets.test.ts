import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcError } from '../../shared/errors';
import { MemorySecretStore, type SecretStore } from '../../electron/core/secrets/secret-store';
import { moveSafeStorageSecrets, openDesktopSecretStore } from '../../electron/shell/secret-fallback';
import { SafeStorageSecretStore, safeStorageUsable, type SafeStorageLike } from '../../electron/shell/safe-storage-store';

/** safeStorage as Electron has it, with a real cipher under a key that stands for the OS's. */
class FakeSafeStorage implements SafeStorageLike {
  available = true;
  backend = 'gnome_libsecret';
  key = randomBytes(32);
  encryptString(plainText: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from('v10'), iv, cipher.getAuthTag(), body]);
  }
  decryptString(encrypted: Buffer): string {
    const iv = encrypted.subarray(3, 15);
    const tag = encrypted.subarray(15, 31);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
  }
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
}

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-'));
  path = join(dir, 'secrets.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const noKeychain = () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'));

describe('safeStorageUsable', () => {
  it('accepts real OS encryption on each platform', () => {
    const s = new FakeSafeStorage();
    expect(safeStorageUsable(s, 'linux')).toEqual({ usable: true, backend: 'gnome_libsecret' });
    s.backend = 'kwallet6';
    expect(safeStorageUsable(s, 'linux')).toEqual({ usable: true, backend: 'kwallet6' });
    expect(safeStorageUsable(s, 'darwin')).toMatchObject({ usable: true });
    expect(safeStorageUsable(s, 'win32')).toMatchObject({ usable: true });
  });

  it('refuses Linux basic_text (a hard-coded key: plain text in effect) and unknown', () => {
    const s = new FakeSafeStorage();
    for (const backend of ['basic_text', 'unknown']) {
      s.backend = backend;
      const result = safeStorageUsable(s, 'linux');
      expect(result.usable).toBe(false);
      if (!result.usable) expect(result.reason).toContain(backend);
    }
  });

  it('refuses when encryption is unavailable', () => {
    const s = new FakeSafeStorage();
    s.available = false;
    expect(safeStorageUsable(s, 'darwin').usable).toBe(false);
  });
});

describe('SafeStorageSecretStore', () => {
  it('keeps secrets encrypted in a private file, across restarts', async () => {
    const safe = new FakeSafeStorage();
    const store = SafeStorageSecretStore.open(path, safe);
    expect(store.info).toMatchObject({ kind: 'safe-storage', persistent: true });
    await store.set('acct-1', 'correct horse battery staple');
    await store.set('acct-2', 'tok_ünïcode');
    expect(await store.get('acct-1')).toBe('correct horse battery staple');

    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(text).not.toContain('tok_');
    expect(Object.keys(JSON.parse(text).secrets)).toEqual(['acct-1', 'acct-2']);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);

    const reopened = SafeStorageSecretStore.open(path, safe);
    expect(await reopened.get('acct-2')).toBe('tok_ünïcode');
    await reopened.delete('acct-1');
    await reopened.delete('never-there');
    expect(await SafeStorageSecretStore.open(path, safe).get('acct-1')).toBeNull();
    expect(SafeStorageSecretStore.open(path, safe).keys()).toEqual(['acct-2']);
  });

  it('keeps every change when writes overlap', async () => {
    const store = SafeStorageSecretStore.open(path, new FakeSafeStorage());
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, `v${i}`)));
    expect(SafeStorageSecretStore.open(path, new FakeSafeStorage()).keys()).toHaveLength(20);
  });

  it('fails clearly when the OS key changed (the ciphertext is unreadable)', async () => {
    const safe = new FakeSafeStorage();
    await SafeStorageSecretStore.open(path, safe).set('acct', 'pw');
    safe.key = randomBytes(32);
    const error = await SafeStorageSecretStore.open(path, safe).get('acct').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect((error as IpcError).code).toBe('secret-store');
  });

  it('starts empty from a corrupt file', async () => {
    await writeFile(path, 'not json');
    expect(SafeStorageSecretStore.open(path, new FakeSafeStorage()).keys()).toEqual([]);
  });
});

describe('openDesktopSecretStore', () => {
  const log = () => vi.fn<(m: string) => void>();

  it('uses the keychain when it answers', async () => {
    const keychain = new MemorySecretStore();
    const store = await openDesktopSecretStore({
      openKeychain: async () => keychain,
      safeStorage: new FakeSafeStorage(),
      platform: 'linux',
      safeStoragePath: path,
      log: log(),
    });
    expect(store).toBe(keychain);
  });

  it('falls back to safeStorage when keytar cannot load or no keychain answers, and says so', async () => {
    const messages = log();
    const store = await openDesktopSecretStore({ openKeychain: noKeychain, safeStorage: new FakeSafeStorage(), platform: 'linux', safeStoragePath: path, log: messages });
    expect(store).toBeInstanceOf(SafeStorageSecretStore);
    expect(store.info.kind).toBe('safe-storage');
    expect(store.info.persistent).toBe(true);
    expect(store.info.description).toContain('gnome_libsecret');
    expect(messages.mock.calls[0]![0]).toContain('Cannot autolaunch D-Bus');
    await store.set('a', 'pw');
    expect(await readFile(path, 'utf8')).not.toContain('"pw"');
  });

  it('never writes plain text: Linux basic_text means memory only, and the user is told', async () => {
    const safe = new FakeSafeStorage();
    safe.backend = 'basic_text';
    const encrypt = vi.spyOn(safe, 'encryptString');
    const messages = log();
    const store = await openDesktopSecretStore({ openKeychain: noKeychain, safeStorage: safe, platform: 'linux', safeStoragePath: path, log: messages });
    expect(store.info).toMatchObject({ kind: 'memory', persistent: false });
    expect(store.info.description).toMatch(/memory only/);
    expect(store.info.description).toMatch(/keyring/);
    expect(messages.mock.calls[0]![0]).toContain('basic_text');
    await store.set('a', 'pw');
    expect(await store.get('a')).toBe('pw');
    expect(encrypt).not.toHaveBeenCalled();
    await expect(stat(path)).rejects.toThrow();
  });

  it('uses memory when safeStorage is unavailable too (or absent)', async () => {
    const safe = new FakeSafeStorage();
    safe.available = false;
    const store = await openDesktopSecretStore({ openKeychain: noKeychain, safeStorage: safe, platform: 'darwin', safeStoragePath: path, log: log() });
    expect(store.info).toMatchObject({ kind: 'memory', persistent: false });
    const none = await openDesktopSecretStore({ openKeychain: noKeychain, safeStorage: null, platform: 'win32', safeStoragePath: path, log: log() });
    expect(none.info.kind).toBe('memory');
  });

  it('moves passwords from the file into the keychain once one answers', async () => {
    const safe = new FakeSafeStorage();
    const file = SafeStorageSecretStore.open(path, safe);
    await file.set('acct-1', 'one');
    await file.set('acct-2', 'two');
    const keychain = new MemorySecretStore();
    await keychain.set('acct-2', 'newer');
    const messages = log();
    const store = await openDesktopSecretStore({ openKeychain: async () => keychain, safeStorage: safe, platform: 'linux', safeStoragePath: path, log: messages });
    expect(store).toBe(keychain);
    expect(await keychain.get('acct-1')).toBe('one');
    // The keychain's own (newer) password wins over the file's.
    expect(await keychain.get('acct-2')).toBe('newer');
    expect(SafeStorageSecretStore.open(path, safe).keys()).toEqual([]);
    expect(messages).toHaveBeenCalledWith(expect.stringContaining('moved 2'));
  });

  it('leaves a password in the file when the keychain refuses it', async () => {
    const safe = new FakeSafeStorage();
    const file = SafeStorageSecretStore.open(path, safe);
    await file.set('acct-1', 'one');
    const refusing: SecretStore = {
      info: { kind: 'keychain', persistent: true, description: '' },
      get: async () => null,
      set: async () => {
        throw new Error('locked');
      },
      delete: async () => {},
    };
    const messages = log();
    expect(await moveSafeStorageSecrets(file, refusing, messages)).toBe(0);
    expect(SafeStorageSecretStore.open(path, safe).keys()).toEqual(['acct-1']);
    expect(messages).toHaveBeenCalledWith(expect.stringContaining('locked'));
  });
});
