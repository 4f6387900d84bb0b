// Assembles the core: store, secrets, JMAP clients, sync, and the request handlers.
// Both the Electron shell and the headless host create exactly one of these.
import type { Dispatch } from './dispatch';
import type { CoreEventListener } from './events';
import type { SecretStore } from './secrets/secret-store';

export interface CoreOptions {
  /** Directory for the SQLite database. */
  dataDir: string;
  secrets: SecretStore;
  version: string;
  /** How often each account polls for changes when the server offers no push. */
  pollIntervalMs?: number;
}

export interface Core {
  /** Validates and runs one request; never throws. */
  dispatch: Dispatch;
  onEvent(listener: CoreEventListener): () => void;
  close(): Promise<void>;
}
