// S/MIME verification building blocks: the byte-exact multipart/signed scanner, certificate
// information, trust paths and purposes, verification corner cases, the result cache.
// Signatures come from `openssl cms` with the test PKI.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateHasEmail, certificateInfo, certificatesFromPem, derToPem, parseCertificate } from '../../electron/core/smime/certificate';
import { findSignedParts, parseContentType, splitEntity } from '../../electron/core/smime/mime-parts';
import { readSmimeMessage } from '../../electron/core/smime/read-message';
import { SmimeResultCache } from '../../electron/core/smime/result-cache';
import { signingPurposeProblem, encryptionPurposeProblem, TrustAnchors, validityProblem } from '../../electron/core/smime/trust';
import { verifySignedData } from '../../electron/core/smime/verify';
import { openDatabase } from '../../electron/core/store/db';
import { AccountStore } from '../../electron/core/store/accounts';
import { asMessage, cmsOf, crlf, openssl, opensslEncrypt, opensslSign, plainEntity, trustFor } from '../support/smime-messages';
import { testPki } from '../support/smime-pki';

const pki = testPki();
const der = (pem: string) => certificatesFromPem(pem)[0]!;
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('multipart/signed scanner', () => {
  const part1 = 'Content-Type: text/plain\r\n\r\nsigned text\r\n';
  const body = (b: string, p1 = part1, after = ' \t') =>
    `preamble\r\n--${b}${after}\r\n${p1}\r\n--${b}\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--${b}--\r\nepilogue\r\n`;

  it('returns the first part exactly, without the CRLF that belongs to the next delimiter', () => {
    const parts = findSignedParts(bytes(body('xyz')), 'xyz')!;
    expect(text(parts.signed)).toBe(part1);
    expect(text(parts.signature)).toBe('Content-Type: application/pkcs7-signature\r\n\r\nAAAA');
  });
  it('ignores lines that merely start with the boundary', () => {
    const p1 = 'Content-Type: text/plain\r\n\r\n--xyzzy is not a delimiter\r\n--xyz-- neither\r\n';
    expect(text(findSignedParts(bytes(body('xyz', p1)), 'xyz')!.signed)).toBe(p1);
  });
  it('handles a body that starts with the delimiter and bare-LF line ends', () => {
    const b = `--q\nContent-Type: text/plain\n\nhi\n\n--q\nContent-Type: application/pkcs7-signature\n\nAAAA\n--q--\n`;
    expect(text(findSignedParts(bytes(b), 'q')!.signed)).toBe('Content-Type: text/plain\n\nhi\n');
  });
  it('refuses anything that is not exactly two parts and a close delimiter', () => {
    expect(findSignedParts(bytes('--q\r\na\r\n--q\r\nb\r\n'), 'q')).toBeNull();
    expect(findSignedParts(bytes('--q\r\na\r\n--q\r\nb\r\n--q\r\nc\r\n--q--\r\n'), 'q')).toBeNull();
    expect(findSignedParts(bytes('--q\r\na\r\n--q--\r\n'), 'q')).toBeNull();
    expect(findSignedParts(bytes(''), '')).toBeNull();
  });
  it('splits an entity at the first empty line', () => {
    const { header, body: b } = splitEntity(bytes('A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore'));
    expect(text(header)).toBe('A: 1\r\nB: 2\r\n');
    expect(text(b)).toBe('body\r\n\r\nmore');
    expect(text(splitEntity(bytes('\r\nonly body')).body)).toBe('only body');
    expect(text(splitEntity(bytes('A: 1\n\nlf body')).body)).toBe('lf body');
  });
  it('parses Content-Type parameters', () => {
    const ct = parseContentType('Multipart/Signed; protocol="application/pkcs7-signature"; micalg=sha-256;\r\n boundary="a\\"b;c"');
    expect(ct).toEqual({ type: 'multipart/signed', params: { protocol: 'application/pkcs7-signature', micalg: 'sha-256', boundary: 'a"b;c' } });
    expect(parseContentType(undefined).type).toBe('text/plain');
  });
});

