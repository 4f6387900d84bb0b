// Frames of the headless host's WebSocket. The id comes first in every request frame so the
// host can still answer an oversized frame, by reading the id from its first bytes.
import type { Envelope } from './errors';

export interface RequestFrame {
  id: number;
  method: string;
  params: unknown;
}
export type ResponseFrame = { id: number | null } & Envelope<unknown>;
export interface EventFrame {
  event: string;
  payload: unknown;
}

/** Largest request frame the host will parse (1 MiB); larger ones get payload-too-large. */
export const maxRequestFrameBytes = 1024 * 1024;
/** The query parameter carrying the per-launch token. */
export const tokenParam = 'token';
