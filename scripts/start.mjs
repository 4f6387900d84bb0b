// `npm start`: builds the renderer and the Electron bundle, then runs Electron; without an
// Electron binary (e.g. installed with ELECTRON_SKIP_BINARY_DOWNLOAD) runs the headless host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const isWindows = process.platform === 'win32';

function step(command, args, { shell = false } = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The binary's path, or null: the package throws, or names a missing file, when it was never downloaded. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Runs the child in the foreground: signals go to it, and its exit code becomes ours. */
function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; SIGTERM sent to us alone
  // is passed on. Either way we wait for the child to finish closing.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`could not start ${command}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

// npx is a .cmd script on Windows, which only a shell can run.
step('npx', ['vite', 'build'], { shell: isWindows });
step(process.execPath, [join(root, 'scripts/build-electron.mjs')]);

const electron = electronBinary();
if (electron) {
  run(electron, [root, ...process.argv.slice(2)]);
} else {
  console.log(
    'There is no Electron binary on this machine (the electron package was installed without ' +
      'its download), so the desktop window cannot open. Starting the headless host instead: ' +
      'it runs the same core and serves the app to your browser on 127.0.0.1; open the address ' +
      'printed below. To get the desktop window, download the binary with network access: ' +
      '`node node_modules/electron/install.js`.',
  );
  run(process.execPath, ['--import', 'tsx', join(root, 'electron/host/cli.ts'), ...process.argv.slice(2)]);
}