describe('certificate information', () => {
  it('describes an RSA user certificate as openssl does', () => {
    const info = certificateInfo(pki.alice.certPem);
    const fp = openssl(['x509', '-in', pki.alice.certPath, '-noout', '-fingerprint', '-sha256']).toString().split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
    const serial = openssl(['x509', '-in', pki.alice.certPath, '-noout', '-serial']).toString().split('=')[1]!.trim().toLowerCase();
    expect(info).toMatchObject({
      subject: 'O=Meridian Tests, emailAddress=alice@example.test, CN=alice',
      issuer: 'O=Meridian Tests, CN=Meridian Test Intermediate CA',
      emails: ['alice@example.test'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.4'],
      isCA: false,
      publicKey: { algorithm: 'RSA', bits: 2048 },
      fingerprint: fp,
      selfIssued: false,
    });
    expect(info.serialNumber).toBe(serial.replace(/^0+/, ''));
    expect(info.keyUsage).toMatchObject({ digitalSignature: true, keyEncipherment: true, keyCertSign: false });
    expect(Date.parse(info.notAfter)).toBeGreaterThan(Date.parse(info.notBefore));
  });
  it('describes EC keys, CAs, and the wrong-EKU certificate', () => {
    expect(certificateInfo(pki.carol.certPem).publicKey).toEqual({ algorithm: 'EC', curve: 'P-256' });
    expect(certificateInfo(pki.dave.certPem).keyUsage).toMatchObject({ digitalSignature: true, keyAgreement: true });
    const root = certificateInfo(der(pki.rootPem));
    expect(root).toMatchObject({ isCA: true, selfIssued: true, extendedKeyUsage: null, emails: [] });
    expect(root.keyUsage).toMatchObject({ keyCertSign: true, cRLSign: true, digitalSignature: false });
    expect(certificateInfo(pki.wrongEku.certPem).extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });
  it('matches addresses case-insensitively, and PEM round-trips', () => {
    const info = certificateInfo(pki.alice.certPem);
    expect(certificateHasEmail(info, ' Alice@EXAMPLE.test ')).toBe(true);
    expect(certificateHasEmail(info, 'bob@example.test')).toBe(false);
    expect(certificateHasEmail(info, '')).toBe(false);
    expect(certificatesFromPem(pki.alice.certPem + pki.intermediatePem + pki.rootPem)).toHaveLength(3);
    expect(certificateInfo(derToPem(der(pki.alice.certPem))).fingerprint).toBe(info.fingerprint);
  });
  it('throws on what is not a certificate', () => {
    expect(() => parseCertificate(new Uint8Array(randomBytes(300)))).toThrow();
    expect(() => parseCertificate('no pem here')).toThrow(/PEM/);
  });
});

describe('trust paths and purposes', () => {
  const anchors = new TrustAnchors({ userCas: [der(pki.rootPem)], systemRoots: false });
  const alice = parseCertificate(pki.alice.certPem);
  const intermediate = parseCertificate(pki.intermediatePem);

  it('builds leaf → intermediate → root from the extra certificates', () => {
    const path = anchors.buildPath(alice, [intermediate]);
    expect(path.trusted).toBe(true);
    expect(path.chain.map((c) => c.info.subject.match(/CN=([^,]+)/)?.[1])).toEqual(['alice', 'Meridian Test Intermediate CA', 'Meridian Test Root CA']);
  });
  it('uses the intermediate pool', () => {
    const pooled = new TrustAnchors({ userCas: [der(pki.rootPem)], intermediates: [der(pki.intermediatePem)], systemRoots: false });
    expect(pooled.buildPath(alice).trusted).toBe(true);
  });
  it('names why a path is not trusted', () => {
    expect(anchors.buildPath(alice).problem).toMatch(/Incomplete chain/);
    expect(anchors.buildPath(parseCertificate(pki.untrusted.certPem), [parseCertificate(pki.untrustedRootPem)]).problem).toMatch(/Unknown root: "CN=Unknown Root CA, O=Meridian Tests"/);
    expect(anchors.buildPath(parseCertificate(pki.rootPem)).trusted).toBe(true); // an anchor itself
    expect(new TrustAnchors({ systemRoots: false }).buildPath(parseCertificate(pki.rootPem)).problem).toMatch(/self-signed/);
  });
  it('trusts a certificate the user imported directly, and nothing it did not issue', () => {
    const withAliceAsAnchor = new TrustAnchors({ userCas: [der(pki.alice.certPem)], systemRoots: false });
    expect(withAliceAsAnchor.buildPath(alice).trusted).toBe(true);
    expect(withAliceAsAnchor.buildPath(parseCertificate(pki.bob.certPem), [intermediate]).trusted).toBe(false);
  });
  it('refuses a path through a CA whose critical extensions it cannot enforce (name constraints)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-nc-'));
    const file = (n: string) => join(dir, n);
    writeFileSync(file('ca.ext'), '[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\nnameConstraints=critical,permitted;email:.elsewhere.test\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n');
    writeFileSync(file('leaf.ext'), '[v3]\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:eve@example.test\n');
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-subj', '/CN=Constrained CA', '-out', file('ca.csr')]);
    openssl(['x509', '-req', '-in', file('ca.csr'), '-CA', pki.rootPath, '-CAkey', join(pki.dir, 'root.key'), '-CAcreateserial', '-days', '30', '-extfile', file('ca.ext'), '-extensions', 'v3', '-out', file('ca.pem')]);
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('leaf.key'), '-subj', '/CN=eve', '-out', file('leaf.csr')]);
    openssl(['x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '30', '-extfile', file('leaf.ext'), '-extensions', 'v3', '-out', file('leaf.pem')]);
    const ca = parseCertificate(readFileSync(file('ca.pem'), 'utf8'));
    expect(ca.info.unhandledCriticalExtensions).toEqual(['2.5.29.30']);
    const path = anchors.buildPath(parseCertificate(readFileSync(file('leaf.pem'), 'utf8')), [ca]);
    expect(path).toMatchObject({ trusted: false, problem: expect.stringMatching(/critical extensions.*2\.5\.29\.30/) });
  });
  it('checks e-mail purposes', () => {
    expect(signingPurposeProblem(alice.info)).toBeNull();
    expect(signingPurposeProblem(certificateInfo(pki.wrongEku.certPem))).toMatch(/EKU.*serverAuth/);
    expect(encryptionPurposeProblem(alice.info)).toBeNull();
    expect(encryptionPurposeProblem(certificateInfo(pki.carol.certPem))).toBeNull();
    expect(signingPurposeProblem({ ...alice.info, extendedKeyUsage: ['2.5.29.37.0'] })).toBeNull();
    expect(signingPurposeProblem({ ...alice.info, extendedKeyUsage: null, keyUsage: { ...alice.info.keyUsage!, digitalSignature: false } })).toMatch(/digitalSignature/);
    expect(signingPurposeProblem({ ...alice.info, keyUsage: { ...alice.info.keyUsage!, digitalSignature: false, nonRepudiation: true } })).toBeNull();
  });
  it('checks validity at a given time', () => {
    const expired = parseCertificate(pki.expired.certPem);
    expect(validityProblem([expired], new Date('2021-06-01'))?.detail).toMatch(/had expired/);
    expect(validityProblem([expired], new Date('2019-06-01'))?.detail).toMatch(/not yet valid/);
    expect(validityProblem([expired], new Date('2020-06-01'))).toBeNull();
  });
});

