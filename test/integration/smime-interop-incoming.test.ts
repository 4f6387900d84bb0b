// Incoming S/MIME against the real peers: messages made by `openssl cms` and `gpgsm` from the
// test PKI, received as full RFC 5322 messages, read with readSmimeMessage. Prints the matrix.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSmimeMessage, type ReadSmimeOptions, type SmimeReadResult } from '../../electron/core/smime/read-message';
import type { RecipientKey } from '../../electron/core/smime/decrypt';
import type { TrustAnchors } from '../../electron/core/smime/trust';
import {
  asMessage,
  cmsOf,
  crlf,
  gpgsmHome,
  keysOf,
  multipartSigned,
  opensslEncrypt,
  opensslSign,
  pkcs7MimeEntity,
  plainEntity,
  replaceInBody,
  stopGpgAgent,
  trustFor,
  type SignOptions,
} from '../support/smime-messages';
import { testPki, type PkiUser, type TestPki } from '../support/smime-pki';

interface Row {
  name: string;
  peer: string;
  expected: string;
  got: string;
}
const rows: Row[] = [];

let pki: TestPki;
let trust: TrustAnchors;
let entity: Buffer;
beforeAll(() => {
  pki = testPki();
  trust = trustFor(pki);
  entity = plainEntity();
});

/** One line describing the outcome: "valid", "invalid/tampered", "decrypted AES-256-GCM → valid"… */
function outcome(r: SmimeReadResult): string {
  return r.layers
    .map((l) => {
      if (l.kind === 'encrypted') return l.result.status === 'decrypted' ? `decrypted ${l.result.algorithm}` : 'error';
      const s = l.result;
      return s.status === 'invalid' ? `invalid/${s.problem}` : s.status;
    })
    .join(' → ') || 'plain';
}

async function read(message: Uint8Array, from: string, keys: RecipientKey[] = [], extra: Partial<ReadSmimeOptions> = {}): Promise<SmimeReadResult> {
  return readSmimeMessage(message, { fromAddress: from, trust, keys, ...extra });
}

async function expectCase(name: string, peer: string, expected: string, message: () => Uint8Array, opts: { from: string; keys?: RecipientKey[]; trust?: TrustAnchors }) {
  let got = 'threw';
  try {
    const r = await read(message(), opts.from, opts.keys ?? [], opts.trust ? { trust: opts.trust } : {});
    got = outcome(r);
    return r;
  } finally {
    rows.push({ name, peer, expected, got });
    expect(got).toBe(expected);
  }
}

const chain = () => pki.intermediatePath;

describe('signed by openssl cms, verified', () => {
  const signers: { label: string; user: () => PkiUser; pss?: boolean; alg: string }[] = [
    { label: 'RSA 2048 PKCS#1 v1.5', user: () => pki.alice, alg: 'RSA PKCS#1 v1.5' },
    { label: 'RSA 2048 PSS', user: () => pki.alice, pss: true, alg: 'RSA-PSS' },
    { label: 'ECDSA P-256', user: () => pki.carol, alg: 'ECDSA P-256' },
    { label: 'ECDSA P-384', user: () => pki.dave, alg: 'ECDSA P-384' },
  ];
  const digests = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
  for (const s of signers) {
    for (const md of digests) {
      for (const opaque of [false, true]) {
        const name = `${s.label}, ${md.toUpperCase()}, ${opaque ? 'opaque (-nodetach)' : 'detached'}`;
        it(name, async () => {
          const user = s.user();
          const r = await expectCase(name, 'openssl', 'valid', () => asMessage(opensslSign(user, entity, { md, pss: s.pss, opaque, certfile: chain() }), user.email), { from: user.email });
          const sig = r.signature;
          if (sig?.status !== 'valid') throw new Error('unreachable');
          expect(sig.signer.signatureAlgorithm).toBe(s.alg);
          expect(sig.signer.digestAlgorithm).toBe(md.replace('sha', 'SHA-'));
          expect(sig.signer.emails).toEqual([user.email]);
          expect(sig.signer.chain).toHaveLength(3);
          expect(sig.signer.signingTime).not.toBeNull();
          expect(Buffer.from(r.content!.raw).equals(entity)).toBe(true);
        });
      }
    }
  }

  it('RSA 4096, SHA-256, detached, intermediate only in the app\'s pool', async () => {
    const name = 'RSA 4096, intermediate from the pool';
    await expectCase(name, 'openssl', 'valid', () => asMessage(opensslSign(pki.bob, entity), pki.bob.email), { from: pki.bob.email, trust: trustFor(pki, { intermediates: true }) });
  });

  it('signed From with different case still matches the certificate', async () => {
    await expectCase('From address in upper case', 'openssl', 'valid', () => asMessage(opensslSign(pki.alice, entity, { certfile: chain() }), pki.alice.email), { from: 'ALICE@Example.TEST' });
  });
});

