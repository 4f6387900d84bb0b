// OS integration wiring for main.ts: mailto links, the menu, tray and badge, window state,
// spell-check, network return and the secret store. Every decision is in ./shell (pure,
// unit-tested); this file only connects those pieces to Electron's objects.
import { join } from 'node:path';
import {
  app,
  clipboard,
  dialog,
  Menu,
  nativeImage,
  net,
  safeStorage,
  screen,
  Tray,
  type BrowserWindow,
  type BrowserWindowConstructorOptions,
  type Session,
  type WebContents,
} from 'electron';
import type { EventPayload } from '../shared/contract';
import type { Action } from '../shared/keymap';
import { typedTransport, type Transport } from '../shared/transport';
import type { Core } from './core/core';
import { KeytarSecretStore } from './core/secrets/keytar-store';
import type { SecretStore } from './core/secrets/secret-store';
import { appMenuTemplate } from './shell/app-menu';
import { readJsonFile, writeJsonFile } from './shell/json-file';
import { LogFile, teeConsole } from './shell/log-file';
import { findMailtoArg, parseMailto, protocolClientArgs, RendererQueue, shouldOfferDefaultMailApp } from './shell/mailto';
import { OnlineWatcher } from './shell/online-watch';
import { openDesktopSecretStore } from './shell/secret-fallback';
import { allowRequest } from './shell/remote-requests';
import { eventChannel } from './shell/security';
import { editContextMenuTemplate, spellCheckerLanguages } from './shell/spellcheck';
import { inboxUnreadTotal, trayMenuTemplate, trayTooltip, UnreadCounter, wantsTray } from './shell/unread';
import { minWindowSize, restoreWindowState, WindowStateFile, type WindowState } from './shell/window-state';

type ShellEvent = 'ui.compose' | 'ui.command';

export interface DesktopHost {
  /** The main window, or null while there is none. */
  window(): BrowserWindow | null;
  /** Brings the main window to the front (restoring or showing it). */
  showWindow(): void;
}

const appName = (): string => app.getName();

/** Passwords: keychain, else safeStorage in userData/secrets.json, else memory (and the UI says so). */
export function openSecrets(): Promise<SecretStore> {
  return openDesktopSecretStore({
    openKeychain: () => KeytarSecretStore.open(),
    safeStorage,
    platform: process.platform,
    safeStoragePath: join(app.getPath('userData'), 'secrets.json'),
    log: (message) => console.warn(message),
  });
}

/** A Transport over the core inside this process, for the shell's own requests (unread counts). */
export function coreTransport(core: Core): Transport {
  return typedTransport({
    invoke: (method, params) => core.dispatch(method, params),
    onEvent: (listener) => core.onEvent(({ event, payload }) => listener(event, payload)),
  });
}

/** userData/logs/main.log (rotated, redacted); console output, the core's included, goes there too. */
export function openLogFile(): LogFile {
  const log = new LogFile({ dir: join(app.getPath('userData'), 'logs') });
  teeConsole(console, log);
  return log;
}

/**
 * Cancels the pages' network requests that mail could abuse (see ./shell/remote-requests for
 * the rule and why it is sound without knowing which message the reader allowed).
 */
export function blockRemoteRequests(ses: Session): void {
  ses.webRequest.onBeforeRequest((details, callback) => {
    let frame: { url: string; isSubframe: boolean } | null = null;
    try {
      if (details.frame) frame = { url: details.frame.url, isSubframe: details.frame.parent !== null };
    } catch {
      // The frame went away meanwhile: unknown, so denied below for remote URLs.
    }
    const allowed = allowRequest({ url: details.url, resourceType: details.resourceType, fromPage: details.webContentsId !== undefined, frame });
    callback({ cancel: !allowed });
  });
}

// ---- mailto: links ----

/** Links opened before the renderer can take them (a cold start from a link) wait here. */
const composeQueue = new RendererQueue<EventPayload<'ui.compose'>>();

