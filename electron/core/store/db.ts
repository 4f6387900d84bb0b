// Opens the SQLite database: WAL for concurrent readers, foreign keys on, migrations applied.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startCheckpointer } from './checkpointer';
import { migrations } from './migrations';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw new Error(`The database was written by a newer version of the app (schema ${version}, this app knows ${migrations.length}).`);
  }
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * The app's database: as openDatabase, with the WAL checkpointed from a worker thread instead
 * of inside commits on this thread. close() waits for the worker and compacts the WAL.
 */
export function openAppDatabase(file: string): { db: Db; close(): Promise<void> } {
  const db = openDatabase(file);
  if (file === ':memory:') return { db, close: async () => void db.close() };
  db.pragma('wal_autocheckpoint = 0');
  const checkpointer = startCheckpointer(file);
  return {
    db,
    async close() {
      await checkpointer.stop();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
