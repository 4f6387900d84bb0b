// Which secret store the desktop app uses: the system keychain (keytar); when it cannot load
// or does not answer, Electron safeStorage in a file; when that would not really encrypt,
// memory only. Never plain text on disk, and the store's description says what happened
// (the UI shows it, and warns when passwords will not survive a restart).
import type { SecretStoreInfo } from '../../shared/contract';
import { MemorySecretStore, type SecretStore } from '../core/secrets/secret-store';
import { SafeStorageSecretStore, safeStorageUsable, type SafeStorageLike } from './safe-storage-store';

class ExplainedMemoryStore extends MemorySecretStore {
  override readonly info: SecretStoreInfo;
  constructor(description: string) {
    super();
    this.info = { kind: 'memory', persistent: false, description };
  }
}

export interface DesktopSecretsOptions {
  /** KeytarSecretStore.open: rejects when keytar cannot load or no keychain answers. */
  openKeychain: () => Promise<SecretStore>;
  /** Electron's safeStorage (null where it cannot be had). */
  safeStorage: SafeStorageLike | null;
  platform: NodeJS.Platform;
  /** userData/secrets.json */
  safeStoragePath: string;
  log: (message: string) => void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Secrets left in the safeStorage file from a time without a keychain move into the keychain
 * once it answers; otherwise those accounts would lose their passwords the day a keyring
 * gets installed. A secret that fails to move stays in the file (and is reported).
 */
export async function moveSafeStorageSecrets(from: SafeStorageSecretStore, to: SecretStore, log: (m: string) => void): Promise<number> {
  let moved = 0;
  for (const key of from.keys()) {
    try {
      const secret = await from.get(key);
      if (secret !== null && (await to.get(key)) === null) await to.set(key, secret);
      await from.delete(key);
      moved++;
    } catch (err) {
      log(`could not move a stored password into the keychain: ${messageOf(err)}`);
    }
  }
  return moved;
}

export async function openDesktopSecretStore(options: DesktopSecretsOptions): Promise<SecretStore> {
  const { safeStorage, platform, safeStoragePath, log } = options;
  const usable = safeStorage ? safeStorageUsable(safeStorage, platform) : ({ usable: false, reason: 'safeStorage is not available' } as const);

  let keychain: SecretStore | null = null;
  let keychainError = '';
  try {
    keychain = await options.openKeychain();
  } catch (err) {
    keychainError = messageOf(err);
  }
  if (keychain) {
    if (safeStorage && usable.usable) {
      const leftovers = SafeStorageSecretStore.open(safeStoragePath, safeStorage);
      if (leftovers.keys().length) {
        const moved = await moveSafeStorageSecrets(leftovers, keychain, log);
        log(`moved ${moved} password(s) from encrypted file storage into the system keychain`);
      }
    }
    return keychain;
  }

  if (safeStorage && usable.usable) {
    log(`No system keychain answered (${keychainError}); passwords are encrypted with safeStorage (${usable.backend}) in ${safeStoragePath}.`);
    return SafeStorageSecretStore.open(
      safeStoragePath,
      safeStorage,
      `No system keychain is available, so passwords are encrypted with the operating system’s key (${usable.backend}) and kept in the app’s data folder.`,
    );
  }

  const reason = usable.usable ? 'safeStorage is not available' : usable.reason;
  log(`No system keychain answered (${keychainError}) and ${reason}; passwords are kept in memory only.`);
  return new ExplainedMemoryStore(
    platform === 'linux'
      ? 'No system keychain is available, so passwords are kept in memory only and are forgotten when the app quits. Install and unlock a keyring (e.g. GNOME Keyring or KWallet) to keep them.'
      : 'No system keychain is available, so passwords are kept in memory only and are forgotten when the app quits.',
  );
}
