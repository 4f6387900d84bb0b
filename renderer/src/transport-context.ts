// The transport for components that need only the contract (calendar, contacts), without the
// mail state that carries it for the mail space.
import { getContext, setContext } from 'svelte';
import type { Transport } from '../../shared/transport';

const key = Symbol('transport');

export function setTransport(transport: Transport): void {
  setContext(key, transport);
}

export function getTransport(): Transport {
  const transport = getContext<Transport | undefined>(key);
  if (!transport) throw new Error('getTransport() outside the app');
  return transport;
}
