// The electron-builder configuration, checked offline: first what the installers depend on in
// the config, then a real `electron-builder --dir` pack of the built app against a stand-in
// Electron (there is no Electron binary here, and the pack must not download one).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

// ---- a real pack ----

/** An entry of an asar archive's JSON header: a directory (files) or a file. */
interface AsarEntry {
  files?: Record<string, AsarEntry>;
  size?: number;
  offset?: string;
  unpacked?: boolean;
}

/**
 * Reads an asar archive: a Chromium pickle holding the header's size, then a pickle with the
 * JSON header, then the packed files' bytes (offsets relative to the end of the header).
 */
function openAsar(file: string): { header: AsarEntry; read(path: string): Buffer } {
  const fd = openSync(file, 'r');
  try {
    const sizes = Buffer.alloc(16);
    readSync(fd, sizes, 0, 16, 0);
    const headerPickleSize = sizes.readUInt32LE(4);
    const json = Buffer.alloc(sizes.readUInt32LE(12));
    readSync(fd, json, 0, json.length, 16);
    const header = JSON.parse(json.toString('utf8')) as AsarEntry;
    const dataStart = 8 + headerPickleSize;
    return {
      header,
      read(path) {
        const e = asarEntry(header, path);
        if (!e || e.offset === undefined || e.size === undefined) throw new Error(`${path}: not a packed file`);
        return readFileSync(file).subarray(dataStart + Number(e.offset), dataStart + Number(e.offset) + e.size);
      },
    };
  } finally {
    closeSync(fd);
  }
}

function asarEntry(header: AsarEntry, path: string): AsarEntry | undefined {
  let at: AsarEntry | undefined = header;
  for (const part of path.split('/')) at = at?.files?.[part];
  return at;
}

const work = join(root, '.tmp', `desktop-packaging-${process.pid}`);
const project = join(work, 'project');
// What electron-builder copies as "Electron" for linux: the executable (renamed to
// executableName) and the resources/ folder the archive goes into. A shell script stands in.
const electronDist = join(work, 'electron-dist-standin');
const output = join(work, 'release');
const appDir = join(output, 'linux-unpacked');
let asar: ReturnType<typeof openAsar>;

