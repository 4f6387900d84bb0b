// The Electron shell: one window, the renderer served from app://renderer/, and the core
// reached only through the 'ipc:request' channel. Decisions live in ./shell (unit-tested).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, powerMonitor, protocol, session, shell, type WebContents } from 'electron';
import type { Envelope } from '../shared/errors';
import { createCore, type Core } from './core/core';
import { KeytarSecretStore } from './core/secrets/keytar-store';
import { MemorySecretStore, type SecretStore } from './core/secrets/secret-store';
import {
  appScheme,
  eventChannel,
  isPermissionAllowed,
  isSafeExternalUrl,
  isTrustedSenderUrl,
  rendererHost,
  rendererIndexUrl,
  requestChannel,
  secureWebPreferences,
} from './shell/security';
import { contentTypeFor, rendererCsp, resolveStaticPath, securityHeaders } from './shell/static-files';

// Bundled to dist/electron/main.cjs; the preload and the renderer build sit beside it.
const preloadPath = join(__dirname, 'preload.cjs');
const rendererDir = join(__dirname, '..', 'renderer');
const csp = rendererCsp();

// Must happen before 'ready': a standard, secure scheme gets a real origin (app://renderer),
// so 'self' in the CSP and relative URLs behave as on https.
protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let core: Core | null = null;
let win: BrowserWindow | null = null;

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const file = url.host === rendererHost ? resolveStaticPath(rendererDir, url.pathname) : null;
  if (file) {
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { ...securityHeaders(csp), 'Content-Type': contentTypeFor(file) } });
    } catch {
      // Missing file or a directory: fall through to 404.
    }
  }
  return new Response('Not Found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

async function openSecretStore(): Promise<SecretStore> {
  try {
    return await KeytarSecretStore.open();
  } catch (err) {
    // Electron's safeStorage would be the persistent fallback here; it is not implemented
    // yet, so passwords last only as long as the process and the UI says so (app.info).
    console.warn(
      `No system keychain is available (${err instanceof Error ? err.message : String(err)}); ` +
        'passwords will be kept in memory and forgotten when the app quits.',
    );
    return new MemorySecretStore();
  }
}

function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The app is a single page; any navigation is a link click or an attack. Links go to the browser.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (win === window) win = null;
  });
  void window.loadURL(rendererIndexUrl);
  return window;
}

async function start(): Promise<void> {
  await app.whenReady();
  const secrets = await openSecretStore();
  core = await createCore({ dataDir: app.getPath('userData'), secrets, version: app.getVersion() });
  const ready = core;

  protocol.handle(appScheme, serveRenderer);
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));

  ipcMain.handle(requestChannel, async (event, method: unknown, params: unknown): Promise<Envelope<unknown>> => {
    if (!isTrustedSenderUrl(event.senderFrame?.url)) {
      return { ok: false, error: { code: 'bad-message', message: 'request from an untrusted frame' } };
    }
    return ready.dispatch(method, params);
  });
  ready.onEvent(({ event, payload }) => {
    if (win && !win.isDestroyed()) win.webContents.send(eventChannel, event, payload);
  });

  // After sleep the mail is stale: sync at once rather than at the next poll.
  powerMonitor.on('resume', () => void ready.dispatch('sync.now', {}));

  win = createWindow();
}

// Two instances would share one SQLite database; the second one focuses the first instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => app.quit());

  app.on('will-quit', (event) => {
    if (!core) return;
    // Let the core finish its writes before the process goes.
    event.preventDefault();
    const closing = core;
    core = null;
    void closing
      .close()
      .catch((err: unknown) => console.error('closing the core failed', err))
      .finally(() => app.quit());
  });

  start().catch((err: unknown) => {
    console.error('startup failed', err);
    app.exit(1);
  });
}
