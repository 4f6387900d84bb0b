// Maps anything thrown inside the core to an IpcError the UI can explain.
import { IpcError } from '../../shared/errors';
import {
  JmapAuthError,
  JmapDiscoveryError,
  JmapError,
  JmapNetworkError,
} from './jmap/errors';

export function toIpcError(err: unknown): IpcError {
  if (err instanceof IpcError) return err;
  if (err instanceof JmapAuthError) return new IpcError({ code: 'auth-failed', message: err.message });
  if (err instanceof JmapNetworkError) return new IpcError({ code: 'server-unreachable', message: err.message });
  if (err instanceof JmapDiscoveryError) return new IpcError({ code: 'discovery-failed', message: err.message });
  if (err instanceof JmapError) return new IpcError({ code: 'jmap-error', message: err.message });
  console.error('internal error', err);
  return new IpcError({ code: 'internal', message: `Internal error: ${err instanceof Error ? err.message : String(err)}` });
}
