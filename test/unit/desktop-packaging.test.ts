// The electron-builder configuration, checked offline: electron-builder itself is not
// installed here (it downloads platform tools), so this asserts what the installers depend on.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

interface Target {
  target: string;
  arch?: string[];
}
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  protocols: { name: string; schemes: string[] }[];
  mac: { target: Target[]; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; icon: string; category: string };
  win: { target: Target[]; icon: string };
  nsis: Record<string, unknown>;
  linux: { target: string[]; icon: string; category: string; mimeTypes: string[] };
  deb: { depends: string[] };
}

const config = JSON.parse(read('electron-builder.json')) as BuilderConfig;
const pkg = JSON.parse(read('package.json')) as { main: string; productName: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(join(root, file));
  expect(data.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
  expect(data.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('electron-builder.json', () => {
  it('names the app', () => {
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('Meridian Mail');
    expect(pkg.productName).toBe(config.productName);
  });

  it('packs the built app and nothing else of the repository', () => {
    expect(config.files).toEqual(['dist/**', 'package.json']);
    expect(pkg.main.startsWith('dist/')).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.directories.buildResources).toBe('resources');
    expect(read('.gitignore')).toMatch(new RegExp(`^${config.directories.output}/$`, 'm'));
  });

  it('unpacks and rebuilds every native module the main bundle leaves external', () => {
    const script = read('scripts/build-electron.mjs');
    const external = /external:\s*\[([^\]]*)\]/.exec(script)![1]!.match(/'([^']+)'/g)!.map((s) => s.slice(1, -1));
    // Native modules that ship: externals that are runtime dependencies (bufferutil and
    // utf-8-validate are optional ws accelerators, not installed).
    const native = external.filter((m) => m !== 'electron' && m in pkg.dependencies);
    expect(native.sort()).toEqual(['better-sqlite3', 'keytar']);
    for (const m of native) expect(config.asarUnpack).toContain(`**/node_modules/${m}/**/*.node`);
    expect(config.npmRebuild).toBe(true);
    // Electron is a build tool here, never a runtime dependency (it would be packed twice).
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(pkg.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('registers mailto', () => {
    expect(config.protocols).toEqual([{ name: 'Email', schemes: ['mailto'] }]);
    expect(config.linux.mimeTypes).toEqual(['x-scheme-handler/mailto']);
  });

  it('macOS: universal dmg and zip, hardened runtime with an entitlements file', () => {
    expect(config.mac.target).toEqual([
      { target: 'dmg', arch: ['universal'] },
      { target: 'zip', arch: ['universal'] },
    ]);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.category).toBe('public.app-category.productivity');
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
    const plist = read(config.mac.entitlements);
    expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
    // Nothing that weakens the hardened runtime beyond what V8 needs.
    expect(plist).not.toMatch(/disable-library-validation|allow-dyld-environment-variables|get-task-allow|disable-executable-page-protection/);
  });

  it('Windows: NSIS; Linux: AppImage and deb in Network;Email with libsecret for keytar', () => {
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.nsis.oneClick).toBe(false);
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category.split(';')).toEqual(['Network', 'Email']);
    expect(config.deb.depends).toContain('libsecret-1-0');
  });
});

describe('icons in resources/', () => {
  it('has the SVG source', () => {
    expect(read('resources/icon.svg')).toMatch(/^<svg [^>]*viewBox="0 0 16 16"/);
  });

  it('has a 1024 px PNG and the Linux size set', () => {
    expect(pngSize('resources/icon.png')).toEqual({ width: 1024, height: 1024 });
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(`${config.linux.icon}/${size}x${size}.png`)).toEqual({ width: size, height: size });
    }
  });

  it('has a Windows .ico with 16 to 256 px images', () => {
    const ico = readFileSync(join(root, config.win.icon));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => ico[6 + 16 * i] || 256);
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
    for (let i = 0; i < count; i++) {
      const offset = ico.readUInt32LE(6 + 16 * i + 12);
      expect(ico.subarray(offset, offset + 4).toString('hex')).toBe('89504e47');
    }
  });

  it('has a macOS .icns up to 1024 px', () => {
    const icns = readFileSync(join(root, config.mac.icon));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) types.push(icns.subarray(at, at + 4).toString('ascii'));
    expect(types).toEqual(['icp4', 'icp5', 'icp6', 'ic07', 'ic08', 'ic09', 'ic10']);
  });

  it('has the tray icons the shell loads (copied beside main.cjs by the build)', () => {
    expect(pngSize('resources/tray.png')).toEqual({ width: 16, height: 16 });
    expect(pngSize('resources/tray@2x.png')).toEqual({ width: 32, height: 32 });
    const script = read('scripts/build-electron.mjs');
    for (const file of ['resources/tray.png', 'resources/tray@2x.png', 'resources/icons/256x256.png']) {
      expect(script).toContain(`'${file}'`);
      expect(existsSync(join(root, file))).toBe(true);
    }
  });
});