describe('verification corner cases', () => {
  const trust = trustFor(pki, { systemRoots: false });
  const entity = plainEntity();
  const detachedParts = (message: Uint8Array) => {
    const { header, body } = splitEntity(message);
    const ct = parseContentType(text(header).match(/^Content-Type: (.*)$/im)?.[1]);
    return findSignedParts(body, ct.params.boundary!)!;
  };

  it('verifies a signature without signed attributes (-noattr), and catches tampering there too', () => {
    const signed = crlf(openssl(['cms', '-sign', '-noattr', '-signer', pki.alice.certPath, '-inkey', pki.alice.keyPath, '-certfile', pki.intermediatePath], entity));
    const parts = detachedParts(asMessage(signed, pki.alice.email));
    const cms = cmsOf(Buffer.from(parts.signature));
    const ok = verifySignedData(cms, parts.signed, { fromAddress: pki.alice.email, trust });
    expect(ok.result.status).toBe('valid');
    if (ok.result.status === 'valid') expect(ok.result.signer.signingTime).toBeNull();
    const bad = new Uint8Array(parts.signed);
    bad[bad.length - 3] = bad[bad.length - 3]! ^ 1;
    expect(verifySignedData(cms, bad, { fromAddress: pki.alice.email, trust }).result).toMatchObject({ status: 'invalid', problem: 'tampered' });
  });
  it('without signingTime, judges validity at "now"', () => {
    const signed = crlf(openssl(['cms', '-sign', '-noattr', '-signer', pki.expired.certPath, '-inkey', pki.expired.keyPath, '-certfile', pki.intermediatePath], entity));
    const parts = detachedParts(asMessage(signed, pki.expired.email));
    const r = verifySignedData(cmsOf(Buffer.from(parts.signature)), parts.signed, { fromAddress: pki.expired.email, trust, now: new Date('2030-01-01') });
    expect(r.result).toMatchObject({ status: 'invalid', problem: 'expired' });
  });
  it('finds the signer by subjectKeyIdentifier (-keyid)', () => {
    const signed = crlf(openssl(['cms', '-sign', '-keyid', '-signer', pki.carol.certPath, '-inkey', pki.carol.keyPath, '-certfile', pki.intermediatePath], entity));
    const parts = detachedParts(asMessage(signed, pki.carol.email));
    expect(verifySignedData(cmsOf(Buffer.from(parts.signature)), parts.signed, { fromAddress: pki.carol.email, trust }).result.status).toBe('valid');
  });
  it('tolerates a store that turned CRLF into LF (the digest still decides)', async () => {
    const message = Buffer.from(asMessage(opensslSign(pki.alice, entity, { certfile: pki.intermediatePath }), pki.alice.email)).toString('latin1').replace(/\r\n/g, '\n');
    const r = await readSmimeMessage(bytes(message), { fromAddress: pki.alice.email, trust, keys: [] });
    expect(r.signature?.status).toBe('valid');
    const tampered = message.replace('Hello from', 'Hello FROM');
    expect((await readSmimeMessage(bytes(tampered), { fromAddress: pki.alice.email, trust, keys: [] })).signature).toMatchObject({ problem: 'tampered' });
  });
  it('reports a missing signer certificate (-nocerts) as an error, not as valid', () => {
    const signed = crlf(openssl(['cms', '-sign', '-nocerts', '-signer', pki.alice.certPath, '-inkey', pki.alice.keyPath], entity));
    const parts = detachedParts(asMessage(signed, pki.alice.email));
    expect(verifySignedData(cmsOf(Buffer.from(parts.signature)), parts.signed, { fromAddress: pki.alice.email, trust }).result).toMatchObject({ status: 'error', message: expect.stringMatching(/not included/) });
  });
  it('turns bad input into errors, quickly', () => {
    const opts = { fromAddress: 'x@example.test', trust };
    const enveloped = cmsOf(opensslEncrypt([pki.alice], entity));
    expect(verifySignedData(enveloped, null, opts).result).toMatchObject({ status: 'error', message: expect.stringMatching(/Not a signature/) });
    const started = performance.now();
    for (const input of [new Uint8Array(0), new Uint8Array([0x30]), new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), new Uint8Array(randomBytes(1 << 20))]) {
      expect(verifySignedData(input, null, opts).result.status).toBe('error');
    }
    const opaque = cmsOf(opensslSign(pki.alice, entity, { opaque: true }));
    for (let cut = 1; cut < opaque.length; cut += 97) expect(verifySignedData(opaque.subarray(0, cut), null, opts).result.status).toBe('error');
    expect(performance.now() - started).toBeLessThan(2000);
  });
  it('leaves plain and OpenPGP messages alone', async () => {
    const plain = asMessage(entity, 'a@example.test');
    const r = await readSmimeMessage(plain, { fromAddress: 'a@example.test', trust, keys: [] });
    expect(r).toMatchObject({ signature: null, encrypted: null, layers: [] });
    expect(r.content?.raw).toBe(plain);
    const pgp = asMessage(Buffer.from('Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n'), 'a@example.test');
    expect((await readSmimeMessage(pgp, { fromAddress: 'a@example.test', trust, keys: [] })).layers).toEqual([]);
  });
  it('produces JSON-safe results', async () => {
    const r = await readSmimeMessage(asMessage(opensslSign(pki.dave, entity, { certfile: pki.intermediatePath }), pki.dave.email), { fromAddress: pki.dave.email, trust, keys: [] });
    const summary = { signature: r.signature, encrypted: r.encrypted, layers: r.layers };
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(r.signature).toMatchObject({ status: 'valid', signer: { signatureAlgorithm: 'ECDSA P-384', digestAlgorithm: 'SHA-256' } });
    if (r.signature?.status === 'valid') expect(parseCertificate(new Uint8Array(Buffer.from(r.signature.signer.certificateDer!, 'base64'))).info.emails).toEqual([pki.dave.email]);
  });
});

