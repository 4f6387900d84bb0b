// Serving the built renderer: shared by the headless host (HTTP) and the Electron shell
// (app:// protocol). Pure Node, no 'electron' import, so it is unit-testable.
import { extname, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL pathname (still percent-encoded) to a file under root, or null when it is
 * malformed or would land outside root. `/` maps to index.html. Existence is not checked.
 */
export function resolveStaticPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  if (decoded === '' || decoded === '/') decoded = '/index.html';
  const base = resolve(root);
  // Resolving the decoded path catches `..`, `%2e%2e`, `..%2f` and (on Windows) `..\`.
  const file = resolve(base, '.' + (decoded.startsWith('/') ? decoded : '/' + decoded));
  return file.startsWith(base + sep) ? file : null;
}

/**
 * The renderer's Content-Security-Policy; extraConnect adds e.g. the host's ws:// origins.
 * Mail is shown in sandboxed srcdoc frames, which inherit this policy on top of their own
 * (default-src 'none' until the reader allows remote content for a message). So images,
 * styles and fonts may come from the web here, or "Load remote content" could never work;
 * scripts stay 'self' only.
 */
export function rendererCsp(extraConnect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    ['connect-src', "'self'", ...extraConnect].join(' '),
    "img-src 'self' data: https: http:",
    "style-src 'self' 'unsafe-inline' https: http:",
    "font-src 'self' data: https: http:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers sent with every renderer file, whichever transport serves it. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}
