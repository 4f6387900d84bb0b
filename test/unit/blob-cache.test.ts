import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobCache } from '../../electron/core/mail/blob-cache';

describe('BlobCache', () => {
  it('keeps the most recently used blobs within its size cap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blobs-'));
    const cache = new BlobCache(dir, 250);
    await cache.put('a', 'one', Buffer.alloc(100, 1));
    await cache.put('a', 'two', Buffer.alloc(100, 2));
    // "one" was used more recently than "two", so "two" goes first.
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), new Date(1000), new Date(1000));
    expect((await cache.get('a', 'one'))?.[0]).toBe(1);
    await cache.put('a', 'three', Buffer.alloc(100, 3));
    expect(await cache.get('a', 'two')).toBeNull();
    expect((await cache.get('a', 'one'))?.[0]).toBe(1);
    expect((await cache.get('a', 'three'))?.[0]).toBe(3);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('does not store a blob bigger than the whole cache, and keys by account', async () => {
    const cache = new BlobCache(mkdtempSync(join(tmpdir(), 'blobs-')), 50);
    await cache.put('a', 'big', Buffer.alloc(100));
    expect(await cache.get('a', 'big')).toBeNull();
    await cache.put('a', 'x', Buffer.from('A'));
    expect(await cache.get('b', 'x')).toBeNull();
    expect((await cache.get('../../etc', 'passwd'))).toBeNull();
  });
});