export function openMailto(url: string, host: DesktopHost): void {
  const fields = parseMailto(url);
  if (!fields) return;
  host.showWindow();
  composeQueue.push(fields);
}

/** Windows and Linux pass the link as an argument: on the first launch and to 'second-instance'. */
export function openMailtoFromArgv(argv: readonly string[], host: DesktopHost): void {
  const url = findMailtoArg(argv);
  if (url) openMailto(url, host);
}

/**
 * macOS delivers links as 'open-url', possibly before 'ready' (a cold start from a link), so
 * this must be installed at once, not after startup.
 */
export function listenForOpenUrl(host: DesktopHost): void {
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openMailto(url, host);
  });
}

function send<E extends ShellEvent>(window: BrowserWindow | null, event: E, payload: EventPayload<E>): void {
  if (window && !window.isDestroyed()) window.webContents.send(eventChannel, event, payload);
}

/** Queued links go to the page once it has loaded, and wait again while it reloads. */
function attachComposeQueue(window: BrowserWindow): void {
  const contents = window.webContents;
  contents.on('did-finish-load', () => composeQueue.ready((fields) => send(window, 'ui.compose', fields)));
  contents.on('did-start-loading', () => composeQueue.unready());
  contents.on('render-process-gone', () => composeQueue.unready());
  window.on('closed', () => composeQueue.unready());
}

const prefsPath = (): string => join(app.getPath('userData'), 'desktop.json');

/** Offers once, in a packaged app, to become the default mail app (see shouldOfferDefaultMailApp). */
export async function offerDefaultMailApp(window: BrowserWindow): Promise<void> {
  const prefs = readJsonFile(prefsPath());
  if (!shouldOfferDefaultMailApp({ isPackaged: app.isPackaged, isDefault: app.isDefaultProtocolClient('mailto'), prefs })) return;
  await writeJsonFile(prefsPath(), { ...(typeof prefs === 'object' && prefs !== null ? prefs : {}), mailtoAsked: true }, 0o644);
  const { response } = await dialog.showMessageBox(window, {
    type: 'question',
    buttons: ['Make Default', 'Not Now'],
    defaultId: 0,
    cancelId: 1,
    message: `Use ${appName()} for email links?`,
    detail: 'Email links (mailto:) in your browser and other apps will open a new message here. You can change this later in your system settings.',
  });
  if (response === 0) {
    const args = protocolClientArgs({ defaultApp: process.defaultApp === true, execPath: process.execPath, appPath: process.argv[1] });
    app.setAsDefaultProtocolClient(...args);
  }
}

// ---- window ----

const windowStateFile = (): WindowStateFile => new WindowStateFile(join(app.getPath('userData'), 'window-state.json'));

/** Options for the main window: its saved place on a display that still exists. */
export function mainWindowPlacement(): { options: BrowserWindowConstructorOptions; state: WindowState; file: WindowStateFile } {
  const file = windowStateFile();
  const state = restoreWindowState(
    file.load(),
    screen.getAllDisplays().map((d) => d.workArea),
    screen.getPrimaryDisplay().workArea,
  );
  const options: BrowserWindowConstructorOptions = {
    ...state.bounds,
    minWidth: minWindowSize.width,
    minHeight: minWindowSize.height,
    title: appName(),
  };
  // Windows and macOS take the icon from the executable; Linux (unpackaged) needs it given.
  if (process.platform === 'linux') options.icon = join(__dirname, 'icon.png');
  return { options, state, file };
}

/** Remembers the window's normal bounds and maximized state as the user changes them. */
export function trackWindowState(window: BrowserWindow, file: WindowStateFile, initial: WindowState): void {
  if (initial.maximized) window.once('ready-to-show', () => window.maximize());
  const read = (): WindowState => ({ bounds: window.getNormalBounds(), maximized: window.isMaximized() });
  const soon = (): void => {
    if (!window.isDestroyed() && !window.isFullScreen()) file.saveSoon(read);
  };
  window.on('resize', soon);
  window.on('move', soon);
  window.on('maximize', soon);
  window.on('unmaximize', soon);
  window.on('close', () => void file.save(read()).catch((err: unknown) => console.warn('saving the window state failed', err)));
}

