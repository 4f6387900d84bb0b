// Outgoing S/MIME pieces that need no peer: canonical form of the signed part, cipher and key
// transport choice, what a built message looks like (Bcc, layers), and the errors a user sees.
// Interop with openssl, gpgsm and Cyrus is in test/integration/smime-interop-outgoing.test.ts.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { buildSmimeMessage, SmimeSendError, type SmimeKeys, type SmimeSendAction } from '../../electron/core/smime/compose-smime';
import { chooseCipher, encryptContent, wantsOaep } from '../../electron/core/smime/encrypt';
import { certificateDers } from '../../electron/core/smime/key-certificate';
import { canonicalizeEntity, signDetached } from '../../electron/core/smime/sign';
import { testPki, type PkiUser } from '../support/smime-pki';

const pki = testPki();
const der = (pem: string) => certificateDers(pem)[0]!;

describe('canonical form of the signed part', () => {
  it('normalises line ends to CRLF', () => {
    expect(canonicalizeEntity(Buffer.from('a: b\n\nx\ry\r\nz')).toString()).toBe('a: b\r\n\r\nx\r\ny\r\nz');
  });
  it('refuses 8-bit bytes and over-long lines rather than re-encoding them', () => {
    expect(() => canonicalizeEntity(Buffer.from('Content-Type: text/plain\r\n\r\nHällo\r\n'))).toThrow(/8-bit/);
    expect(() => canonicalizeEntity(Buffer.from(`x\r\n${'a'.repeat(999)}\r\n`))).toThrow(/998/);
    expect(() => canonicalizeEntity(Buffer.from(`x\r\n${'a'.repeat(998)}\r\n`))).not.toThrow();
  });
});

describe('cipher and key transport choice', () => {
  it('CBC unless GCM is preferred and every recipient reads it', () => {
    const r = (gcm?: boolean) => ({ email: 'x@example.test', certificate: Buffer.alloc(0), gcm });
    expect(chooseCipher([r(true), r(true)])).toBe('aes-256-cbc');
    expect(chooseCipher([r(true), r(undefined)], { preferGcm: true })).toBe('aes-256-cbc');
    expect(chooseCipher([r(true), r(true)], { preferGcm: true })).toBe('aes-256-gcm');
  });

  it('OAEP when the certificate lists it in an SMIMECapabilities extension, else PKCS#1 v1.5', () => {
    const dir = pki.dir;
    const out = join(dir, 'oaep-capable.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'oaep-capable.key'), '-subj', '/CN=oaep', '-addext', '1.2.840.113549.1.9.15=DER:300d300b06092a864886f70d010107', '-out', out], { stdio: 'ignore' });
    expect(wantsOaep(pkijs.Certificate.fromBER(der(execFileSync('cat', [out], { encoding: 'utf8' }))))).toBe(true);
    expect(wantsOaep(pkijs.Certificate.fromBER(der(pki.bob.certPem)))).toBe(false);
  });

  it('names every recipient whose key cannot be used', () => {
    const ed = execFileSync('sh', ['-c', `cd '${pki.dir}' && openssl req -x509 -newkey ed25519 -nodes -keyout ed.key -subj /CN=ed -days 2 2>/dev/null`], { encoding: 'utf8' });
    expect(() =>
      encryptContent(Buffer.from('x'), [
        { email: 'bob@example.test', certificate: der(pki.bob.certPem) },
        { email: 'ed@example.test', certificate: der(ed) },
        { email: 'junk@example.test', certificate: Buffer.from('not a certificate') },
      ]),
    ).toThrow(/ed@example.test's certificate uses a ed25519 key.*junk@example.test's certificate cannot be read/);
  });

  it('refuses to sign with a key type S/MIME here does not do', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(() => signDetached(Buffer.from('x'), { certificate: der(pki.alice.certPem), chain: [], privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }) })).toThrow(/ed25519/);
  });
});

describe('the built message', () => {
  const people = [pki.alice, pki.bob, pki.carol];
  const keys = (withSigner: boolean): SmimeKeys => ({
    signer: async () => (withSigner ? { certificate: der(pki.alice.certPem), chain: [der(pki.intermediatePem)], privateKey: Buffer.from(pki.alice.keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64') } : null),
    recipient: (email) => {
      const u = people.find((p: PkiUser) => p.email === email);
      return u ? { email, certificate: der(u.certPem) } : null;
    },
  });
  const act = (mode: { sign: boolean; encrypt: boolean }, patch: Partial<SmimeSendAction['draft']> = {}): SmimeSendAction => ({
    kind: 'send-smime',
    draft: { to: [{ name: null, email: pki.bob.email }], cc: [], bcc: [{ name: null, email: pki.carol.email }], subject: 'S', html: '<p>Hi <b>there</b></p><script>x()</script>', text: '', inReplyTo: ['p@example.test'], references: ['o@example.test', 'p@example.test'], attachments: [], ...patch },
    from: { name: 'Alice', email: pki.alice.email },
    identityId: 'i',
    messageId: 'fixed@example.test',
    draftId: null,
    draftsMailboxId: 'd',
    sentMailboxId: 's',
    ...mode,
  });

  it('signed: multipart/signed, threading headers, no Bcc, 7-bit, sanitised HTML with a text alternative', async () => {
    const msg = (await buildSmimeMessage(act({ sign: true, encrypt: false }), keys(true))).toString('latin1');
    const head = msg.slice(0, msg.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^Message-ID: <fixed@example.test>$/m);
    expect(head).toMatch(/^In-Reply-To: <p@example.test>$/m);
    expect(head).toMatch(/^References: <o@example.test> <p@example.test>$/m);
    expect(head).toMatch(/^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature";\r\n micalg=sha-256; boundary=/m);
    expect(msg).not.toMatch(/^bcc:/im);
    expect(msg).not.toContain(pki.carol.email);
    expect(msg).not.toMatch(/[^\r]\n/);
    expect(msg).not.toMatch(/[\x80-\xff]/);
    expect(msg).toContain('Content-Type: text/plain; charset=utf-8');
    expect(msg).not.toContain('<script>');
  });

  it('encrypted: one application/pkcs7-mime part, base64', async () => {
    const msg = (await buildSmimeMessage(act({ sign: true, encrypt: true }), keys(true))).toString('latin1');
    expect(msg).toMatch(/^Content-Type: application\/pkcs7-mime; smime-type=enveloped-data;\r\n name=smime.p7m$/m);
    expect(msg).toMatch(/^Content-Transfer-Encoding: base64$/m);
    expect(msg).toMatch(/^Content-Disposition: attachment; filename=smime.p7m$/m);
    expect(msg).not.toContain('multipart/signed'); // inside the envelope only
  });

  it('without certificates: names every such recipient, the sender too', async () => {
    const lonely: SmimeKeys = { signer: async () => null, recipient: () => null };
    const err = (await buildSmimeMessage(act({ sign: false, encrypt: true }, { cc: [{ name: null, email: 'x@example.test' }] }), lonely).catch((e: unknown) => e)) as SmimeSendError;
    expect(err).toBeInstanceOf(SmimeSendError);
    expect(err.emails).toEqual([pki.bob.email, 'x@example.test', pki.carol.email, pki.alice.email]);
    expect(err.message).toBe(`Cannot encrypt: no certificate for ${pki.bob.email}, x@example.test, ${pki.carol.email}, ${pki.alice.email} (you).`);
    await expect(buildSmimeMessage(act({ sign: true, encrypt: false }), lonely)).rejects.toThrow(`Cannot sign: there is no certificate with a private key for ${pki.alice.email}.`);
  });
});