describe('signed by gpgsm, verified', () => {
  let gpg: ReturnType<typeof gpgsmHome>;
  beforeAll(() => {
    // RSA only: gpgsm 2.2.40 crashes (SIGSEGV) importing an EC key from PKCS#12.
    gpg = gpgsmHome(pki, [pki.alice, pki.bob]);
  });
  afterAll(() => stopGpgAgent(gpg.home));
  const gpgSign = (user: PkiUser, detached: boolean, digest = 'SHA256') =>
    gpg.run(['-u', user.email, '--include-certs', '-1', '--digest-algo', digest, detached ? '--detach-sign' : '--sign'], entity);

  it('gpgsm RSA detached', async () => {
    await expectCase('RSA 2048, detached', 'gpgsm', 'valid', () => asMessage(multipartSigned(entity, gpgSign(pki.alice, true)), pki.alice.email), { from: pki.alice.email });
  });
  it('gpgsm RSA opaque', async () => {
    const r = await expectCase('RSA 2048, opaque', 'gpgsm', 'valid', () => asMessage(pkcs7MimeEntity(gpgSign(pki.alice, false), 'signed-data'), pki.alice.email), { from: pki.alice.email });
    expect(Buffer.from(r.content!.raw).equals(entity)).toBe(true);
  });
  it('gpgsm RSA 4096 detached, SHA-512', async () => {
    const r = await expectCase('RSA 4096, SHA-512, detached', 'gpgsm', 'valid', () => asMessage(multipartSigned(entity, gpgSign(pki.bob, true, 'SHA512'), 'sha-512'), pki.bob.email), { from: pki.bob.email });
    expect(r.signature).toMatchObject({ signer: { digestAlgorithm: 'SHA-512' } });
  });
  it('gpgsm RSA detached, SHA-1', async () => {
    await expectCase('RSA 2048, SHA-1, detached', 'gpgsm', 'valid', () => asMessage(multipartSigned(entity, gpgSign(pki.alice, true, 'SHA1'), 'sha-1'), pki.alice.email), { from: pki.alice.email });
  });
  it('gpgsm encrypted to RSA, decrypted', async () => {
    const cms = () => gpg.run(['--encrypt', '-r', pki.alice.email], entity);
    const r = await expectCase('encrypted to RSA 2048', 'gpgsm', 'decrypted AES-128-CBC', () => asMessage(pkcs7MimeEntity(cms()), 'gpg@example.test'), { from: 'gpg@example.test', keys: keysOf(pki.alice) });
    expect(Buffer.from(r.content!.raw).equals(entity)).toBe(true);
  });
  it('gpgsm tampered detached', async () => {
    await expectCase('RSA 2048, tampered body', 'gpgsm', 'invalid/tampered', () => replaceInBody(asMessage(multipartSigned(entity, gpgSign(pki.alice, true)), pki.alice.email), 'Hello from', 'Jello from'), { from: pki.alice.email });
  });
});

