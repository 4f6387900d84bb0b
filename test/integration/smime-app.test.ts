// S/MIME through a whole core (dispatch, SQLite, sync) against the real Cyrus: keys imported
// through smime.importPkcs12, messages made by `openssl cms` and delivered into a fresh user's
// Inbox, read with smime.status / smime.content; a signed and encrypted message sent with
// compose.send that `openssl cms` then decrypts and verifies from the recipient's Inbox; sends
// refused up front for want of certificates; RFC 9219 status through the smimeverify fixture.
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/contract';
import { startHarness, type Harness } from '../support/core-harness';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { basic, jmap, serverMailboxes } from '../support/jmap-raw';
import { asMessage, opensslEncrypt, opensslSign, plainEntity, replaceInBody } from '../support/smime-messages';
import { issueUser, testPki, type PkiUser } from '../support/smime-pki';
import { startSmimeVerifyFixture, type SmimeVerifyFixture } from '../support/smimeverify-fixture';

const pki = testPki();
const env = cyrusEnv();
const work = mkdtempSync(join(tmpdir(), 'meridian-smime-app-'));
const secret = 'Zanzibar-7741 is the door code';

/** Uploads raw messages into a user's Inbox (Email/import); returns their ids in order. */
async function importRaw(user: string, messages: Uint8Array[]): Promise<string[]> {
  const inbox = (await serverMailboxes(user)).list.find((m) => m.role === 'inbox')!.id;
  const ids: string[] = [];
  for (const [i, raw] of messages.entries()) {
    const up = await fetch(new URL(`/jmap/upload/${encodeURIComponent(user)}/`, env.baseUrl), {
      method: 'POST',
      headers: { Authorization: basic(user, env.password), 'Content-Type': 'message/rfc822' },
      body: Buffer.from(raw),
    });
    if (!up.ok) throw new Error(`upload ${up.status}`);
    const { blobId } = (await up.json()) as { blobId: string };
    const res = await jmap(user, [['Email/import', { accountId: user, emails: { m: { blobId, mailboxIds: { [inbox]: true }, keywords: {}, receivedAt: new Date(Date.now() - i * 1000).toISOString() } } }, '0']]);
    const created = (res[0]![1].created as Record<string, { id: string }> | null)?.m;
    if (!created) throw new Error(`import failed: ${JSON.stringify(res[0]![1].notCreated)}`);
    ids.push(created.id);
  }
  return ids;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

/** Every byte the core wrote under its data directory (database, WAL, blob cache). */
function everythingOnDisk(dir: string): Buffer {
  const out: Buffer[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(readFileSync(p));
    }
  };
  walk(dir);
  return Buffer.concat(out);
}

function openssl(args: string[], input?: Buffer): { ok: boolean; out: Buffer; err: string } {
  const r = spawnSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: r.stdout ?? Buffer.alloc(0), err: r.stderr?.toString() ?? '' };
}