describe('SmimeResultCache', () => {
  it('stores statuses per message, never content', async () => {
    const db = openDatabase(':memory:');
    new AccountStore(db).insert({ id: 'acc', name: 'a', email: 'a@example.test', username: 'a', authKind: 'basic', sessionUrl: 'http://x/', jmapAccountId: 'a', sessionJson: null, createdAt: 0 });
    const cache = new SmimeResultCache(db);
    const trust = trustFor(pki, { systemRoots: false });
    const secret = plainEntity('The launch code is 0000.\r\n');
    const r = await readSmimeMessage(asMessage(opensslEncrypt([pki.alice], crlf(opensslSign(pki.bob, secret, { certfile: pki.intermediatePath }))), pki.bob.email), {
      fromAddress: pki.bob.email,
      trust,
      keys: [{ certificateDer: der(pki.alice.certPem), privateKey: new Uint8Array(Buffer.from(pki.alice.keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')) }],
    });
    expect(text(r.content!.raw)).toContain('launch code');
    expect(cache.get('acc', 'M1')).toBeNull();
    cache.put('acc', 'M1', r, 1234);
    const row = db.prepare('SELECT json FROM smime_result').get() as { json: string };
    expect(row.json).not.toContain('launch code');
    expect(row.json).not.toContain('"content"');
    expect(cache.get('acc', 'M1')).toEqual({ summary: { signature: r.signature, encrypted: r.encrypted, layers: r.layers }, checkedAt: 1234 });
    cache.put('acc', 'M1', { signature: null, encrypted: null, layers: [] }, 99);
    expect(cache.get('acc', 'M1')?.checkedAt).toBe(99);
    db.prepare("UPDATE smime_result SET json = 'not json'").run();
    expect(cache.get('acc', 'M1')).toBeNull();
    cache.clear('acc');
    expect(db.prepare('SELECT count(*) AS n FROM smime_result').get()).toEqual({ n: 0 });
    db.close();
  });
});