describe('encrypted by openssl cms, decrypted', () => {
  const cases: { name: string; to: () => PkiUser[]; as: () => PkiUser; opts: Parameters<typeof opensslEncrypt>[2]; algorithm: string; transport: string }[] = [
    { name: 'default (3DES, RSA PKCS#1 v1.5)', to: () => [pki.alice], as: () => pki.alice, opts: {}, algorithm: '3DES-CBC', transport: 'RSA PKCS#1 v1.5' },
    { name: 'AES-128-CBC, PKCS#1 v1.5', to: () => [pki.alice], as: () => pki.alice, opts: { cipher: '-aes128' }, algorithm: 'AES-128-CBC', transport: 'RSA PKCS#1 v1.5' },
    { name: 'AES-192-CBC, PKCS#1 v1.5', to: () => [pki.alice], as: () => pki.alice, opts: { cipher: '-aes192' }, algorithm: 'AES-192-CBC', transport: 'RSA PKCS#1 v1.5' },
    { name: 'AES-256-CBC, PKCS#1 v1.5', to: () => [pki.alice], as: () => pki.alice, opts: { cipher: '-aes256' }, algorithm: 'AES-256-CBC', transport: 'RSA PKCS#1 v1.5' },
    { name: '3DES (-des3), PKCS#1 v1.5, RSA 4096', to: () => [pki.bob], as: () => pki.bob, opts: { cipher: '-des3' }, algorithm: '3DES-CBC', transport: 'RSA PKCS#1 v1.5' },
    { name: 'AES-256-CBC, RSA-OAEP (SHA-1)', to: () => [pki.alice], as: () => pki.alice, opts: { cipher: '-aes256', oaep: true }, algorithm: 'AES-256-CBC', transport: 'RSA-OAEP (SHA-1)' },
    { name: 'AES-128-CBC, RSA-OAEP (SHA-256)', to: () => [pki.alice], as: () => pki.alice, opts: { cipher: '-aes128', oaep: true, oaepHash: 'sha256' }, algorithm: 'AES-128-CBC', transport: 'RSA-OAEP (SHA-256)' },
    { name: 'AES-256-CBC, RSA-OAEP (SHA-256), RSA 4096', to: () => [pki.bob], as: () => pki.bob, opts: { cipher: '-aes256', oaep: true, oaepHash: 'sha256' }, algorithm: 'AES-256-CBC', transport: 'RSA-OAEP (SHA-256)' },
    { name: 'AES-256-GCM (AuthEnvelopedData), PKCS#1 v1.5', to: () => [pki.alice], as: () => pki.alice, opts: { cipher: '-aes-256-gcm' }, algorithm: 'AES-256-GCM', transport: 'RSA PKCS#1 v1.5' },
    { name: 'AES-128-GCM (AuthEnvelopedData), RSA-OAEP (SHA-256)', to: () => [pki.alice], as: () => pki.alice, opts: { cipher: '-aes-128-gcm', oaep: true, oaepHash: 'sha256' }, algorithm: 'AES-128-GCM', transport: 'RSA-OAEP (SHA-256)' },
    { name: 'AES-256-CBC, ECDH to EC P-256', to: () => [pki.carol], as: () => pki.carol, opts: { cipher: '-aes256' }, algorithm: 'AES-256-CBC', transport: 'ECDH (SHA-1 KDF, AES key wrap)' },
    { name: 'AES-256-GCM, ECDH to EC P-384', to: () => [pki.dave], as: () => pki.dave, opts: { cipher: '-aes-256-gcm' }, algorithm: 'AES-256-GCM', transport: 'ECDH (SHA-1 KDF, AES key wrap)' },
    { name: 'two recipients, read by the second', to: () => [pki.alice, pki.bob], as: () => pki.bob, opts: { cipher: '-aes256' }, algorithm: 'AES-256-CBC', transport: 'RSA PKCS#1 v1.5' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await expectCase(c.name, 'openssl', `decrypted ${c.algorithm}`, () => asMessage(opensslEncrypt(c.to(), entity, c.opts), 'sender@example.test'), { from: 'sender@example.test', keys: keysOf(c.as()) });
      expect(r.encrypted).toMatchObject({ status: 'decrypted', keyTransport: c.transport });
      expect(Buffer.from(r.content!.raw).equals(entity)).toBe(true);
      expect(r.signature).toBeNull();
    });
  }

  it('not encrypted to any of our keys', async () => {
    const r = await expectCase('encrypted to someone else', 'openssl', 'error', () => asMessage(opensslEncrypt([pki.bob], entity), 'sender@example.test'), { from: 'sender@example.test', keys: keysOf(pki.alice) });
    expect(r.content).toBeNull();
    expect(r.encrypted).toMatchObject({ status: 'error', message: expect.stringMatching(/not encrypted to any/) });
  });

  it('AES-GCM with a flipped tag byte', async () => {
    const make = () => {
      const cms = cmsOf(opensslEncrypt([pki.alice], entity, { cipher: '-aes-256-gcm' }));
      cms[cms.length - 1]! ^= 0x01; // the mac is the last element
      return asMessage(pkcs7MimeEntity(cms, 'authEnveloped-data'), 'sender@example.test');
    };
    const r = await expectCase('AES-256-GCM, tag altered', 'openssl', 'error', make, { from: 'sender@example.test', keys: keysOf(pki.alice) });
    expect(r.content).toBeNull();
  });
});

