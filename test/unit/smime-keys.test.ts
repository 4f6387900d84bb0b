// S/MIME key management: PKCS#12 files made by openssl (modern PBES2/AES and legacy 3DES +
// RC2-40), the sealed keystore (no private key in clear in SQLite; another keychain key cannot
// unseal), certificate list/export/delete, and which certificates are good for encryption.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../electron/core/secrets/secret-store';
import { openDatabase, type Db } from '../../electron/core/store/db';
import { certificateDers } from '../../electron/core/smime/key-certificate';
import { sealingKeyName, SmimeKeystore } from '../../electron/core/smime/keystore';
import { readPkcs12 } from '../../electron/core/smime/pkcs12';
import { testPki, type PkiUser } from '../support/smime-pki';

const pki = testPki();
const der = (pem: string) => certificateDers(pem)[0]!;
const pkcs8 = (u: PkiUser) => createPrivateKey(u.keyPem).export({ format: 'der', type: 'pkcs8' });

describe('PKCS#12 import', () => {
  const cases = [
    ['alice RSA 2048', pki.alice],
    ['bob RSA 4096', pki.bob],
    ['carol EC P-256', pki.carol],
    ['dave EC P-384', pki.dave],
  ] as const;
  for (const [label, user] of cases) {
    for (const form of ['modern', 'legacy'] as const) {
      it(`reads ${label}, ${form} form`, async () => {
        const p12 = await readPkcs12(form === 'modern' ? user.p12 : user.p12Legacy, pki.p12Password);
        expect(p12.certificate.equals(der(user.certPem))).toBe(true);
        expect(p12.privateKey.equals(pkcs8(user))).toBe(true);
        expect(p12.chain.map((c) => new X509Certificate(c).subject)).toEqual([
          new X509Certificate(pki.intermediatePem).subject,
          new X509Certificate(pki.rootPem).subject,
        ]);
      });
    }
  }

  it('the test files really are in the two forms', () => {
    const both = (path: string) => execFileSync('sh', ['-c', `openssl pkcs12 -in '${path}' -info -noout -passin pass:${pki.p12Password} ${path.includes('legacy') ? '-legacy' : ''} 2>&1`], { encoding: 'utf8' });
    expect(both(pki.alice.p12Path)).toMatch(/PBES2.*AES-256-CBC/);
    expect(both(pki.alice.p12LegacyPath)).toMatch(/pbeWithSHA1And40BitRC2-CBC/);
    expect(both(pki.alice.p12LegacyPath)).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
  });

  it('a wrong password is told as such, in both forms', async () => {
    await expect(readPkcs12(pki.alice.p12, 'not-it')).rejects.toThrow('wrong password for this PKCS#12 file');
    await expect(readPkcs12(pki.carol.p12Legacy, 'not-it')).rejects.toThrow('wrong password for this PKCS#12 file');
  });

  it('refuses what is not PKCS#12', async () => {
    await expect(readPkcs12(Buffer.from(pki.alice.certPem), 'x')).rejects.toThrow(/not a PKCS#12/);
  });
});

describe('keystore', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let secrets: MemorySecretStore;
  let store: SmimeKeystore;
  const now = Date.now();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-smime-keys-'));
    file = join(dir, 'app.sqlite');
    db = openDatabase(file);
    secrets = new MemorySecretStore();
    store = new SmimeKeystore(db, secrets, () => now);
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals private keys: nothing of the PKCS#8 in the SQLite files, the sealing key only in the keychain', async () => {
    const own = await store.importPkcs12(pki.alice.p12Legacy, pki.p12Password);
    await store.importPkcs12(pki.carol.p12, pki.p12Password);
    expect(own.kind).toBe('own');
    expect(own.hasPrivateKey).toBe(true);
    const sealingKey = await secrets.get(sealingKeyName);
    expect(Buffer.from(sealingKey!, 'base64')).toHaveLength(32);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const files = [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f));
    for (const user of [pki.alice, pki.carol]) {
      // The whole PKCS#8, and each private component on its own (the public ones are in the certificate anyway).
      const jwk = createPrivateKey(user.keyPem).export({ format: 'jwk' });
      const secretParts = (['d', 'p', 'q', 'dp', 'dq', 'qi'] as const).flatMap((k) => (jwk[k] ? [Buffer.from(jwk[k], 'base64url')] : []));
      expect(secretParts.length).toBeGreaterThan(0);
      for (const bytes of files) {
        expect(bytes.includes(pkcs8(user))).toBe(false);
        for (const part of secretParts) expect(bytes.includes(part)).toBe(false);
      }
    }
    for (const bytes of files) expect(bytes.includes(Buffer.from(sealingKey!, 'base64'))).toBe(false);
  });

  it('the own identity unseals with the keychain key, and not with another', async () => {
    await store.importPkcs12(pki.alice.p12, pki.p12Password);
    const me = await store.ownIdentity('Alice@Example.test');
    expect(me?.privateKey.equals(pkcs8(pki.alice))).toBe(true);
    expect(me?.certificate.equals(der(pki.alice.certPem))).toBe(true);
    expect(me?.chain.map((c) => new X509Certificate(c).subject)).toEqual([new X509Certificate(pki.intermediatePem).subject]);

    const otherKeychain = new MemorySecretStore();
    await otherKeychain.set(sealingKeyName, Buffer.alloc(32, 7).toString('base64'));
    await expect(new SmimeKeystore(db, otherKeychain, () => now).ownIdentity(pki.alice.email)).rejects.toThrow(/cannot be unlocked/);
    // A keychain that lost the entry gets a new key, which cannot open the old seals either.
    await expect(new SmimeKeystore(db, new MemorySecretStore(), () => now).ownIdentity(pki.alice.email)).rejects.toThrow(/cannot be unlocked/);
  });

  it('lists, exports and deletes', async () => {
    await store.importPkcs12(pki.alice.p12, pki.p12Password);
    store.importCertificate(pki.rootPem, 'ca');
    store.importCertificate(pki.bob.certPem, 'contact');
    const listed = store.list();
    const kinds = Object.fromEntries(listed.map((c) => [new X509Certificate(c.der).subject.split('\n').find((l) => l.startsWith('CN='))!, c.kind]));
    // The chain from the PKCS#12 stays 'contact'; the root became a trust anchor only by its own import.
    expect(kinds).toEqual({ 'CN=alice': 'own', 'CN=bob': 'contact', 'CN=Meridian Test Intermediate CA': 'contact', 'CN=Meridian Test Root CA': 'ca' });
    const alice = listed.find((c) => c.kind === 'own')!;
    expect(alice.emails).toEqual(['alice@example.test']);

    const pem = store.export(alice.fingerprint, 'pem').toString();
    expect(certificateDers(pem)[0]!.equals(der(pki.alice.certPem))).toBe(true);
    writeFileSync(join(dir, 'alice.pem'), pem);
    expect(execFileSync('openssl', ['x509', '-in', join(dir, 'alice.pem'), '-noout', '-subject'], { encoding: 'utf8' })).toMatch(/alice/);
    expect(store.export(alice.fingerprint, 'der').equals(der(pki.alice.certPem))).toBe(true);

    expect(store.delete(alice.fingerprint)).toBe(true);
    expect(store.list().some((c) => c.fingerprint === alice.fingerprint)).toBe(false);
    expect(db.prepare('SELECT count(*) AS n FROM smime_private_key').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM smime_certificate_email WHERE fingerprint = ?').get(alice.fingerprint)).toEqual({ n: 0 });
    expect(await store.ownIdentity(pki.alice.email)).toBeNull();
  });

  it('imports certificates as DER, and as PEM with a preamble and several certificates', () => {
    // What `openssl pkcs12 -nokeys` prints: "Bag Attributes" and subject lines before each PEM block.
    const dump = execFileSync('openssl', ['pkcs12', '-in', pki.bob.p12Path, '-nokeys', '-passin', `pass:${pki.p12Password}`], { encoding: 'utf8' });
    expect(dump).toMatch(/^Bag Attributes/);
    expect(store.importCertificate(Buffer.from(dump), 'contact')).toHaveLength(3);
    expect(store.importCertificate(der(pki.carol.certPem), 'contact').map((c) => c.emails)).toEqual([['carol@example.test']]);
    expect(() => store.importCertificate('nothing here', 'contact')).toThrow('No certificate found in this file.');
    expect(store.certificatesFor(pki.bob.email)).toHaveLength(1);
  });

  it('exports the own key as a new PKCS#12 that openssl and this app read', async () => {
    const own = await store.importPkcs12(pki.dave.p12Legacy, pki.p12Password);
    const p12 = await store.exportPkcs12(own.fingerprint, 'fresh pass');
    writeFileSync(join(dir, 'out.p12'), p12);
    const text = execFileSync('openssl', ['pkcs12', '-in', join(dir, 'out.p12'), '-nodes', '-passin', 'pass:fresh pass'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text).toMatch(/BEGIN PRIVATE KEY/);
    expect(text).toMatch(/subject=.*dave/);
    const back = await readPkcs12(p12, 'fresh pass');
    expect(back.privateKey.equals(pkcs8(pki.dave))).toBe(true);
    await expect(readPkcs12(p12, pki.p12Password)).rejects.toThrow('wrong password');
  });

  it('certificatesFor: valid, emailProtection, not CAs, newest first', async () => {
    store.importCertificate(pki.bob.certPem, 'contact');
    store.importCertificate(pki.expired.certPem, 'contact');
    store.importCertificate(pki.wrongEku.certPem, 'contact');
    store.importCertificate(pki.intermediatePem, 'ca');
    expect(store.certificatesFor('BOB@example.test').map((c) => c.subject)).toEqual([expect.stringContaining('bob')]);
    expect(store.certificatesFor(pki.expired.email)).toEqual([]);
    expect(store.certificatesFor(pki.wrongEku.email)).toEqual([]);
    expect(store.certificatesFor('nobody@example.test')).toEqual([]);

    // A second, newer certificate for bob (re-issued by openssl now) comes first.
    const bobFrom = Date.parse(new X509Certificate(pki.bob.certPem).validFrom);
    while (Date.now() < bobFrom + 1100) await new Promise((r) => setTimeout(r, 100));
    const newer = reissue(pki.bob, dir);
    const later = new SmimeKeystore(db, secrets, () => Date.now() + 60_000);
    later.importCertificate(newer, 'contact');
    const forBob = later.certificatesFor(pki.bob.email);
    expect(forBob).toHaveLength(2);
    expect(forBob[0]!.notBefore).toBeGreaterThanOrEqual(forBob[1]!.notBefore);
    expect(forBob[0]!.der.equals(der(newer))).toBe(true);
  });

  it('trust anchors must be CAs; collected signer certificates must be end-entity with an address', async () => {
    expect(() => store.importCertificate(pki.bob.certPem, 'ca')).toThrow(/not a CA certificate/);
    expect(store.collectSignerCertificate(der(pki.intermediatePem))).toBeNull();
    expect(store.collectSignerCertificate(der(pki.wrongEku.certPem))).toBeNull();
    const carol = store.collectSignerCertificate(der(pki.carol.certPem));
    expect(carol?.kind).toBe('contact');
    expect(store.certificatesFor(pki.carol.email)).toHaveLength(1);
    // Collecting one's own certificate again does not demote it.
    const own = await store.importPkcs12(pki.alice.p12, pki.p12Password);
    expect(store.collectSignerCertificate(own.der)?.kind).toBe('own');
  });
});

/** The same key and subject, certified again a second later: a newer certificate for the address. */
function reissue(user: PkiUser, dir: string): string {
  const csr = join(dir, 'again.csr');
  const out = join(dir, 'again.pem');
  const ext = join(dir, 'again.ext');
  writeFileSync(ext, `[v3]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = emailProtection\nsubjectAltName = email:${user.email}\n`);
  execFileSync('openssl', ['req', '-new', '-key', user.keyPath, '-subj', `/CN=${user.email.split('@')[0]}-again`, '-out', csr]);
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', pki.intermediatePath, '-CAkey', pki.intermediatePath.replace(/\.pem$/, '.key'), '-CAcreateserial', '-days', '30', '-extfile', ext, '-extensions', 'v3', '-out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  return readFileSync(out, 'utf8');
}