describe('reading S/MIME mail through the core', () => {
  let h: Harness;
  let account: AccountView;
  let reader: string;
  let readerCert: PkiUser;
  const ids: Record<'signed' | 'tampered' | 'mismatch' | 'encrypted' | 'plain' | 'untrusted' | 'withFile', string> = {} as never;
  const file = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256));

  beforeAll(async () => {
    reader = freshUser('smime-read');
    readerCert = issueUser(reader);
    const signed = asMessage(opensslSign(pki.alice, plainEntity('Signed hello from Alice.\r\n'), { certfile: pki.intermediatePath }), pki.alice.email, reader, 'Signed');
    const mismatch = asMessage(opensslSign(pki.alice, plainEntity('Who sent this?\r\n'), { certfile: pki.intermediatePath }), 'mallory@example.test', reader, 'Mismatch');
    const encrypted = asMessage(opensslEncrypt([readerCert], plainEntity(`${secret}\r\n`)), pki.bob.email, reader, 'Encrypted');
    const untrusted = asMessage(opensslSign(pki.untrusted, plainEntity('From an unknown root.\r\n')), pki.untrusted.email, reader, 'Untrusted');
    const plain = asMessage(plainEntity('Nothing special.\r\n'), 'someone@example.test', reader, 'Plain');
    // Encrypted multipart: HTML and an attachment, both only inside the envelope.
    const mixed = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/html; charset=utf-8', '', `<p>Inside: <b>${secret}</b></p>`,
        '--b1', 'Content-Type: application/octet-stream; name="plans.bin"', 'Content-Disposition: attachment; filename="plans.bin"', 'Content-Transfer-Encoding: base64', '',
        file.toString('base64').replace(/.{76}/g, '$&\r\n'), '--b1--', '',
      ].join('\r\n'),
    );
    const withFile = asMessage(opensslEncrypt([readerCert], mixed, { cipher: '-aes-256-gcm' }), pki.bob.email, reader, 'Encrypted with a file');
    const [s, t, m, e, p, u, f] = await importRaw(reader, [signed, replaceInBody(signed, 'Signed hello', 'Signed jello'), mismatch, encrypted, plain, untrusted, withFile]);
    Object.assign(ids, { signed: s, tampered: t, mismatch: m, encrypted: e, plain: p, untrusted: u, withFile: f });
    h = await startHarness();
    account = await h.addAccount({ email: reader, secret: env.password, serverUrl: env.baseUrl });
  });

  afterAll(async () => {
    await h?.core.close();
  });

  it('imports a PKCS#12 and a CA, and lists them', async () => {
    await expect(h.call('smime.importPkcs12', { base64: b64(readerCert.p12), password: 'wrong' })).rejects.toThrow(/invalid-params/);
    const own = await h.call('smime.importPkcs12', { base64: b64(readerCert.p12), password: pki.p12Password });
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ kind: 'own', hasPrivateKey: true, emails: [reader] });
    const ca = await h.call('smime.importCertificates', { base64: b64(pki.rootPem), kind: 'ca' });
    expect(ca[0]).toMatchObject({ kind: 'ca', hasPrivateKey: false });
    const list = await h.call('smime.certificates', {});
    expect(list.map((c) => c.kind).sort()).toEqual(['ca', 'contact', 'own']); // the PKCS#12's intermediate comes as 'contact'
    expect((await h.call('smime.canSign', { email: reader })).canSign).toBe(true);
    const pem = await h.call('smime.exportCertificate', { fingerprint: own[0]!.fingerprint, format: 'pem' });
    expect(Buffer.from(pem.base64, 'base64').toString()).toContain('BEGIN CERTIFICATE');
  });

  it('a signed message verifies as valid, with the signer and the chain to the root', async () => {
    const status = await h.call('smime.status', { accountId: account.id, emailId: ids.signed, recheck: false });
    expect(status?.signature?.status).toBe('valid');
    if (status?.signature?.status !== 'valid') return;
    expect(status.signature.signer.emails).toContain(pki.alice.email);
    expect(status.signature.signer.chain.map((c) => c.subject).join(' | ')).toMatch(/Intermediate.*Root/);
    expect(status.encrypted).toBeNull();
    expect(status.server).toBeNull(); // Cyrus has no RFC 9219
    // Its certificate is kept for encrypting replies.
    expect(await h.call('smime.missingCertificates', { addresses: [pki.alice.email, 'nobody@example.test'] })).toEqual(['nobody@example.test']);
  });

  it('a tampered body is invalid/tampered and a From that the certificate does not name is invalid/address-mismatch', async () => {
    const tampered = await h.call('smime.status', { accountId: account.id, emailId: ids.tampered, recheck: false });
    expect(tampered?.signature).toMatchObject({ status: 'invalid', problem: 'tampered' });
    const mismatch = await h.call('smime.status', { accountId: account.id, emailId: ids.mismatch, recheck: false });
    expect(mismatch?.signature).toMatchObject({ status: 'invalid', problem: 'address-mismatch' });
  });

  it('a signer from an unknown root is valid-but-untrusted with the reason, and a plain message is not S/MIME', async () => {
    const u = await h.call('smime.status', { accountId: account.id, emailId: ids.untrusted, recheck: false });
    expect(u?.signature?.status).toBe('valid-but-untrusted');
    if (u?.signature?.status === 'valid-but-untrusted') expect(u.signature.reason).toMatch(/Unknown Root|not a trusted/i);
    expect(await h.call('smime.status', { accountId: account.id, emailId: ids.plain, recheck: false })).toBeNull();
  });

  it('an encrypted message opens with the imported key, in memory only', async () => {
    const status = await h.call('smime.status', { accountId: account.id, emailId: ids.encrypted, recheck: false });
    expect(status?.encrypted?.status).toBe('decrypted');
    const content = await h.call('smime.content', { accountId: account.id, emailId: ids.encrypted });
    expect(content.text).toContain(secret);
    // Cached status survives a restart; the content is opened again on demand.
    h = await h.restart();
    const again = await h.call('smime.status', { accountId: account.id, emailId: ids.encrypted, recheck: false });
    expect(again?.encrypted?.status).toBe('decrypted');
    expect((await h.call('smime.content', { accountId: account.id, emailId: ids.encrypted })).text).toContain(secret);
  });

  it('an encrypted HTML message with an attachment: the HTML and the file come out of smime.content', async () => {
    const content = await h.call('smime.content', { accountId: account.id, emailId: ids.withFile });
    expect(content.html).toContain(`<b>${secret}</b>`);
    expect(content.attachments).toEqual([expect.objectContaining({ index: 0, name: 'plans.bin', type: 'application/octet-stream', size: file.length })]);
    const got = await h.call('smime.decryptedAttachment', { accountId: account.id, emailId: ids.withFile, index: 0 });
    expect(Buffer.from(got.base64, 'base64').equals(file)).toBe(true);
    await expect(h.call('smime.decryptedAttachment', { accountId: account.id, emailId: ids.withFile, index: 1 })).rejects.toThrow(/not-found/);
    const status = await h.call('smime.status', { accountId: account.id, emailId: ids.withFile, recheck: false });
    expect(status?.encrypted).toMatchObject({ status: 'decrypted', algorithm: 'AES-256-GCM' });
  });

  it('neither the plaintext nor the private key is ever written in clear', async () => {
    const disk = everythingOnDisk(h.dataDir);
    expect(disk.includes(Buffer.from(secret))).toBe(false);
    expect(disk.includes(file)).toBe(false); // the decrypted attachment
    const pkcs8 = createPrivateKey(readerCert.keyPem).export({ format: 'der', type: 'pkcs8' });
    expect(disk.includes(pkcs8)).toBe(false);
    expect(disk.includes(pkcs8.subarray(pkcs8.length - 64))).toBe(false);
    expect(disk.includes(Buffer.from(readerCert.keyPem.split('\n')[1]!))).toBe(false);
  });

  it('a new CA re-judges cached results', async () => {
    const before = await h.call('smime.status', { accountId: account.id, emailId: ids.untrusted, recheck: false });
    expect(before?.signature?.status).toBe('valid-but-untrusted');
    await h.call('smime.importCertificates', { base64: b64(pki.untrustedRootPem), kind: 'ca' });
    const after = await h.call('smime.status', { accountId: account.id, emailId: ids.untrusted, recheck: false });
    expect(after?.signature?.status).toBe('valid');
  });
});

