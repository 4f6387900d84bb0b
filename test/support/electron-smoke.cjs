// Runs the bundled Electron main process (main.cjs) under plain Node with a recording stand-in
// for 'electron' and a keytar that finds no keychain, then plays the OS's part: the page
// loads, a second instance passes a mailto: link, macOS sends open-url, a menu item and a tray
// item are clicked, the window moves and closes. Prints what the shell did as one JSON line.
// There is no Electron binary here: this proves the wiring's order and data, not Electron.
//   node test/support/electron-smoke.cjs <main.cjs> <userData> [safeStorage backend]
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

const [mainPath, userData, backend = 'basic_text'] = process.argv.slice(2);
const calls = [];
const record = (name, ...args) => calls.push({ name, args });

class FakeContents extends EventEmitter {
  constructor() {
    super();
    this.session = { addWordToSpellCheckerDictionary: (w) => record('addWord', w) };
  }
  send(channel, event, payload) {
    record('send', channel, event, payload);
  }
  setWindowOpenHandler() {}
  replaceMisspelling(w) {
    record('replaceMisspelling', w);
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeContents();
    BrowserWindow.all.push(this);
  }
  loadURL(url) {
    record('loadURL', url);
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  isMaximized() {
    return false;
  }
  isFullScreen() {
    return false;
  }
  getNormalBounds() {
    return { x: 100, y: 80, width: 1000, height: 700 };
  }
  restore() {}
  show() {
    record('show');
  }
  focus() {}
  maximize() {}
}
BrowserWindow.all = [];

class Tray extends EventEmitter {
  constructor(image) {
    super();
    record('Tray', image.path);
    Tray.last = this;
  }
  setToolTip(text) {
    record('tray.setToolTip', text);
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
  destroy() {}
}

const app = Object.assign(new EventEmitter(), {
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  getPath: () => userData,
  getVersion: () => '0.0.0-smoke',
  getName: () => 'Meridian Mail',
  isPackaged: false,
  isDefaultProtocolClient: () => false,
  setAsDefaultProtocolClient: (...args) => record('setAsDefaultProtocolClient', ...args),
  setBadgeCount: (n) => record('setBadgeCount', n),
  getPreferredSystemLanguages: () => ['de-AT', 'en-GB'],
  quit: () => record('quit'),
  exit: (code) => record('exit', code),
});

const ciphertext = (s) => Buffer.from(`enc:${Buffer.from(s).toString('base64')}`);
const electron = {
  app,
  BrowserWindow,
  Tray,
  ipcMain: {
    handle: (channel, handler) => {
      record('ipcMain.handle', channel);
      electron.ipcHandler = handler;
    },
  },
  Notification: Object.assign(function Notification() {}, { isSupported: () => false }),
  powerMonitor: new EventEmitter(),
  protocol: { registerSchemesAsPrivileged: () => {}, handle: (scheme) => record('protocol.handle', scheme) },
  session: {
    defaultSession: {
      setPermissionRequestHandler: () => {},
      setPermissionCheckHandler: () => {},
      setSpellCheckerEnabled: (on) => record('setSpellCheckerEnabled', on),
      setSpellCheckerLanguages: (langs) => record('setSpellCheckerLanguages', langs),
      availableSpellCheckerLanguages: ['de-DE', 'en-GB', 'en-US', 'fr'],
      webRequest: { onBeforeRequest: () => record('webRequest.onBeforeRequest') },
    },
  },
  shell: { openExternal: () => Promise.resolve() },
  clipboard: { writeText: (t) => record('clipboard', t) },
  dialog: { showMessageBox: () => Promise.resolve({ response: 1 }) },
  Menu: {
    buildFromTemplate: (template) => ({ template, popup: () => record('popup') }),
    setApplicationMenu: (menu) => {
      electron.applicationMenu = menu;
    },
  },
  nativeImage: { createFromPath: (p) => ({ path: p }) },
  net: { isOnline: () => true },
  safeStorage: {
    isEncryptionAvailable: () => true,
    encryptString: (s) => ciphertext(s),
    decryptString: (b) => Buffer.from(b.toString().slice(4), 'base64').toString(),
    getSelectedStorageBackend: () => backend,
  },
  screen: {
    getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
    getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
  },
};

// No keychain answers (as on a Linux box without a Secret Service).
const keytar = {
  setPassword: () => Promise.reject(new Error('no Secret Service (smoke test)')),
  getPassword: () => Promise.resolve(null),
  deletePassword: () => Promise.resolve(false),
};

const stubs = { electron, keytar };
const load = Module._load;
Module._load = function (request, ...rest) {
  return Object.hasOwn(stubs, request) ? stubs[request] : load.call(this, request, ...rest);
};

const flatten = (items) => items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
const until = async (test, what) => {
  for (let i = 0; i < 200; i++) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

// A cold start from a link (Windows, Linux): the link is an argument of the first launch.
process.argv = [process.execPath, mainPath, 'mailto:ann@example.org?subject=Cold%20start&body=Hi%0D%0Athere&attach=/etc/passwd'];

(async () => {
  require(mainPath);
  await until(() => BrowserWindow.all.length > 0 && electron.applicationMenu && Tray.last?.menu, 'the window, the menu and the tray');
  const win = BrowserWindow.all[0];
  const sentBeforeLoad = calls.filter((c) => c.name === 'send').length;
  win.webContents.emit('did-start-loading');
  win.webContents.emit('did-finish-load');
  app.emit('second-instance', {}, ['/opt/Meridian Mail/meridian-mail', '--', 'mailto:?to=bob@example.org&cc=c@example.org&from=evil@example.org'], '/');
  app.emit('open-url', { preventDefault() {} }, 'mailto:carol@example.org');
  flatten(electron.applicationMenu.template).find((i) => i.id === 'reply').click();
  Tray.last.menu.template.find((i) => i.id === 'compose').click();
  const tray = Tray.last.menu.template.map((i) => i.label ?? i.type);
  win.webContents.emit('context-menu', {}, {
    misspelledWord: 'Nachricht',
    dictionarySuggestions: ['Nachrichten'],
    isEditable: true,
    selectionText: '',
    linkURL: '',
    editFlags: { canCut: true, canCopy: true, canPaste: true, canSelectAll: true },
  });
  win.emit('close');
  await new Promise((r) => setTimeout(r, 200));

  // The renderer asks which secret store is in use; a frame of another origin is refused.
  const trusted = await electron.ipcHandler({ senderFrame: { url: 'app://renderer/index.html' } }, 'app.info', {});
  const untrusted = await electron.ipcHandler({ senderFrame: { url: 'https://evil.example/' } }, 'app.info', {});
  const windowState = JSON.parse(fs.readFileSync(path.join(userData, 'window-state.json'), 'utf8'));
  const events = calls.filter((c) => c.name === 'send').map((c) => ({ event: c.args[1], payload: c.args[2] }));
  process.stdout.write(
    JSON.stringify({
      windowOptions: { ...win.options, webPreferences: undefined, icon: undefined },
      webPreferences: win.options.webPreferences,
      sentBeforeLoad,
      events,
      tray,
      trayTooltip: calls.filter((c) => c.name === 'tray.setToolTip').at(-1)?.args[0],
      badge: calls.filter((c) => c.name === 'setBadgeCount').at(-1)?.args[0],
      spellLanguages: calls.find((c) => c.name === 'setSpellCheckerLanguages')?.args[0],
      popup: calls.some((c) => c.name === 'popup'),
      remoteFilter: calls.some((c) => c.name === 'webRequest.onBeforeRequest'),
      setAsDefault: calls.some((c) => c.name === 'setAsDefaultProtocolClient'),
      appInfo: trusted,
      untrusted,
      windowState,
      secretsFile: fs.existsSync(path.join(userData, 'secrets.json')),
      exit: calls.find((c) => c.name === 'exit')?.args[0] ?? null,
    }) + '\n',
  );
  process.exit(0);
})().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
