// Moves the WAL into the database file from a worker thread. SQLite's automatic checkpoint
// runs inside whichever commit crosses the threshold, on the main thread, and copying
// megabytes there stalls the event loop; a PASSIVE checkpoint elsewhere blocks nobody.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain CommonJS so it runs the same under tsx, Node and the bundled Electron main process.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 2000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next round will do */ }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs = 1000): Checkpointer {
  const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { file, intervalMs, modulePath } });
  worker.unref();
  worker.on('error', (err) => console.error('checkpoint worker failed', err));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.ref(); // whoever awaits the stop must not see the process exit under them
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }),
  };
}
