// The OS keychain through keytar: macOS Keychain, Windows Credential Vault, Secret Service on Linux.
import { createRequire } from 'node:module';
import type { SecretStoreInfo } from '../../../shared/contract';
import type { SecretStore } from './secret-store';

type Keytar = typeof import('keytar');
const service = 'jmap-desktop';

export class KeytarSecretStore implements SecretStore {
  readonly info: SecretStoreInfo = {
    kind: 'keychain',
    persistent: true,
    description: 'Passwords are kept in the system keychain.',
  };
  private constructor(private readonly keytar: Keytar) {}

  /**
   * Loads keytar and proves a keychain answers with a write/read/delete round trip, since on
   * Linux keytar loads fine and then fails on first use when no Secret Service is running.
   */
  static async open(): Promise<KeytarSecretStore> {
    const keytar = createRequire(import.meta.url)('keytar') as Keytar;
    const probe = `probe-${process.pid}-${Date.now()}`;
    await keytar.setPassword(service, probe, 'probe');
    const back = await keytar.getPassword(service, probe);
    await keytar.deletePassword(service, probe);
    if (back !== 'probe') throw new Error('the keychain did not return what was stored');
    return new KeytarSecretStore(keytar);
  }

  get(key: string) {
    return this.keytar.getPassword(service, key);
  }
  set(key: string, secret: string) {
    return this.keytar.setPassword(service, key, secret);
  }
  async delete(key: string) {
    await this.keytar.deletePassword(service, key);
  }
}
