// S/MIME decryption: PKCS#1 v1.5 unpadding with implicit rejection, key transport and content
// ciphers on envelopes made by `openssl cms`, and hostile input.
import { constants, createPrivateKey, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificatesFromPem } from '../../electron/core/smime/certificate';
import { decryptEnveloped, type RecipientKey } from '../../electron/core/smime/decrypt';
import { rsaPkcs1DecryptKey, unpadPkcs1v15 } from '../../electron/core/smime/rsa-pkcs1';
import { readSmimeMessage } from '../../electron/core/smime/read-message';
import { asMessage, keysOf, openssl, plainEntity, trustFor } from '../support/smime-messages';
import { testPki } from '../support/smime-pki';

const pki = testPki();
const entity = plainEntity();
const aliceKey = createPrivateKey(pki.alice.keyPem);
const alicePublic = createPublicKey(pki.alice.certPem);

/** EM = 00 02 PS 00 M for a 2048-bit modulus, with PS of non-zero bytes. */
function em(message: Uint8Array, opts: { first?: number; second?: number; zeroInPs?: number } = {}): Uint8Array {
  const out = new Uint8Array(256);
  out[0] = opts.first ?? 0;
  out[1] = opts.second ?? 2;
  const psEnd = 256 - message.length - 1;
  for (let i = 2; i < psEnd; i++) out[i] = 1 + (i % 255);
  if (opts.zeroInPs !== undefined) out[opts.zeroInPs] = 0;
  out[psEnd] = 0;
  out.set(message, psEnd + 1);
  return out;
}

const rawEncrypt = (block: Uint8Array) => new Uint8Array(publicEncrypt({ key: alicePublic, padding: constants.RSA_NO_PADDING }, block));
const der = (args: string[]) => new Uint8Array(openssl(['cms', '-encrypt', '-outform', 'DER', ...args], entity));

describe('PKCS#1 v1.5 unpadding', () => {
  const key = new Uint8Array(randomBytes(32));
  const fallback = new Uint8Array(32).fill(0xee);

  it('returns the message when the padding is right', () => {
    expect(unpadPkcs1v15(em(key), 32, fallback)).toEqual(key);
  });
  it('returns the fallback, same length, for every kind of padding error', () => {
    const bad = [
      em(key, { first: 1 }),
      em(key, { second: 1 }),
      em(key, { zeroInPs: 5 }), // separator too early: the message would be longer than expected
      em(key, { zeroInPs: 9 }),
      em(new Uint8Array(31).fill(7)), // right padding, wrong key length
      em(new Uint8Array(33).fill(7)),
      new Uint8Array(256),
      new Uint8Array(40), // too short to hold 8 bytes of padding
    ];
    for (const block of bad) expect(unpadPkcs1v15(block, 32, fallback)).toEqual(fallback);
  });
  it('decrypts real PKCS#1 v1.5 ciphertext through raw RSA', () => {
    const ct = new Uint8Array(publicEncrypt({ key: alicePublic, padding: constants.RSA_PKCS1_PADDING }, key));
    expect(rsaPkcs1DecryptKey(aliceKey, ct, 32)).toEqual(key);
  });
  it('rejects implicitly: a bad padding yields a stable synthetic key, never an exception', () => {
    const ct = rawEncrypt(em(key, { second: 1 }));
    const a = rsaPkcs1DecryptKey(aliceKey, ct, 32);
    const b = rsaPkcs1DecryptKey(aliceKey, ct, 32);
    expect(a).toHaveLength(32);
    expect(a).toEqual(b); // deterministic per ciphertext: retrying reveals nothing
    expect(a).not.toEqual(key);
    expect(rsaPkcs1DecryptKey(aliceKey, rawEncrypt(em(key, { first: 3 })), 32)).not.toEqual(a);
    expect(rsaPkcs1DecryptKey(aliceKey, new Uint8Array(17), 24)).toHaveLength(24);
    expect(rsaPkcs1DecryptKey(aliceKey, new Uint8Array(256).fill(0xff), 16)).toHaveLength(16); // ≥ n
  });
});