describe('nested layers', () => {
  it('signed, then encrypted', async () => {
    const signed = crlf(opensslSign(pki.alice, entity, { certfile: chain() }));
    const r = await expectCase('signed (detached) then encrypted', 'openssl', 'decrypted AES-256-CBC → valid', () => asMessage(opensslEncrypt([pki.bob], signed, { cipher: '-aes256' }), pki.alice.email), { from: pki.alice.email, keys: keysOf(pki.bob) });
    expect(r.signature?.status).toBe('valid');
    expect(Buffer.from(r.content!.raw).equals(entity)).toBe(true);
  });
  it('opaque signed inside enveloped', async () => {
    const signed = crlf(opensslSign(pki.carol, entity, { opaque: true, certfile: chain() }));
    await expectCase('opaque signed inside enveloped', 'openssl', 'decrypted AES-256-GCM → valid', () => asMessage(opensslEncrypt([pki.alice], signed, { cipher: '-aes-256-gcm' }), pki.carol.email), { from: pki.carol.email, keys: keysOf(pki.alice) });
  });
  it('encrypted, then signed', async () => {
    const encrypted = crlf(opensslEncrypt([pki.bob], entity, { cipher: '-aes128', oaep: true }));
    const r = await expectCase('encrypted then signed (detached)', 'openssl', 'valid → decrypted AES-128-CBC', () => asMessage(opensslSign(pki.alice, encrypted, { certfile: chain() }), pki.alice.email), { from: pki.alice.email, keys: keysOf(pki.bob) });
    expect(Buffer.from(r.content!.raw).equals(entity)).toBe(true);
  });
  it('triple wrapped: signed, encrypted, signed', async () => {
    const inner = crlf(opensslSign(pki.alice, entity, { certfile: chain() }));
    const middle = crlf(opensslEncrypt([pki.bob], inner, { cipher: '-aes256' }));
    await expectCase('triple wrapped (sign, encrypt, sign)', 'openssl', 'valid → decrypted AES-256-CBC → valid', () => asMessage(opensslSign(pki.alice, middle, { certfile: chain() }), pki.alice.email), { from: pki.alice.email, keys: keysOf(pki.bob) });
  });
  it('signed then encrypted, without our key: the signature stays unknown', async () => {
    const signed = crlf(opensslSign(pki.alice, entity, { certfile: chain() }));
    const r = await expectCase('signed then encrypted, no key', 'openssl', 'error', () => asMessage(opensslEncrypt([pki.bob], signed), pki.alice.email), { from: pki.alice.email, keys: [] });
    expect(r.signature).toBeNull();
  });
});

