// Bundles the Electron shell: dist/electron/main.cjs (main process, with the core inside)
// and dist/electron/preload.cjs (sandboxed preload). Native modules stay external.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir DIR` builds elsewhere (the shell's wiring test bundles into a temporary folder).
const outArg = process.argv.indexOf('--outdir');
const outdir = outArg === -1 ? join(root, 'dist/electron') : resolve(process.argv[outArg + 1] ?? '');

// The core is ESM and uses import.meta.url (e.g. createRequire(import.meta.url)); a CJS bundle
// has no import.meta, so point it at the bundle file itself. Module resolution from there
// still finds the repo's node_modules.
const importMetaBanner =
  "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;";

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
};

const main = await build({
  ...common,
  entryPoints: { main: 'electron/main.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  // Electron 41 ships Node 24.
  target: 'node22',
  external: ['electron', 'better-sqlite3', 'keytar', 'bufferutil', 'utf-8-validate'],
  banner: { js: importMetaBanner },
  define: {
    'import.meta.url': '__import_meta_url',
    'import.meta.filename': '__filename',
    'import.meta.dirname': '__dirname',
  },
});

const preload = await build({
  ...common,
  entryPoints: { preload: 'electron/preload.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  target: 'chrome130',
  external: ['electron'],
});

// A sandboxed preload can require only 'electron'; anything else fails at runtime, in the
// window, long after the build said it was fine. Refuse it here instead.
const preloadImports = Object.values(preload.metafile.outputs)
  .flatMap((output) => output.imports ?? [])
  .filter((i) => i.external && i.path !== 'electron');
if (preloadImports.length > 0) {
  console.error(`preload must import only 'electron' at runtime, but imports: ${preloadImports.map((i) => i.path).join(', ')}`);
  process.exit(1);
}

// Images the main process loads at runtime (tray, window icon on Linux) sit beside main.cjs,
// so the same path works unpackaged and inside the asar.
mkdirSync(outdir, { recursive: true });
for (const [from, to] of [
  ['resources/tray.png', 'tray.png'],
  ['resources/tray@2x.png', 'tray@2x.png'],
  ['resources/icons/256x256.png', 'icon.png'],
]) {
  copyFileSync(join(root, from), join(outdir, to));
}

const size = (result) =>
  Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.cjs'))
    .map(([file, o]) => `${file} (${Math.round(o.bytes / 1024)} KiB)`);
console.log(`built ${[...size(main), ...size(preload)].join(', ')}`);
