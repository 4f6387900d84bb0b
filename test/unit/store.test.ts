// The store's schema is migrated forward on open and never opened by an older app.
import { describe, expect, it } from 'vitest';
import { openDatabase, migrate } from '../../electron/core/store/db';
import { migrations } from '../../electron/core/store/migrations';
import { AccountStore } from '../../electron/core/store/accounts';

describe('store', () => {
  it('creates the schema at the newest version', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    migrate(db); // a second run is a no-op
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
  });

  it('refuses a database from a newer version of the app', () => {
    const db = openDatabase(':memory:');
    db.pragma(`user_version = ${migrations.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer version/);
  });

  it('has no column for a password', () => {
    const db = openDatabase(':memory:');
    const columns = db.prepare("SELECT name FROM pragma_table_info('account')").pluck().all() as string[];
    expect(columns.filter((c) => /pass|secret|token/i.test(c))).toEqual([]);
    new AccountStore(db).insert({
      id: 'a', name: 'A', email: 'a@x', username: 'a@x', authKind: 'basic', sessionUrl: 'http://h/', jmapAccountId: 'a', sessionJson: null, createdAt: 1,
    });
    expect(new AccountStore(db).list()).toHaveLength(1);
  });
});