describe('electron-builder --dir against a stand-in Electron', () => {
  beforeAll(() => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(electronDist, 'resources'), { recursive: true });
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary: nothing to run" >&2\nexit 1\n', { mode: 0o755 });

    // A project laid out like the repository after `npm run build:renderer && npm run build:electron`,
    // with the repository's node_modules (whose production part electron-builder packs).
    mkdirSync(project, { recursive: true });
    const full = JSON.parse(read('package.json')) as Record<string, unknown>;
    const manifest = Object.fromEntries(['name', 'productName', 'version', 'description', 'main', 'dependencies'].map((k) => [k, full[k]]));
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), process.platform === 'win32' ? 'junction' : 'dir');
    const opts = { cwd: root, stdio: 'pipe', timeout: 120_000 } as const;
    execFileSync(process.execPath, [join(root, 'scripts/build-electron.mjs'), '--outdir', join(project, 'dist/electron')], opts);
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', join(project, 'dist/renderer'), '--emptyOutDir', '--logLevel', 'error'], opts);

    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/electron-builder/cli.js'),
        '--linux', 'dir',
        '--projectDir', project,
        '--config', join(root, 'electron-builder.json'),
        `--config.electronDist=${electronDist}`,
        '--config.electronVersion=41.7.1',
        // The real config rebuilds the native modules for Electron's ABI, which needs Electron's
        // headers from the network; this pack only checks where they land, so it skips that.
        '--config.npmRebuild=false',
        `--config.directories.output=${output}`,
        '--publish', 'never',
      ],
      { ...opts, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
    );
    asar = openAsar(join(appDir, 'resources', 'app.asar'));
  }, 180_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('uses the Electron it was given, renamed to the executable name', () => {
    const exe = join(appDir, 'meridian-mail');
    expect(readFileSync(exe, 'utf8')).toContain('stand-in for the Electron binary');
    if (process.platform !== 'win32') expect(statSync(exe).mode & 0o111).not.toBe(0);
  });

  it('packs main, preload and the renderer into app.asar, and nothing of the repository besides', () => {
    const h = asar.header;
    expect(Object.keys(h.files ?? {}).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    for (const file of ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html']) {
      const e = asarEntry(h, file);
      expect(e?.size, file).toBeGreaterThan(0);
      expect(e?.unpacked, file).toBeFalsy();
    }
    expect(Object.keys(asarEntry(h, 'dist/renderer/assets')?.files ?? {}).some((f) => f.endsWith('.js'))).toBe(true);
    // The tray and window icons the shell loads from beside main.cjs.
    for (const file of ['icon.png', 'tray.png', 'tray@2x.png']) expect(asarEntry(h, `dist/electron/${file}`), file).toBeDefined();
    const packed = JSON.parse(asar.read('package.json').toString('utf8')) as { main: string };
    expect(packed.main).toBe(pkg.main);
    expect(asarEntry(h, packed.main)).toBeDefined();
  });

  it('unpacks the native modules beside the archive, their JavaScript still reachable', () => {
    const native = { 'better-sqlite3': ['build/Release/better_sqlite3.node', 'lib/index.js'], keytar: ['build/Release/keytar.node', 'lib/keytar.js'] };
    for (const [name, [binary, entry]] of Object.entries(native)) {
      const path = `node_modules/${name}/${binary}`;
      expect(asarEntry(asar.header, path)?.unpacked, path).toBe(true);
      const onDisk = join(appDir, 'resources', 'app.asar.unpacked', path);
      expect(existsSync(onDisk), onDisk).toBe(true);
      expect(statSync(onDisk).size).toBe(asarEntry(asar.header, path)?.size);
      expect(asarEntry(asar.header, `node_modules/${name}/${entry}`), entry).toBeDefined();
    }
  });

  it('packs runtime dependencies only: no Electron, no build or test tools', () => {
    const modules = Object.keys(asarEntry(asar.header, 'node_modules')?.files ?? {});
    for (const dep of Object.keys(pkg.dependencies)) expect(modules, dep).toContain(dep);
    for (const dev of ['electron', 'electron-builder', 'vitest', 'vite', 'typescript', 'esbuild', 'svelte']) expect(modules, dev).not.toContain(dev);
  });
});

describe('.github/workflows/release.yml', () => {
  const workflow = read('.github/workflows/release.yml');
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

  it('runs on version tags, on each desktop OS, with that OS’s targets', () => {
    expect(workflow).toMatch(/on:\n\s+push:\n\s+tags: \['v\*\.\*\.\*'\]/);
    for (const [os, target] of [['macos-latest', '--mac'], ['windows-latest', '--win'], ['ubuntu-latest', '--linux']]) {
      expect(workflow).toMatch(new RegExp(`- os: ${os}\\n\\s+target: ${target}\\n`));
    }
  });

  it('installs, builds with the package scripts, packs without publishing, and uploads the installers', () => {
    const runs = [...workflow.matchAll(/^\s+- run: (.+)$/gm)].map((m) => m[1]);
    expect(runs).toEqual(['npm ci', 'npm run build:renderer', 'npm run build:electron', 'npx electron-builder ${{ matrix.target }} --publish never']);
    expect(scripts['build:renderer']).toBeDefined();
    expect(scripts['build:electron']).toBeDefined();
    expect(workflow).toContain('uses: actions/upload-artifact@v4');
    for (const ext of ['dmg', 'zip', 'exe', 'AppImage', 'deb']) expect(workflow).toContain(`release/*.${ext}`);
    expect(workflow).toContain(`${config.directories.output}/`);
  });
});
