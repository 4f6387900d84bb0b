// Passwords encrypted with Electron's safeStorage (the OS's key: Keychain on macOS, DPAPI on
// Windows, the Secret Service or KWallet on Linux) in userData/secrets.json: the fallback
// when keytar cannot load or no keychain answers. safeStorage is injected so this runs,
// and is tested, under plain Node.
import type { SecretStoreInfo } from '../../shared/contract';
import { IpcError } from '../../shared/errors';
import type { SecretStore } from '../core/secrets/secret-store';
import { readJsonFile, SerialWriter, writeJsonFile } from './json-file';

/** The part of Electron's safeStorage this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

/**
 * Whether safeStorage really protects secrets. On Linux without a keyring Electron picks the
 * 'basic_text' backend, which encrypts with a key hard-coded in Chromium: plain text in
 * effect, so it must not count.
 */
export function safeStorageUsable(safeStorage: SafeStorageLike, platform: NodeJS.Platform): { usable: true; backend: string } | { usable: false; reason: string } {
  if (!safeStorage.isEncryptionAvailable()) return { usable: false, reason: 'OS encryption (safeStorage) is not available' };
  if (platform !== 'linux') return { usable: true, backend: platform === 'darwin' ? 'macOS Keychain key' : platform === 'win32' ? 'Windows DPAPI' : platform };
  const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
  if (backend === 'basic_text' || backend === 'unknown') {
    return { usable: false, reason: `no keyring protects safeStorage (backend "${backend}" would store passwords as plain text in effect)` };
  }
  return { usable: true, backend };
}

interface SecretsFile {
  version: 1;
  /** Account id → safeStorage ciphertext, base64. */
  secrets: Record<string, string>;
}

function parseFile(value: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (typeof value !== 'object' || value === null) return map;
  const secrets = (value as { secrets?: unknown }).secrets;
  if (typeof secrets !== 'object' || secrets === null) return map;
  for (const [key, blob] of Object.entries(secrets)) if (typeof blob === 'string') map.set(key, blob);
  return map;
}

export class SafeStorageSecretStore implements SecretStore {
  readonly info: SecretStoreInfo;
  private readonly writer = new SerialWriter();

  private constructor(
    private readonly path: string,
    private readonly safeStorage: SafeStorageLike,
    private readonly blobs: Map<string, string>,
    description: string,
  ) {
    this.info = { kind: 'safe-storage', persistent: true, description };
  }

  /** Opens (or starts) the file. Call only when safeStorageUsable() said yes. */
  static open(path: string, safeStorage: SafeStorageLike, description?: string): SafeStorageSecretStore {
    return new SafeStorageSecretStore(
      path,
      safeStorage,
      parseFile(readJsonFile(path)),
      description ?? 'Passwords are encrypted with the operating system’s key and kept in the app’s data folder.',
    );
  }

  keys(): string[] {
    return [...this.blobs.keys()];
  }

  async get(key: string): Promise<string | null> {
    const blob = this.blobs.get(key);
    if (blob === undefined) return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(blob, 'base64'));
    } catch {
      // The OS key changed (another user profile, a reset keyring): the password is gone for good.
      throw new IpcError({
        code: 'secret-store',
        message: 'The stored password could not be decrypted (the system’s encryption key changed). Remove the account and add it again.',
      });
    }
  }

  async set(key: string, secret: string): Promise<void> {
    let blob: string;
    try {
      blob = this.safeStorage.encryptString(secret).toString('base64');
    } catch (err) {
      throw new IpcError({ code: 'secret-store', message: `The password could not be encrypted: ${err instanceof Error ? err.message : String(err)}` });
    }
    this.blobs.set(key, blob);
    await this.persist();
  }

  async delete(key: string): Promise<void> {
    if (!this.blobs.delete(key)) return;
    await this.persist();
  }

  private persist(): Promise<void> {
    // Each write takes the map as it is when it runs, so the last write holds every change.
    return this.writer.run(() => {
      const file: SecretsFile = { version: 1, secrets: Object.fromEntries(this.blobs) };
      return writeJsonFile(this.path, file, 0o600);
    });
  }
}
