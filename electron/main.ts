// The Electron shell: one window, the renderer served from app://renderer/, and the core
// reached only through the 'ipc:request' channel. Decisions live in ./shell (unit-tested).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Notification, powerMonitor, protocol, session, shell, type WebContents } from 'electron';
import type { EventPayload } from '../shared/contract';
import type { Envelope } from '../shared/errors';
import { describeArrival } from '../shared/mail-notification';
import { describeReminder } from '../shared/reminder-notification';
import { createCore, type Core } from './core/core';
import {
  attachMainWindow,
  blockRemoteRequests,
  configureSpellcheck,
  installAppMenu,
  installUnreadIndicators,
  listenForOpenUrl,
  mainWindowPlacement,
  offerDefaultMailApp,
  openLogFile,
  openMailtoFromArgv,
  openSecrets,
  trackWindowState,
  watchNetwork,
  type DesktopHost,
} from './desktop';
import {
  appScheme,
  attachmentWebPreferences,
  eventChannel,
  isAttachmentWindowUrl,
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

/** The main window as the OS integration (./desktop: mailto, menu, tray) sees it. */
const desktopHost: DesktopHost = {
  window: () => (win && !win.isDestroyed() ? win : null),
  showWindow() {
    // Before startup has made the window (a cold start from a link) there is nothing to show yet.
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  },
};

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

function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAttachmentWindowUrl(url)) {
      return { action: 'allow', overrideBrowserWindowOptions: { autoHideMenuBar: true, webPreferences: attachmentWebPreferences() } };
    }
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

/** Shown notifications, referenced until they go: a collected one no longer reports its click. */
const notifications = new Set<Notification>();

/**
 * Shows an OS notification. A click brings the window back (made anew if it was closed, as the
 * app keeps running for reminders and new mail), then runs `then` on it.
 */
function notify(title: string, body: string, then?: (window: BrowserWindow) => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title, body });
  notifications.add(notification);
  notification.on('close', () => notifications.delete(notification));
  notification.on('click', () => {
    notifications.delete(notification);
    if (!win || win.isDestroyed()) win = createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    then?.(win);
  });
  notification.show();
}

/** New mail; a click opens that message. */
function notifyArrival(payload: EventPayload<'mail.arrived'>): void {
  const text = describeArrival(payload);
  // Not a core event: the shell speaks on the event channel for the user's click. A window made
  // just now gets it once its page has loaded.
  notify(text.title, text.body, (window) => {
    if (!text.open) return;
    const send = () => window.webContents.send(eventChannel, 'ui.openMessage', text.open);
    if (window.webContents.isLoading()) window.webContents.once('did-finish-load', send);
    else send();
  });
}

/** A calendar alert came due. */
function notifyReminder(payload: EventPayload<'calendar.reminder'>): void {
  const text = describeReminder(payload);
  notify(text.title, text.body);
}

function createWindow(): BrowserWindow {
  // Where the user left it, on a display that still exists.
  const placement = mainWindowPlacement();
  const window = new BrowserWindow({
    ...placement.options,
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  trackWindowState(window, placement.file, placement.state);
  attachMainWindow(window);
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (win === window) win = null;
  });
  void window.loadURL(rendererIndexUrl);
  return window;
}

async function start(): Promise<void> {
  const log = openLogFile();
  await app.whenReady();
  const secrets = await openSecrets();
  core = await createCore({ dataDir: app.getPath('userData'), secrets, version: app.getVersion(), logTail: (lines) => log.tail(lines) });
  const ready = core;

  protocol.handle(appScheme, serveRenderer);
  blockRemoteRequests(session.defaultSession);
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
  configureSpellcheck(session.defaultSession);

  ipcMain.handle(requestChannel, async (event, method: unknown, params: unknown): Promise<Envelope<unknown>> => {
    if (!isTrustedSenderUrl(event.senderFrame?.url)) {
      return { ok: false, error: { code: 'bad-message', message: 'request from an untrusted frame' } };
    }
    return ready.dispatch(method, params);
  });
  ready.onEvent(({ event, payload }) => {
    if (win && !win.isDestroyed()) win.webContents.send(eventChannel, event, payload);
  });
  ready.onEvent((e) => {
    if (e.event === 'mail.arrived') notifyArrival(e.payload);
    if (e.event === 'calendar.reminder') notifyReminder(e.payload);
  });

  // After sleep the mail is stale and reminder timers are off: sync and re-arm at once.
  powerMonitor.on('resume', () => ready.wake());

  win = createWindow();

  const checkMail = (): void => void ready.dispatch('sync.now', {});
  installAppMenu(desktopHost, checkMail);
  installUnreadIndicators(desktopHost, ready, checkMail);
  watchNetwork(checkMail);
  // Windows and Linux: a link that launched the app arrives as an argument.
  openMailtoFromArgv(process.argv, desktopHost);
  const first = win;
  first.once('ready-to-show', () => {
    offerDefaultMailApp(first).catch((err: unknown) => console.warn('offering to handle mailto: failed', err));
  });
}

// Two instances would share one SQLite database; the second one focuses the first instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    desktopHost.showWindow();
    // Windows and Linux start a second instance for a mailto: link; it lands here.
    openMailtoFromArgv(argv, desktopHost);
  });
  // macOS: links arrive as 'open-url', possibly before 'ready'.
  listenForOpenUrl(desktopHost);
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