describe('what must not pass', () => {
  const signedBy = (user: PkiUser, opts: SignOptions = {}) => asMessage(opensslSign(user, entity, { certfile: chain(), ...opts }), user.email);

  it('flipped byte in the signed body (detached)', async () => {
    const r = await expectCase('tampered body, detached', 'openssl', 'invalid/tampered', () => replaceInBody(signedBy(pki.alice), 'Hello from', 'Hellp from'), { from: pki.alice.email });
    expect(r.signature).toMatchObject({ status: 'invalid', problem: 'tampered' });
  });
  it('changed header inside the signed part (detached)', async () => {
    await expectCase('tampered part header, detached', 'openssl', 'invalid/tampered', () => replaceInBody(signedBy(pki.carol), 'charset=utf-8', 'charset=latin1'), { from: pki.carol.email });
  });
  it('flipped byte in the encapsulated content (opaque)', async () => {
    const make = () => {
      const cms = cmsOf(opensslSign(pki.dave, entity, { opaque: true, certfile: chain() }));
      const at = cms.indexOf('Hello from');
      cms[at] = cms[at]! ^ 0x20;
      return asMessage(pkcs7MimeEntity(cms, 'signed-data'), pki.dave.email);
    };
    await expectCase('tampered content, opaque', 'openssl', 'invalid/tampered', make, { from: pki.dave.email });
  });
  it('From is somebody else', async () => {
    const r = await expectCase('From swapped (signed by alice, From carol)', 'openssl', 'invalid/address-mismatch', () => signedBy(pki.alice), { from: pki.carol.email });
    expect(r.signature).toMatchObject({ problem: 'address-mismatch', detail: expect.stringContaining(pki.carol.email) });
  });
  it('expired certificate', async () => {
    const r = await expectCase('expired signer certificate', 'openssl', 'invalid/expired', () => signedBy(pki.expired), { from: pki.expired.email });
    expect(r.signature).toMatchObject({ problem: 'expired', detail: expect.stringMatching(/expired/) });
  });
  it('untrusted root', async () => {
    const r = await expectCase('unknown root', 'openssl', 'valid-but-untrusted', () => asMessage(opensslSign(pki.untrusted, entity), pki.untrusted.email), { from: pki.untrusted.email });
    expect(r.signature).toMatchObject({ reason: expect.stringMatching(/root|incomplete/i) });
  });
  it('wrong extended key usage', async () => {
    const r = await expectCase('wrong EKU (serverAuth only)', 'openssl', 'valid-but-untrusted', () => signedBy(pki.wrongEku), { from: pki.wrongEku.email });
    expect(r.signature).toMatchObject({ reason: expect.stringMatching(/EKU/) });
  });
  it('chain incomplete', async () => {
    const r = await expectCase('intermediate missing', 'openssl', 'valid-but-untrusted', () => asMessage(opensslSign(pki.alice, entity), pki.alice.email), { from: pki.alice.email });
    expect(r.signature).toMatchObject({ reason: expect.stringMatching(/Incomplete chain/) });
  });
  it('truncated CMS (opaque)', async () => {
    const make = () => {
      const cms = cmsOf(opensslSign(pki.alice, entity, { opaque: true }));
      return asMessage(pkcs7MimeEntity(cms.subarray(0, cms.length >> 1), 'signed-data'), pki.alice.email);
    };
    await expectCase('truncated CMS', 'openssl', 'error', make, { from: pki.alice.email });
  });
  it('truncated detached signature', async () => {
    const make = () => {
      const m = Buffer.from(signedBy(pki.alice)).toString('latin1');
      const cut = m.replace(/(Content-Disposition: attachment; filename="smime.p7s"\r\n\r\n)([A-Za-z0-9+/=\r\n]+)/, (_all, head: string, b64: string) => head + b64.slice(0, 400) + '\r\n');
      return new Uint8Array(Buffer.from(cut, 'latin1'));
    };
    await expectCase('truncated detached signature', 'openssl', 'error', make, { from: pki.alice.email });
  });
  it('garbage DER', async () => {
    const garbage = Buffer.from('3082ffff0609608648016503040201a0820102deadbeef', 'hex');
    await expectCase('garbage DER', 'openssl', 'error', () => asMessage(pkcs7MimeEntity(garbage, 'signed-data'), pki.alice.email), { from: pki.alice.email });
  });
  it('1 MB random blob labelled application/pkcs7-mime, quickly', async () => {
    const blob = randomBytes(1024 * 1024);
    const started = performance.now();
    await expectCase('1 MB random blob as pkcs7-mime', 'openssl', 'error', () => asMessage(pkcs7MimeEntity(blob), 'x@example.test'), { from: 'x@example.test', keys: keysOf(pki.alice) });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

afterAll(() => {
  const width = (k: keyof Row) => Math.max(k.length, ...rows.map((r) => r[k].length));
  const w = { name: width('name'), peer: width('peer'), expected: width('expected'), got: width('got') };
  const line = (r: Row) => `| ${r.name.padEnd(w.name)} | ${r.peer.padEnd(w.peer)} | ${r.expected.padEnd(w.expected)} | ${r.got.padEnd(w.got)} |`;
  const table = [line({ name: 'case', peer: 'peer', expected: 'expected', got: 'got' }), `|${'-'.repeat(w.name + 2)}|${'-'.repeat(w.peer + 2)}|${'-'.repeat(w.expected + 2)}|${'-'.repeat(w.got + 2)}|`, ...rows.map(line)];
  console.log(`\nS/MIME incoming interop matrix (${rows.filter((r) => r.expected === r.got).length}/${rows.length} as expected)\n${table.join('\n')}\n`);
});
