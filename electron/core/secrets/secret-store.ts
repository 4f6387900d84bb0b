// Where passwords and tokens live. Never SQLite: the OS keychain, or a store the user
// chose explicitly and was told about.
import type { SecretStoreInfo } from '../../../shared/contract';

export interface SecretStore {
  readonly info: SecretStoreInfo;
  get(key: string): Promise<string | null>;
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Forgets everything when the process exits. Only used when the user (or a test) names it. */
export class MemorySecretStore implements SecretStore {
  readonly info: SecretStoreInfo = {
    kind: 'memory',
    persistent: false,
    description: 'Passwords are kept in memory only and are forgotten when the app stops.',
  };
  private readonly secrets = new Map<string, string>();
  async get(key: string) {
    return this.secrets.get(key) ?? null;
  }
  async set(key: string, secret: string) {
    this.secrets.set(key, secret);
  }
  async delete(key: string) {
    this.secrets.delete(key);
  }
}