/** The main window's right-click menu (spelling suggestions, edit commands) and its mailto queue. */
export function attachMainWindow(window: BrowserWindow): void {
  const contents: WebContents = window.webContents;
  contents.on('context-menu', (_event, params) => {
    const template = editContextMenuTemplate(params, {
      replaceMisspelling: (word) => contents.replaceMisspelling(word),
      addToDictionary: (word) => contents.session.addWordToSpellCheckerDictionary(word),
      copyText: (text) => clipboard.writeText(text),
    });
    if (template.length) Menu.buildFromTemplate(template).popup({ window });
  });
  attachComposeQueue(window);
}

/** The spellchecker's languages from the OS's (macOS's checker picks its own). */
export function configureSpellcheck(ses: Session): void {
  if (process.platform === 'darwin') return;
  ses.setSpellCheckerEnabled(true);
  const languages = spellCheckerLanguages(app.getPreferredSystemLanguages(), ses.availableSpellCheckerLanguages);
  if (languages.length) ses.setSpellCheckerLanguages(languages);
}

// ---- menus, tray, badge, network ----

function runCommand(host: DesktopHost, action: Action): void {
  host.showWindow();
  send(host.window(), 'ui.command', { command: action });
}

export function installAppMenu(host: DesktopHost, checkMail: () => void): void {
  const template = appMenuTemplate({
    platform: process.platform,
    appName: appName(),
    isDev: !app.isPackaged,
    actions: { command: (command) => runCommand(host, command), checkMail },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/**
 * The dock badge (macOS, Unity launchers) and, on Windows and Linux, a tray icon with the
 * count and quick actions, kept up to date from the core's events. Returns a stop function.
 */
export function installUnreadIndicators(host: DesktopHost, core: Core, checkMail: () => void): () => void {
  const transport = coreTransport(core);
  let tray: Tray | null = null;
  if (wantsTray(process.platform)) {
    const image = nativeImage.createFromPath(join(__dirname, 'tray.png'));
    tray = new Tray(image);
    // Windows: a click on the icon opens the app (Linux trays mostly only show the menu).
    tray.on('click', () => host.showWindow());
  }
  const apply = (count: number): void => {
    if (process.platform !== 'win32') app.setBadgeCount(count);
    if (!tray) return;
    tray.setToolTip(trayTooltip(appName(), count));
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayMenuTemplate(appName(), count, {
          show: () => host.showWindow(),
          compose: () => runCommand(host, 'compose'),
          checkMail,
          quit: () => app.quit(),
        }),
      ),
    );
  };
  const counter = new UnreadCounter({
    count: async () => {
      const accounts = await transport.request('accounts.list', {});
      const lists = await Promise.all(accounts.map((a) => transport.request('mailboxes.list', { accountId: a.id })));
      return inboxUnreadTotal(lists);
    },
    apply,
    onError: (err) => console.warn('counting unread mail failed', err),
  });
  const offs = (['mailboxes.changed', 'accounts.changed', 'emails.changed'] as const).map((e) => transport.on(e, () => counter.schedule()));
  apply(0);
  void counter.recount();
  return () => {
    offs.forEach((off) => off());
    counter.stop();
    tray?.destroy();
  };
}

/** Network return (offline → online) syncs at once; the renderer's 'online' event may too, harmlessly. */
export function watchNetwork(syncNow: () => void): OnlineWatcher {
  const watcher = new OnlineWatcher({ isOnline: () => net.isOnline(), onOnline: syncNow });
  watcher.start();
  return watcher;
}