describe('sending signed and encrypted mail with compose.send', () => {
  let h: Harness;
  let account: AccountView;
  let alice: string;
  let bob: string;
  let aliceCert: PkiUser;
  let bobCert: PkiUser;

  beforeAll(async () => {
    alice = freshUser('smime-alice');
    bob = freshUser('smime-bob');
    aliceCert = issueUser(alice);
    bobCert = issueUser(bob);
    h = await startHarness();
    account = await h.addAccount({ email: alice, secret: env.password, serverUrl: env.baseUrl });
  });

  afterAll(async () => {
    await h?.core.close();
  });

  async function draftTo(to: string, smime: { sign: boolean; encrypt: boolean }, subject: string) {
    const { draft } = await h.call('compose.prepare', { accountId: account.id, mode: 'new' });
    return { ...draft, to: [{ name: null, email: to }], subject, text: `${secret}\n— Alice`, html: null, smime };
  }

  it('keeps sign/encrypt defaults per identity', async () => {
    const { draft } = await h.call('compose.prepare', { accountId: account.id, mode: 'new' });
    expect(await h.call('smime.defaults', { accountId: account.id, identityId: draft.identityId })).toEqual({ sign: false, encrypt: false });
    await h.call('smime.setDefaults', { accountId: account.id, identityId: draft.identityId, defaults: { sign: true, encrypt: false } });
    h = await h.restart();
    expect(await h.call('smime.defaults', { accountId: account.id, identityId: draft.identityId })).toEqual({ sign: true, encrypt: false });
    await expect(h.call('smime.defaults', { accountId: account.id, identityId: 'no-such-identity' })).rejects.toThrow(/not-found/);
  });

  it('refuses up front: signing without an own certificate, encrypting to someone without one', async () => {
    const sign = await draftTo(bob, { sign: true, encrypt: false }, 'no key');
    await expect(h.call('compose.send', { accountId: account.id, draft: sign, draftId: null, undoMs: 0 })).rejects.toThrow(new RegExp(`Cannot sign.*${alice}`));
    await h.call('smime.importPkcs12', { base64: b64(aliceCert.p12), password: pki.p12Password });
    const enc = await draftTo(bob, { sign: true, encrypt: true }, 'no cert');
    enc.cc = [{ name: null, email: 'carol-nocert@example.test' }];
    const err = await h.call('compose.send', { accountId: account.id, draft: enc, draftId: null, undoMs: 0 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Cannot encrypt/);
    expect((err as Error).message).toContain(bob);
    expect((err as Error).message).toContain('carol-nocert@example.test');
    expect((await h.call('compose.queued', {})).length).toBe(0);
  });

  it('a signed and encrypted message reaches bob, who opens it with openssl cms -decrypt and verifies it with openssl cms -verify', async () => {
    await h.call('smime.importCertificates', { base64: b64(bobCert.certPem), kind: 'contact' });
    expect(await h.call('smime.missingCertificates', { addresses: [bob, alice] })).toEqual([]);
    const subject = `Sealed ${Date.now()}`;
    const sent = h.next('compose.sent', (p) => p.accountId === account.id, 30_000);
    const failed = h.next('outbox.failed', (p) => p.accountId === account.id, 30_000).then((f) => Promise.reject(new Error(f.message)));
    await h.call('compose.send', { accountId: account.id, draft: await draftTo(bob, { sign: true, encrypt: true }, subject), draftId: null, undoMs: 0 });
    await Promise.race([sent, failed]);
    failed.catch(() => undefined);

    let list: { id: string; blobId: string }[] = [];
    for (let i = 0; i < 50 && !list.length; i++) {
      const res = await jmap(bob, [
        ['Email/query', { accountId: bob, filter: { subject } }, 'q'],
        ['Email/get', { accountId: bob, '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['id', 'blobId'] }, 'g'],
      ]);
      list = (res[1]![1] as { list: { id: string; blobId: string }[] }).list;
      if (!list.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(list).toHaveLength(1);
    const raw = Buffer.from(await (await fetch(new URL(`/jmap/download/${encodeURIComponent(bob)}/${list[0]!.blobId}/m.eml`, env.baseUrl), { headers: { Authorization: basic(bob, env.password) } })).arrayBuffer());
    expect(raw.includes(Buffer.from(secret))).toBe(false); // encrypted on the wire and at rest
    writeFileSync(join(work, 'bob.eml'), raw);
    const decrypted = openssl(['cms', '-decrypt', '-in', join(work, 'bob.eml'), '-recip', bobCert.certPath, '-inkey', bobCert.keyPath]);
    expect(decrypted.err).toBe('');
    expect(decrypted.ok).toBe(true);
    expect(decrypted.out.toString('latin1')).toMatch(/multipart\/signed/i);
    writeFileSync(join(work, 'inner.eml'), decrypted.out);
    const verified = openssl(['cms', '-verify', '-in', join(work, 'inner.eml'), '-CAfile', pki.rootPath, '-purpose', 'smimesign']);
    expect(verified.err).toMatch(/Verification successful/);
    expect(verified.ok).toBe(true);
    expect(verified.out.toString('utf8')).toMatch(/Zanzibar-7741/);

    // Alice's own Sent copy is encrypted to her too: her app opens it, and her signature checks out.
    await h.call('smime.importCertificates', { base64: b64(pki.rootPem), kind: 'ca' });
    const synced = h.next('account.status', (p) => p.accountId === account.id && p.status.state === 'online', 20_000);
    await h.call('sync.now', { accountId: account.id });
    await synced;
    const sentCopy = (await h.call('emails.list', { accountId: account.id, role: 'sent', limit: 50 })).items.find((e) => e.subject === subject);
    expect(sentCopy).toBeDefined();
    await h.call('emails.get', { accountId: account.id, emailId: sentCopy!.id });
    const own = await h.call('smime.status', { accountId: account.id, emailId: sentCopy!.id, recheck: false });
    expect(own?.encrypted?.status).toBe('decrypted');
    expect(own?.signature?.status).toBe('valid');
    expect(own?.layers.map((l) => l.kind)).toEqual(['encrypted', 'signed']);
    expect((await h.call('smime.content', { accountId: account.id, emailId: sentCopy!.id })).text).toContain(secret);
  });
});

describe('RFC 9219 (smimeverify) through the fixture', () => {
  let h: Harness;
  let fixture: SmimeVerifyFixture;
  let account: AccountView;
  const ids: string[] = [];

  beforeAll(async () => {
    const user = freshUser('smime-9219');
    const signed = asMessage(opensslSign(pki.alice, plainEntity('Checked by the server too.\r\n'), { certfile: pki.intermediatePath }), pki.alice.email, user, 'Server signed');
    ids.push(...(await importRaw(user, [signed, replaceInBody(signed, 'Checked by', 'Changed by'), asMessage(plainEntity('plain\r\n'), 'x@example.test', user, 'plain')])));
    fixture = await startSmimeVerifyFixture(env.baseUrl, { caPem: pki.rootPem });
    h = await startHarness();
    account = await h.addAccount({ email: user, secret: env.password, serverUrl: `${fixture.url}/jmap/` });
    await h.call('smime.importCertificates', { base64: b64(pki.rootPem), kind: 'ca' });
  });

  afterAll(async () => {
    await h?.core.close();
    await fixture?.close();
  });

  it("returns the server's smimeStatus beside our own verdict", async () => {
    const ok = await h.call('smime.status', { accountId: account.id, emailId: ids[0]!, recheck: false });
    expect(ok?.signature?.status).toBe('valid');
    expect(ok?.server).toEqual({ status: 'signed/verified', errors: [] });
    const bad = await h.call('smime.status', { accountId: account.id, emailId: ids[1]!, recheck: false });
    expect(bad?.signature).toMatchObject({ status: 'invalid', problem: 'tampered' });
    expect(bad?.server?.status).toBe('signed/failed');
    expect(bad?.server?.errors.length).toBeGreaterThan(0);
    expect(fixture.stats.statusRequests).toBeGreaterThanOrEqual(2);
    expect(await h.call('smime.status', { accountId: account.id, emailId: ids[2]!, recheck: false })).toBeNull();
  });
});
