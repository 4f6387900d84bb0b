// The senders whose mail may load remote content without asking. The list lives in the core
// (so every window and the web mode agree); this is the window's copy of it.
import { getContext, setContext } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import type { Transport } from '../../shared/transport';

export class RemoteContent {
  readonly trusted = new SvelteSet<string>();
  /** Messages whose remote content was loaded once, for this session only. */
  readonly allowedOnce = new SvelteSet<string>();

  constructor(private readonly transport: Transport) {}

  async load(): Promise<void> {
    this.replace(await this.transport.request('remoteContent.senders', {}));
  }

  allows(messageKey: string, sender: string | null): boolean {
    return this.allowedOnce.has(messageKey) || (sender !== null && this.trusted.has(sender.toLowerCase()));
  }

  async setTrusted(email: string, trusted: boolean): Promise<void> {
    this.replace(await this.transport.request('remoteContent.setTrusted', { email, trusted }));
  }

  private replace(list: readonly string[]): void {
    this.trusted.clear();
    for (const email of list) this.trusted.add(email);
  }
}

const key = Symbol('remote-content');

export function setRemoteContent(value: RemoteContent): void {
  setContext(key, value);
}

export function getRemoteContent(): RemoteContent {
  const value = getContext<RemoteContent | undefined>(key);
  if (!value) throw new Error('getRemoteContent() outside the app');
  return value;
}