describe('decryptEnveloped', () => {
  it('accepts a PKCS#8 DER key', () => {
    const pkcs8 = new Uint8Array(aliceKey.export({ format: 'der', type: 'pkcs8' }));
    const out = decryptEnveloped(der(['-aes256', pki.alice.certPath]), [{ certificateDer: certificatesFromPem(pki.alice.certPem)[0]!, privateKey: pkcs8 }]);
    expect(out).toMatchObject({ ok: true, algorithm: 'AES-256-CBC', keyTransport: 'RSA PKCS#1 v1.5', form: 'enveloped' });
    if (out.ok) expect(Buffer.from(out.content).equals(entity)).toBe(true);
  });
  it('matches the recipient by subjectKeyIdentifier (-keyid)', () => {
    expect(decryptEnveloped(der(['-keyid', '-aes128', pki.bob.certPath]), keysOf(pki.bob))).toMatchObject({ ok: true, algorithm: 'AES-128-CBC' });
  });
  it('explains when the message is not for us', () => {
    expect(decryptEnveloped(der([pki.bob.certPath]), keysOf(pki.alice))).toMatchObject({ ok: false, message: expect.stringMatching(/not encrypted to any/) });
    expect(decryptEnveloped(der(['-aes256', pki.carol.certPath]), keysOf(pki.alice, pki.dave))).toMatchObject({ ok: false, message: expect.stringMatching(/not encrypted to any/) });
  });
  it('decrypts for EC keys (ECDH key agreement, X9.63 KDF, AES key wrap)', () => {
    const cases: [string[], string][] = [
      [['-aes256', pki.carol.certPath], 'ECDH (SHA-1 KDF, AES key wrap)'],
      [['-aes128', '-recip', pki.dave.certPath, '-keyopt', 'ecdh_kdf_md:sha256'], 'ECDH (SHA-256 KDF, AES key wrap)'],
      [['-aes-256-gcm', '-recip', pki.carol.certPath, '-keyopt', 'ecdh_kdf_md:sha384'], 'ECDH (SHA-384 KDF, AES key wrap)'],
    ];
    for (const [args, transport] of cases) {
      const out = decryptEnveloped(der(args), keysOf(pki.alice, pki.carol, pki.dave));
      expect(out).toMatchObject({ ok: true, keyTransport: transport });
      if (out.ok) expect(Buffer.from(out.content).equals(entity)).toBe(true);
    }
    const tampered = der(['-aes256', pki.carol.certPath]);
    const at = Buffer.from(tampered).indexOf(Buffer.from([0x04, 0x28])); // the 40-byte wrapped key
    tampered[at + 5] = tampered[at + 5]! ^ 1;
    expect(decryptEnveloped(tampered, keysOf(pki.carol))).toMatchObject({ ok: false, message: expect.stringMatching(/message key/) });
  });
  it('gives the same answer for a bad padding as for a well-padded wrong key (no padding oracle)', () => {
    const envelope = der(['-aes-256-gcm', pki.alice.certPath]);
    const header = Buffer.from([0x04, 0x82, 0x01, 0x00]); // the 256-byte encryptedKey
    const at = Buffer.from(envelope).indexOf(header) + header.length;
    expect(at).toBeGreaterThan(header.length);
    const withKey = (block: Uint8Array) => {
      const copy = new Uint8Array(envelope);
      copy.set(rawEncrypt(block), at);
      return decryptEnveloped(copy, keysOf(pki.alice));
    };
    const wrongKey = withKey(em(new Uint8Array(randomBytes(32))));
    const badPadding = withKey(em(new Uint8Array(randomBytes(32)), { second: 7 }));
    expect(wrongKey.ok).toBe(false);
    expect(badPadding).toEqual(wrongKey);
  });
  it('refuses GCM content whose ciphertext was altered', () => {
    const envelope = der(['-aes-128-gcm', pki.alice.certPath]);
    const copy = new Uint8Array(envelope);
    copy[copy.length - 30] = copy[copy.length - 30]! ^ 0x40; // inside the encrypted content, before the 16-byte tag
    expect(decryptEnveloped(copy, keysOf(pki.alice))).toMatchObject({ ok: false, message: expect.stringMatching(/integrity/) });
  });
  it('never throws on garbage, truncation or a missing key', () => {
    const envelope = der(['-aes256', '-recip', pki.alice.certPath, '-keyopt', 'rsa_padding_mode:oaep']);
    const keys: RecipientKey[] = keysOf(pki.alice);
    const started = performance.now();
    for (let cut = 0; cut < envelope.length; cut += 41) expect(decryptEnveloped(envelope.subarray(0, cut), keys).ok).toBe(false);
    expect(decryptEnveloped(new Uint8Array(randomBytes(1 << 20)), keys).ok).toBe(false);
    expect(decryptEnveloped(envelope, []).ok).toBe(false);
    expect(decryptEnveloped(envelope, [{ certificateDer: new Uint8Array(10), privateKey: new Uint8Array(10) }]).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(3000);
  });
  it('shows nothing when a message cannot be decrypted', async () => {
    const message = asMessage(openssl(['cms', '-encrypt', '-aes256', pki.bob.certPath], entity), 'x@example.test');
    const r = await readSmimeMessage(message, { fromAddress: 'x@example.test', trust: trustFor(pki, { systemRoots: false }), keys: keysOf(pki.alice) });
    expect(r).toMatchObject({ content: null, signature: null, encrypted: { status: 'error' }, layers: [{ kind: 'encrypted', form: 'enveloped' }] });
  });
});
