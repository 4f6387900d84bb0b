// Handing bytes from a message to the user: open in a new window (only types that run no
// script), or save with a download. The bytes become a blob: URL of our own making, typed by
// us — never by the sender — so a file cannot pass for a type that would run.
import { safeFileName, viewerType } from './file-types';

export { safeFileName, viewerType };

export function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Long enough for the new window or the download to have read the blob. */
const revokeAfterMs = 60_000;

function blobUrl(bytes: Uint8Array<ArrayBuffer>, type: string): string {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  setTimeout(() => URL.revokeObjectURL(url), revokeAfterMs);
  return url;
}

/** Saves through the browser's download, as an opaque file whatever the sender called it. */
export function saveBytes(bytes: Uint8Array<ArrayBuffer>, name: string): void {
  const a = document.createElement('a');
  a.href = blobUrl(bytes, 'application/octet-stream');
  a.download = safeFileName(name);
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Opens in a new window or tab. Returns false when the browser blocked the window. */
export function openBytes(bytes: Uint8Array<ArrayBuffer>, type: string): boolean {
  const viewer = viewerType(type);
  if (!viewer) return false;
  const opened = window.open(blobUrl(bytes, viewer), '_blank');
  if (!opened) return false;
  // The viewer runs no script of ours and needs no way back to this window.
  opened.opener = null;
  return true;
}
