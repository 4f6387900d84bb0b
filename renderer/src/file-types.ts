// Which files may be opened for viewing, and under what name they are saved. No DOM here, so
// the rules are unit-tested under Node.

/** The type to open a file as in a new window, or null: save only. */
export function viewerType(type: string): string | null {
  const t = type.split(';')[0]!.trim().toLowerCase();
  // Raster images only: an SVG is a document that can carry script.
  if (/^image\/(png|jpeg|jpg|gif|webp|avif|bmp)$/.test(t)) return t === 'image/jpg' ? 'image/jpeg' : t;
  if (t === 'application/pdf') return 'application/pdf';
  if (t === 'text/plain') return 'text/plain; charset=utf-8';
  return null;
}

/** A name safe to suggest to the file system: no folders, no control characters. */
export function safeFileName(name: string, fallback = 'attachment'): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').replace(/^[.\s]+|[.\s]+$/g, '').slice(0, 200);
  return cleaned || fallback;
}
