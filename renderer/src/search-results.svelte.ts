// Search as you type: the local index answers at once, then the server adds what the local
// copy does not have yet (shown under their own divider).
import type { EmailListItem } from '../../shared/contract';
import type { Transport } from '../../shared/transport';
import { messageOf } from './mail-state.svelte';
import { itemKey } from './paged-list.svelte';

export type Phase = 'idle' | 'loading' | 'done' | 'error';

const localLimit = 200;
const serverLimit = 50;

export class SearchResults {
  query = $state('');
  local = $state.raw<EmailListItem[]>([]);
  server = $state.raw<EmailListItem[]>([]);
  localPhase = $state<Phase>('idle');
  serverPhase = $state<Phase>('idle');
  localError = $state<string | null>(null);
  serverError = $state<string | null>(null);

  private generation = 0;

  constructor(private readonly transport: Transport) {}

  get active(): boolean {
    return this.query.trim() !== '';
  }

  get count(): number {
    return this.local.length + this.server.length;
  }

  /** Where the "On the server" divider sits, or null when there is nothing to divide. */
  get dividerIndex(): number | null {
    return this.serverPhase === 'idle' ? null : this.local.length;
  }

  at(index: number): EmailListItem | undefined {
    return index < this.local.length ? this.local[index] : this.server[index - this.local.length];
  }

  indexOf(key: string): number {
    const i = this.local.findIndex((item) => itemKey(item) === key);
    if (i !== -1) return i;
    const j = this.server.findIndex((item) => itemKey(item) === key);
    return j === -1 ? -1 : this.local.length + j;
  }

  *loaded(): Generator<EmailListItem> {
    yield* this.local;
    yield* this.server;
  }

  clear(): void {
    this.generation++;
    this.query = '';
    this.local = [];
    this.server = [];
    this.localPhase = 'idle';
    this.serverPhase = 'idle';
    this.localError = null;
    this.serverError = null;
  }

  async run(query: string): Promise<void> {
    if (!query.trim()) {
      this.clear();
      return;
    }
    const generation = ++this.generation;
    this.query = query;
    this.localPhase = 'loading';
    this.serverPhase = 'idle';
    this.serverError = null;
    try {
      const { items } = await this.transport.request('emails.search', { query, limit: localLimit });
      if (generation !== this.generation) return;
      this.local = items;
      this.server = [];
      this.localPhase = 'done';
      this.localError = null;
    } catch (err) {
      if (generation !== this.generation) return;
      this.local = [];
      this.server = [];
      this.localPhase = 'error';
      this.localError = messageOf(err);
    }
    this.serverPhase = 'loading';
    try {
      const { items } = await this.transport.request('emails.searchServer', { query, limit: serverLimit });
      if (generation !== this.generation) return;
      // The server leaves out what is local; a message that arrived meanwhile may be both.
      const local = new Set(this.local.map(itemKey));
      this.server = items.filter((item) => !local.has(itemKey(item)));
      this.serverPhase = 'done';
    } catch (err) {
      if (generation !== this.generation) return;
      this.serverPhase = 'error';
      this.serverError = messageOf(err);
    }
  }

  /** After a change: the local results again (cheap); the server's stay as they were. */
  async refreshLocal(): Promise<void> {
    if (!this.active || this.localPhase === 'loading') return;
    const generation = this.generation;
    const query = this.query;
    try {
      const { items } = await this.transport.request('emails.search', { query, limit: localLimit });
      if (generation !== this.generation) return;
      this.local = items;
      const local = new Set(items.map(itemKey));
      this.server = this.server.filter((item) => !local.has(itemKey(item)));
    } catch (err) {
      console.warn('search refresh failed', err);
    }
  }
}
