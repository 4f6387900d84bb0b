// main.ts and desktop.ts wire the shell's pure pieces into Electron. There is no Electron
// binary here, so the real bundle (main.cjs, as `npm start` builds it) runs under Node against
// a recording stand-in for 'electron' (test/support/electron-smoke.cjs). This proves the
// order and the data of the wiring; how Electron itself reacts is for a machine with Electron.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureWebPreferences } from '../../electron/shell/security';

const root = join(__dirname, '..', '..');
// Inside the repository (.tmp/ is ignored), so the bundle finds node_modules for better-sqlite3.
const outdir = join(root, '.tmp', `desktop-wiring-${process.pid}`, 'electron');

interface Report {
  windowOptions: Record<string, unknown>;
  webPreferences: Record<string, unknown>;
  sentBeforeLoad: number;
  remoteFilter: boolean;
  events: { event: string; payload: unknown }[];
  tray: string[];
  trayTooltip: string;
  badge: number;
  spellLanguages: string[];
  popup: boolean;
  setAsDefault: boolean;
  appInfo: { ok: boolean; value?: { secretStore: { kind: string; persistent: boolean; description: string } } };
  untrusted: { ok: boolean; error?: { code: string } };
  windowState: unknown;
  secretsFile: boolean;
  exit: number | null;
}

function run(backend: string): Report {
  const userData = mkdtempSync(join(tmpdir(), 'desktop-wiring-'));
  try {
    const out = execFileSync(process.execPath, [join(root, 'test/support/electron-smoke.cjs'), join(outdir, 'main.cjs'), userData, backend], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Report;
  } finally {
    rmSync(userData, { recursive: true, force: true });
  }
}

let report: Report;
beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/build-electron.mjs'), '--outdir', outdir], { stdio: 'pipe', timeout: 120_000 });
  report = run('basic_text');
}, 180_000);
afterAll(() => {
  rmSync(join(outdir, '..'), { recursive: true, force: true });
});

describe('the bundled main process, against a stand-in Electron', () => {
  it('starts without error and opens a secured window where it was last (or centred)', () => {
    expect(report.exit).toBeNull();
    // Remote requests are filtered at the session level from the start.
    expect(report.remoteFilter).toBe(true);
    expect(report.webPreferences).toEqual(secureWebPreferences(join(outdir, 'preload.cjs')));
    expect(report.windowOptions).toMatchObject({ x: 360, y: 120, width: 1200, height: 800, minWidth: 640, show: false });
    // Remembered on close.
    expect(report.windowState).toEqual({ bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: false });
  });

  it('delivers mailto: links from the first launch, a second instance and open-url, once the page has loaded', () => {
    expect(report.sentBeforeLoad).toBe(0);
    const composes = report.events.filter((e) => e.event === 'ui.compose').map((e) => e.payload);
    expect(composes).toEqual([
      // The attach= of the cold-start link is ignored.
      { to: ['ann@example.org'], cc: [], bcc: [], subject: 'Cold start', body: 'Hi\nthere' },
      { to: ['bob@example.org'], cc: ['c@example.org'], bcc: [], subject: '', body: '' },
      { to: ['carol@example.org'], cc: [], bcc: [], subject: '', body: '' },
    ]);
  });

  it('sends menu and tray commands to the renderer as ui.command', () => {
    expect(report.events.filter((e) => e.event === 'ui.command').map((e) => e.payload)).toEqual([{ command: 'reply' }, { command: 'compose' }]);
  });

  it('shows the unread count in the tray and on the badge', () => {
    expect(report.tray).toEqual(['No unread messages', 'separator', 'Show Meridian Mail', 'New Message', 'Check Mail', 'separator', 'Quit']);
    expect(report.trayTooltip).toBe('Meridian Mail — No unread messages');
    expect(report.badge).toBe(0);
  });

  it('spell-checks in the OS languages and offers suggestions on right-click', () => {
    expect(report.spellLanguages).toEqual(['de-DE', 'en-GB']);
    expect(report.popup).toBe(true);
  });

  it('never claims mailto: unpackaged', () => {
    expect(report.setAsDefault).toBe(false);
  });

  it('answers only its own origin over IPC', () => {
    expect(report.appInfo.ok).toBe(true);
    expect(report.untrusted).toMatchObject({ ok: false, error: { code: 'bad-message' } });
  });

  it('without a keychain and with basic_text safeStorage: memory only, told, and no file', () => {
    expect(report.appInfo.value?.secretStore).toMatchObject({ kind: 'memory', persistent: false });
    expect(report.secretsFile).toBe(false);
  });

  it('without a keychain but with a real safeStorage backend: encrypted file storage', () => {
    const withKeyring = run('gnome_libsecret');
    expect(withKeyring.appInfo.value?.secretStore).toMatchObject({ kind: 'safe-storage', persistent: true });
    expect(withKeyring.appInfo.value?.secretStore.description).toContain('gnome_libsecret');
  }, 60_000);
});
