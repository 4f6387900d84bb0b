import { join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isPermissionAllowed,
  isSafeExternalUrl,
  isTrustedSenderUrl,
  rendererIndexUrl,
  secureWebPreferences,
} from '../../electron/shell/security';
import { contentTypeFor, rendererCsp, resolveStaticPath } from '../../electron/shell/static-files';

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer', () => {
    const prefs = secureWebPreferences('/app/dist/electron/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/electron/preload.cjs',
    });
  });
});

describe('isTrustedSenderUrl', () => {
  it('accepts pages of the app://renderer origin', () => {
    expect(isTrustedSenderUrl(rendererIndexUrl)).toBe(true);
    expect(isTrustedSenderUrl('app://renderer/index.html#/inbox')).toBe(true);
    expect(isTrustedSenderUrl('app://renderer/')).toBe(true);
  });

  it.each([
    undefined,
    null,
    '',
    'about:blank',
    'https://renderer/index.html',
    'http://127.0.0.1:4517/',
    'file:///app/dist/renderer/index.html',
    'app://evil/index.html',
    'app://renderer.evil/index.html',
    'app://renderer:8080/index.html',
    'app://user@renderer/index.html',
    'app://RENDERER.evil/',
    'not a url',
  ])('rejects %s', (url) => {
    expect(isTrustedSenderUrl(url)).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it.each(['https://example.com/', 'http://example.com/path?q=1#x', 'HTTPS://Example.com'])('allows %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'mailto:someone@example.com',
    'ms-msdt:/id PCWDiagnostic',
    'smb://server/share',
    'app://renderer/index.html',
    'https://user:pass@example.com/',
    'https:',
    '//example.com',
    'not a url',
    '',
  ])('rejects %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });
});

describe('isPermissionAllowed', () => {
  it('allows only notifications', () => {
    expect(isPermissionAllowed('notifications')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'midi', 'unknown']) {
      expect(isPermissionAllowed(p)).toBe(false);
    }
  });
});

describe('resolveStaticPath', () => {
  const root = resolve('/srv/renderer');

  it('maps / to index.html and files below the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/index.html')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app-1234.js')).toBe(join(root, 'assets', 'app-1234.js'));
    expect(resolveStaticPath(root, '/assets/a%20b.css')).toBe(join(root, 'assets', 'a b.css'));
    // `..` that stays inside the root is harmless.
    expect(resolveStaticPath(root, '/assets/../index.html')).toBe(join(root, 'index.html'));
  });

  it.each([
    '/../../etc/passwd',
    '/..',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/assets/..%2F..%2F..%2Fetc/passwd',
    '/..%5c..%5cwindows%5cwin.ini',
    '/index.html%00.js',
    '/%E0%A4%A',
    '/../renderer-secrets/x',
  ])('rejects %s', (pathname) => {
    const file = resolveStaticPath(root, pathname);
    // A backslash is only a separator on Windows; elsewhere it is a filename character and the
    // result stays inside the root, which is all that matters.
    if (file !== null) expect(file.startsWith(root + sep)).toBe(true);
    if (!pathname.includes('%5c')) expect(file).toBeNull();
  });
});

describe('static helpers', () => {
  it('knows the renderer content types', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('a.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('noext')).toBe('application/octet-stream');
  });

  it('builds a CSP that forbids plugins, framing and base rewriting', () => {
    const csp = rendererCsp(['ws://127.0.0.1:1234']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:1234");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("img-src 'self' data:");
    // Remote images may load (inside mail frames, once allowed) but scripts only from the app.
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(https?:|'unsafe)/);
  });
});
