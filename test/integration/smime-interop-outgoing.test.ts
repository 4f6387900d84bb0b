// Outgoing S/MIME against real peers: what this client signs, `openssl cms` and `gpgsm` must
// verify; what it encrypts, `openssl cms -decrypt` must open; and a signed (and a signed and
// encrypted) message sent through the real Cyrus (upload, Email/import, EmailSubmission/set)
// must still verify as it arrives in the recipient's inbox (Cyrus's submission sink hands each
// message to `deliver`, i.e. LMTP into the local user's INBOX, and keeps a copy in its outbox).
// Every check adds a row to the matrix printed at the end; tampered controls prove the peers
// really reject.
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JmapClient } from '../../electron/core/jmap/client';
import { MemorySecretStore } from '../../electron/core/secrets/secret-store';
import { openDatabase } from '../../electron/core/store/db';
import { buildSmimeMessage, sendSmimeMessage, smimeDraftFrom, SmimeSendError, type SmimeDraft, type SmimeKeys, type SmimeSendAction } from '../../electron/core/smime/compose-smime';
import type { EncryptRecipient } from '../../electron/core/smime/encrypt';
import { certificateDers } from '../../electron/core/smime/key-certificate';
import { keysFromKeystore } from '../../electron/core/smime/key-provider';
import { SmimeKeystore } from '../../electron/core/smime/keystore';
import { readPkcs12 } from '../../electron/core/smime/pkcs12';
import { readSmimeMessage } from '../../electron/core/smime/read-message';
import type { SignerIdentity } from '../../electron/core/smime/sign';
import { TrustAnchors } from '../../electron/core/smime/trust';
import { cyrusDir, cyrusEnv, freshUser } from '../support/cyrus';
import { jmap, serverMailboxes } from '../support/jmap-raw';
import { issueUser, testPki, type PkiUser } from '../support/smime-pki';

const pki = testPki();
const work = mkdtempSync(join(tmpdir(), 'meridian-smime-out-'));
const gnupgHome = join(work, 'gnupg');

interface Row {
  case: string;
  peer: string;
  expected: string;
  got: string;
}
const matrix: Row[] = [];

/** Runs a peer command; 'accepted' when it exits 0, else 'rejected' with its first error line. */
function peer(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ok: boolean; out: Buffer; err: string } {
  try {
    const out = execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env, timeout: 30_000 });
    return { ok: true, out, err: '' };
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer };
    return { ok: false, out: err.stdout ?? Buffer.alloc(0), err: (err.stderr?.toString() ?? '').split('\n').find((l) => l.trim()) ?? 'failed' };
  }
}

function record(row: Row): void {
  matrix.push(row);
}

const der = (pem: string) => certificateDers(pem)[0]!;

async function identity(user: PkiUser): Promise<SignerIdentity> {
  const p12 = await readPkcs12(user.p12, pki.p12Password);
  // The intermediate only: the root is the verifier's trust anchor.
  return { certificate: p12.certificate, chain: p12.chain.slice(0, 1), privateKey: p12.privateKey };
}

/** Keys for a test: one signer, and the certificates of the people named (with their options). */
function keysOf(signer: SignerIdentity | null, people: PkiUser[], options: Partial<Record<string, Omit<EncryptRecipient, 'email' | 'certificate'>>> = {}): SmimeKeys {
  return {
    signer: async () => signer,
    recipient: (email) => {
      const u = people.find((p) => p.email === email);
      return u ? { email, certificate: der(u.certPem), ...options[email] } : null;
    },
  };
}

const attachment = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256));

function draftTo(to: PkiUser | string, patch: Partial<SmimeDraft> = {}): SmimeDraft {
  return {
    to: [{ name: 'Bob Bé', email: typeof to === 'string' ? to : to.email }],
    cc: [],
    bcc: [],
    subject: 'Grüße, signed',
    html: null,
    // Trailing spaces, a lone dot, a "From " line and 8-bit text: what transports like to change.
    text: 'Hällo Bob,  \r\n.\r\nFrom here on, the numbers: 1234 \r\n\r\n— Alice',
    inReplyTo: [],
    references: [],
    attachments: [{ name: 'data.bin', type: 'application/octet-stream', data: attachment }],
    ...patch,
  };
}

function action(from: PkiUser | string, draft: SmimeDraft, mode: { sign: boolean; encrypt: boolean }, ids: Partial<SmimeSendAction> = {}): SmimeSendAction {
  const email = typeof from === 'string' ? from : from.email;
  return {
    kind: 'send-smime',
    draft,
    from: { name: 'Alice Sender', email },
    identityId: email,
    messageId: `${Math.random().toString(36).slice(2)}@example.test`,
    draftId: null,
    draftsMailboxId: 'unused',
    sentMailboxId: null,
    ...mode,
    ...ids,
  };
}

function save(name: string, bytes: Buffer): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

function opensslVerify(path: string): ReturnType<typeof peer> {
  return peer('openssl', ['cms', '-verify', '-in', path, '-CAfile', pki.rootPath, '-purpose', 'smimesign']);
}

function opensslDecrypt(path: string, user: PkiUser): ReturnType<typeof peer> {
  return peer('openssl', ['cms', '-decrypt', '-in', path, '-recip', user.certPath, '-inkey', user.keyPath]);
}

/** The two halves of a multipart/signed message, as gpgsm wants them: exact content bytes and DER signature. */
function splitSigned(message: Buffer): { content: Buffer; signature: Buffer } {
  const text = message.toString('latin1');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(text.slice(0, text.indexOf('\r\n\r\n')))?.[1];
  if (!boundary) throw new Error('no boundary');
  const parts = text.split(`--${boundary}`);
  const first = parts[1]!;
  const content = first.slice(2, first.length - 2); // after the CRLF ending the boundary line, before the CRLF before the next
  const second = parts[2]!;
  const body = second.slice(second.indexOf('\r\n\r\n') + 4);
  return { content: Buffer.from(content, 'latin1'), signature: Buffer.from(body.replace(/\s+/g, ''), 'base64') };
}

function gpgsmVerify(message: Buffer, name: string): ReturnType<typeof peer> {
  const { content, signature } = splitSigned(message);
  const sig = save(`${name}.p7s`, signature);
  const data = save(`${name}.content`, content);
  return peer('gpgsm', ['--batch', '--status-fd', '1', '--verify', sig, data], { ...process.env, GNUPGHOME: gnupgHome });
}

/** What a reader sees in a message (after decryption, the inner entity). */
async function readBack(entity: Buffer): Promise<{ text: string; attachments: Buffer[] }> {
  const parsed = await PostalMime.parse(entity);
  return { text: (parsed.text ?? '').replace(/\r\n/g, '\n'), attachments: parsed.attachments.map((a) => Buffer.from(a.content as ArrayBuffer)) };
}

/** The signed content of a decrypted multipart/signed entity (openssl -verify writes it out). */
function sameBody(got: { text: string; attachments: Buffer[] }): boolean {
  const text = draftTo(pki.bob).text.replace(/\r\n/g, '\n');
  return got.text.trimEnd() === text.trimEnd() && got.attachments.length === 1 && got.attachments[0]!.equals(attachment);
}

beforeAll(() => {
  mkdirSync(gnupgHome, { mode: 0o700 });
  writeFileSync(join(gnupgHome, 'gpgsm.conf'), 'disable-crl-checks\ndisable-policy-checks\n');
  execFileSync('gpgsm', ['--batch', '--import', pki.rootPath, pki.intermediatePath], { env: { ...process.env, GNUPGHOME: gnupgHome }, stdio: 'ignore' });
  // gpg-agent's trust list: the root's SHA-1 fingerprint, S/MIME ("S"), "relax" for a test root.
  const fp = execFileSync('openssl', ['x509', '-in', pki.rootPath, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' }).split('=')[1]!.trim();
  writeFileSync(join(gnupgHome, 'trustlist.txt'), `${fp} S relax\n`);
});

afterAll(() => {
  // Stops the gpg-agent gpgsm started for this GNUPGHOME (only that one).
  try {
    execFileSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: gnupgHome }, stdio: 'ignore' });
  } catch {
    /* none running */
  }
  const w = (['case', 'peer', 'expected', 'got'] as const).map((k) => Math.max(k.length, ...matrix.map((r) => r[k].length)));
  // The peers' inputs stay for a look only when asked (SMIME_KEEP=1).
  if (process.env.SMIME_KEEP) console.log(`S/MIME interop files kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  const line = (c: string[]) => c.map((v, i) => v.padEnd(w[i]!)).join(' | ');
  console.log(['', line(['case', 'peer', 'expected', 'got']), w.map((n) => '-'.repeat(n)).join('-|-'), ...matrix.map((r) => line([r.case, r.peer, r.expected, r.got]))].join('\n'));
});

describe('signed by this client', () => {
  const signers = [
    ['RSA 2048', pki.alice],
    ['RSA 4096', pki.bob],
    ['EC P-256', pki.carol],
    ['EC P-384', pki.dave],
  ] as const;
  for (const [label, user] of signers) {
    it(`${label}: openssl cms and gpgsm verify the full message`, async () => {
      const message = await buildSmimeMessage(action(user, draftTo(pki.bob), { sign: true, encrypt: false }), keysOf(await identity(user), []));
      const path = save(`signed-${user.email}.eml`, message);
      expect(message.toString('latin1')).not.toMatch(/[\x80-\xff]/);
      // SHA-256, but the curve's own hash for P-384 (gpgsm refuses a 256-bit hash there).
      expect(message.toString('latin1')).toMatch(label === 'EC P-384' ? /micalg=sha-384/ : /micalg=sha-256/);
      const ossl = opensslVerify(path);
      record({ case: `signed ${label}`, peer: 'openssl cms -verify', expected: 'accepted', got: ossl.ok ? 'accepted' : `rejected: ${ossl.err}` });
      expect(ossl.err).toBe('');
      expect(sameBody(await readBack(ossl.out))).toBe(true);
      const smime = peer('openssl', ['smime', '-verify', '-in', path, '-CAfile', pki.rootPath]);
      record({ case: `signed ${label}`, peer: 'openssl smime -verify', expected: 'accepted', got: smime.ok ? 'accepted' : `rejected: ${smime.err}` });
      expect(smime.ok).toBe(true);
      const gpg = gpgsmVerify(message, `signed-${user.email}`);
      const good = gpg.ok && /GOODSIG/.test(gpg.err + gpg.out.toString()) ? 'accepted' : `rejected: ${gpg.err}`;
      record({ case: `signed ${label}`, peer: 'gpgsm --verify', expected: 'accepted', got: good });
      expect(good).toBe('accepted');
    });
  }

  it('carries the signed attributes RFC 8551 asks for, and the chain', async () => {
    const message = await buildSmimeMessage(action(pki.alice, draftTo(pki.bob), { sign: true, encrypt: false }), keysOf(await identity(pki.alice), []));
    const p7s = save('attrs.p7s', splitSigned(message).signature);
    const dump = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', p7s], { encoding: 'utf8' });
    for (const attr of ['contentType', 'messageDigest', 'signingTime', 'S/MIME Capabilities', 'id-smime-aa-signingCertificateV2', 'id-smime-aa-encrypKeyPref']) expect(dump).toContain(attr);
    for (const cap of ['aes-256-gcm', 'aes-256-cbc', 'aes-128-cbc', 'rsaesOaep', 'rsaEncryption', 'dhSinglePass-stdDH-sha256kdf-scheme', 'id-aes256-wrap']) expect(dump).toContain(cap);
    expect(dump).toMatch(/CN=Meridian Test Intermediate CA/);
    expect(message.toString()).toMatch(/Content-Type: multipart\/signed; protocol="application\/pkcs7-signature";\s+micalg=sha-256/);
  });

  it('controls: a tampered body is rejected by both peers', async () => {
    const message = await buildSmimeMessage(action(pki.alice, draftTo(pki.bob), { sign: true, encrypt: false }), keysOf(await identity(pki.alice), []));
    const tampered = Buffer.from(message.toString('latin1').replace('H=C3=A4llo Bob', 'H=C3=A4llo Rob'), 'latin1');
    expect(tampered.equals(message)).toBe(false);
    const ossl = opensslVerify(save('tampered.eml', tampered));
    record({ case: 'signed RSA 2048, body tampered', peer: 'openssl cms -verify', expected: 'rejected', got: ossl.ok ? 'accepted' : 'rejected' });
    expect(ossl.ok).toBe(false);
    const gpg = gpgsmVerify(tampered, 'tampered');
    const bad = gpg.ok && /GOODSIG/.test(gpg.err + gpg.out.toString());
    record({ case: 'signed RSA 2048, body tampered', peer: 'gpgsm --verify', expected: 'rejected', got: bad ? 'accepted' : 'rejected' });
    expect(bad).toBe(false);
  });
});

describe('encrypted by this client', () => {
  const cases: { label: string; to: PkiUser; oaep?: boolean; gcm?: boolean; keyTransport: RegExp | null }[] = [
    { label: 'RSA 4096, RSA-OAEP, AES-256-CBC', to: pki.bob, oaep: true, keyTransport: /rsaesOaep/ },
    { label: 'RSA 4096, PKCS#1 v1.5, AES-256-CBC', to: pki.bob, oaep: false, keyTransport: /algorithm: rsaEncryption/ },
    { label: 'RSA 4096, RSA-OAEP, AES-256-GCM', to: pki.bob, oaep: true, gcm: true, keyTransport: /rsaesOaep/ },
    { label: 'EC P-256, ECDH, AES-256-CBC', to: pki.carol, keyTransport: /dhSinglePass-stdDH-sha256kdf-scheme/ },
    { label: 'EC P-384, ECDH, AES-256-CBC', to: pki.dave, keyTransport: /dhSinglePass-stdDH-sha256kdf-scheme/ },
  ];
  for (const c of cases) {
    it(`${c.label}: openssl decrypts to the original content (recipient and sender)`, async () => {
      const options = { [c.to.email]: { oaep: c.oaep, gcm: c.gcm }, [pki.alice.email]: { gcm: c.gcm } };
      const message = await buildSmimeMessage(action(pki.alice, draftTo(c.to), { sign: false, encrypt: true }), keysOf(null, [pki.alice, c.to], options), { encrypt: { preferGcm: c.gcm ?? false } });
      const head = message.toString('latin1').slice(0, message.indexOf('\r\n\r\n'));
      expect(head).toMatch(c.gcm ? /smime-type=authEnveloped-data/ : /smime-type=enveloped-data/);
      expect(head).not.toMatch(/^Bcc:/im);
      const path = save(`enc-${c.label.replace(/\W+/g, '-')}.eml`, message);
      const dump = execFileSync('openssl', ['cms', '-cmsout', '-print', '-in', path], { encoding: 'utf8' });
      if (c.keyTransport) expect(dump).toMatch(c.keyTransport);
      expect(dump).toMatch(c.gcm ? /aes-256-gcm/ : /aes-256-cbc/);
      for (const [who, user] of [['recipient', c.to], ['sender', pki.alice]] as const) {
        const out = opensslDecrypt(path, user);
        const ok = out.ok && sameBody(await readBack(out.out));
        record({ case: `encrypted ${c.label}`, peer: `openssl cms -decrypt (${who})`, expected: 'original', got: ok ? 'original' : `failed: ${out.err}` });
        expect(ok).toBe(true);
      }
    });
  }

  it('signed then encrypted: openssl decrypts, then verifies', async () => {
    const message = await buildSmimeMessage(action(pki.alice, draftTo(pki.bob), { sign: true, encrypt: true }), keysOf(await identity(pki.alice), [pki.alice, pki.bob]));
    const outer = opensslDecrypt(save('sign-enc.eml', message), pki.bob);
    expect(outer.ok).toBe(true);
    expect(outer.out.toString('latin1')).toMatch(/^Content-Type: multipart\/signed/);
    const inner = opensslVerify(save('sign-enc-inner.eml', outer.out));
    const ok = inner.ok && sameBody(await readBack(inner.out));
    record({ case: 'signed RSA 2048 + encrypted to bob (PKCS#1 v1.5), AES-256-CBC', peer: 'openssl decrypt, verify', expected: 'accepted', got: ok ? 'accepted' : `rejected: ${inner.err}` });
    expect(ok).toBe(true);
  });

  it('controls: a different key cannot decrypt', async () => {
    const message = await buildSmimeMessage(action(pki.alice, draftTo(pki.bob), { sign: false, encrypt: true }), keysOf(null, [pki.alice, pki.bob]));
    const out = opensslDecrypt(save('wrong-key.eml', message), pki.carol);
    record({ case: 'encrypted to bob, decrypted by carol', peer: 'openssl cms -decrypt', expected: 'rejected', got: out.ok ? 'accepted' : 'rejected' });
    expect(out.ok).toBe(false);
  });

  it('names every recipient without a certificate, before building anything', async () => {
    const draft = draftTo(pki.bob, { cc: [{ name: null, email: 'nocert1@example.test' }], bcc: [{ name: null, email: 'nocert2@example.test' }] });
    const err = await buildSmimeMessage(action(pki.alice, draft, { sign: false, encrypt: true }), keysOf(null, [pki.alice, pki.bob])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmimeSendError);
    expect((err as SmimeSendError).emails).toEqual(['nocert1@example.test', 'nocert2@example.test']);
    expect((err as Error).message).toBe('Cannot encrypt: no certificate for nocert1@example.test, nocert2@example.test.');
  });
});

describe("read back by this app's own reader (read-message.ts)", () => {
  const trust = () => new TrustAnchors({ systemRoots: false, userCas: [der(pki.rootPem)] });
  const keyOf = (u: PkiUser) => ({ certificateDer: der(u.certPem), privateKey: createPrivateKey(u.keyPem).export({ format: 'der', type: 'pkcs8' }) });
  const cases: { label: string; from: PkiUser; to: PkiUser; sign: boolean; encrypt: boolean; oaep?: boolean; gcm?: boolean }[] = [
    { label: 'signed RSA 2048', from: pki.alice, to: pki.bob, sign: true, encrypt: false },
    { label: 'signed EC P-256', from: pki.carol, to: pki.bob, sign: true, encrypt: false },
    { label: 'signed EC P-384 (SHA-384)', from: pki.dave, to: pki.bob, sign: true, encrypt: false },
    { label: 'encrypted RSA-OAEP, AES-256-CBC', from: pki.alice, to: pki.bob, sign: false, encrypt: true, oaep: true },
    { label: 'encrypted PKCS#1 v1.5, AES-256-CBC', from: pki.alice, to: pki.bob, sign: false, encrypt: true, oaep: false },
    { label: 'encrypted RSA-OAEP, AES-256-GCM', from: pki.alice, to: pki.bob, sign: false, encrypt: true, oaep: true, gcm: true },
    { label: 'signed + encrypted RSA', from: pki.alice, to: pki.bob, sign: true, encrypt: true },
    { label: 'encrypted ECDH P-256 (to carol)', from: pki.alice, to: pki.carol, sign: false, encrypt: true },
    { label: 'signed EC P-384 + encrypted ECDH P-384 (dave to dave)', from: pki.dave, to: pki.dave, sign: true, encrypt: true },
  ];
  for (const c of cases) {
    it(`${c.label}: the reader accepts it`, async () => {
      const options = { [c.to.email]: { oaep: c.oaep, gcm: c.gcm }, [c.from.email]: { gcm: c.gcm } };
      const message = await buildSmimeMessage(action(c.from, draftTo(c.to), { sign: c.sign, encrypt: c.encrypt }), keysOf(c.sign ? await identity(c.from) : null, [c.from, c.to], options), { encrypt: { preferGcm: c.gcm ?? false } });
      const read = await readSmimeMessage(message, { fromAddress: c.from.email, trust: trust(), keys: [keyOf(c.to)] });
      const sigOk = !c.sign || read.signature?.status === 'valid';
      const encOk = !c.encrypt || read.encrypted?.status === 'decrypted';
      const contentOk = read.content !== null && sameBody(await readBack(Buffer.from(read.content.raw)));
      const ok = sigOk && encOk && contentOk;
      const detail = [read.signature?.status, read.encrypted?.status === 'error' ? `error: ${read.encrypted.message}` : read.encrypted?.status].filter(Boolean).join(', ');
      record({ case: c.label, peer: 'Meridian read-message.ts', expected: 'accepted', got: ok ? 'accepted' : `rejected (${detail})` });
      expect(ok).toBe(true);
    });
  }
});

describe('through the real Cyrus', () => {
  const env = cyrusEnv();
  let a: string;
  let b: string;
  let c: string;
  let keystore: SmimeKeystore;
  let aliceCert: PkiUser;
  let bobCert: PkiUser;
  let client: JmapClient;
  let boxes: { drafts: string; sent: string };

  beforeAll(async () => {
    a = freshUser('smime-a');
    b = freshUser('smime-b');
    c = freshUser('smime-c');
    aliceCert = issueUser(a, 'rsa2048');
    bobCert = issueUser(b, 'ec-p256');
    // Alice's app: her PKCS#12 and bob's certificate in the real keystore (SQLite in memory).
    keystore = new SmimeKeystore(openDatabase(':memory:'), new MemorySecretStore());
    await keystore.importPkcs12(aliceCert.p12Legacy, pki.p12Password);
    keystore.importCertificate(bobCert.certPem, 'contact');
    client = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: { kind: 'basic', username: a, password: env.password } });
    const list = (await serverMailboxes(a)).list;
    boxes = { drafts: list.find((m) => m.role === 'drafts')!.id, sent: list.find((m) => m.role === 'sent')!.id };
  });

  async function arrived(user: string, messageId: string, tries = 50): Promise<{ id: string; blobId: string; keywords: Record<string, boolean>; mailboxIds: Record<string, boolean> }[]> {
    for (let i = 0; i < tries; i++) {
      const res = await jmap(user, [
        ['Email/query', { accountId: user, filter: { header: ['Message-ID', `<${messageId}>`] } }, 'q'],
        ['Email/get', { accountId: user, '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['id', 'blobId', 'keywords', 'mailboxIds'] }, 'g'],
      ]);
      const list = (res[1]![1] as { list: { id: string; blobId: string; keywords: Record<string, boolean>; mailboxIds: Record<string, boolean> }[] }).list;
      if (list.length) return list;
      await new Promise((r) => setTimeout(r, 200));
    }
    return [];
  }

  async function download(user: string, blobId: string): Promise<Buffer> {
    const bob = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: { kind: 'basic', username: user, password: env.password } });
    return bob.download(user, blobId, 'message.eml', 'message/rfc822', 10 * 1024 * 1024);
  }

  /** The sink's copy (what Cyrus handed to "SMTP"), found by Message-ID. */
  function sinkCopy(messageId: string): Buffer | null {
    const dir = join(cyrusDir, 'outbox');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      const bytes = readFileSync(join(dir, f));
      if (bytes.includes(`Message-ID: <${messageId}>`)) return bytes;
    }
    return null;
  }

  function sinkName(messageId: string): string | null {
    const dir = join(cyrusDir, 'outbox');
    return readdirSync(dir).find((n) => n.endsWith('.eml') && readFileSync(join(dir, n)).includes(`Message-ID: <${messageId}>`)) ?? null;
  }

  function submissionsWith(messageId: string): number {
    const dir = join(cyrusDir, 'outbox');
    return readdirSync(dir).filter((n) => n.endsWith('.eml') && readFileSync(join(dir, n)).includes(`Message-ID: <${messageId}>`)).length;
  }

  const pkiFor = (user: PkiUser) => ({ certificate: der(user.certPem), chain: [der(pki.intermediatePem)], privateKey: createPrivateKey(user.keyPem).export({ format: 'der', type: 'pkcs8' }) });

  it('a signed message from alice reaches bob (and Bcc carol) and still verifies (inbox copies and sink copy); a retry does not resend', async () => {
    const act = action(a, draftTo(b, { bcc: [{ name: 'Hidden', email: c }] }), { sign: true, encrypt: false }, { draftsMailboxId: boxes.drafts, sentMailboxId: boxes.sent });
    const res = await sendSmimeMessage(client, a, act, false, keysOf(pkiFor(aliceCert), []));
    expect(res).toEqual({ problems: [], createdDraftId: null });

    const inBob = await arrived(b, act.messageId);
    expect(inBob).toHaveLength(1);
    const delivered = await download(b, inBob[0]!.blobId);
    const ossl = opensslVerify(save('cyrus-signed-inbox.eml', delivered));
    record({ case: 'signed RSA 2048 via Cyrus, bob\'s INBOX blob', peer: 'openssl cms -verify', expected: 'accepted', got: ossl.ok ? 'accepted' : `rejected: ${ossl.err}` });
    expect(ossl.ok).toBe(true);
    const gpg = gpgsmVerify(delivered, 'cyrus-signed');
    const good = gpg.ok && /GOODSIG/.test(gpg.err + gpg.out.toString()) ? 'accepted' : `rejected: ${gpg.err}`;
    record({ case: 'signed RSA 2048 via Cyrus, bob\'s INBOX blob', peer: 'gpgsm --verify', expected: 'accepted', got: good });
    expect(good).toBe('accepted');

    // The Bcc recipient got it through the envelope alone; nobody's copy names them.
    const inCarol = await arrived(c, act.messageId);
    expect(inCarol).toHaveLength(1);
    const bccCopy = await download(c, inCarol[0]!.blobId);
    for (const copy of [delivered, bccCopy]) expect(copy.toString('latin1')).not.toMatch(/^bcc:/im);
    expect(delivered.includes(c)).toBe(false);
    const bccCheck = opensslVerify(save('cyrus-signed-bcc.eml', bccCopy));
    record({ case: 'signed RSA 2048 via Cyrus, Bcc recipient\'s INBOX blob', peer: 'openssl cms -verify', expected: 'accepted', got: bccCheck.ok ? 'accepted' : `rejected: ${bccCheck.err}` });
    expect(bccCheck.ok).toBe(true);

    const sink = sinkCopy(act.messageId);
    expect(sink).not.toBeNull();
    expect(readFileSync(join(cyrusDir, 'outbox', sinkName(act.messageId)!.replace(/\.eml$/, '.envelope')), 'utf8')).toContain(`RCPT TO:<${c}>`);
    const sinkCheck = opensslVerify(save('cyrus-signed-sink.eml', sink!));
    record({ case: 'signed RSA 2048 via Cyrus, sink outbox copy', peer: 'openssl cms -verify', expected: 'accepted', got: sinkCheck.ok ? 'accepted' : `rejected: ${sinkCheck.err}` });
    expect(sinkCheck.ok).toBe(true);

    // Alice's copy: in Sent, no longer a draft.
    const mine = await arrived(a, act.messageId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.mailboxIds).toEqual({ [boxes.sent]: true });
    expect(mine[0]!.keywords.$draft).toBeUndefined();
    expect(mine[0]!.keywords.$seen).toBe(true);

    // The outbox retries after a lost answer: the earlier attempt is found, nothing goes out again.
    expect(await sendSmimeMessage(client, a, act, true, keysOf(pkiFor(aliceCert), []))).toEqual({ problems: [], createdDraftId: null });
    expect(submissionsWith(act.messageId)).toBe(1);
  });

  it('signed and encrypted to bob (EC P-256) through Cyrus, keys from the keystore: bob decrypts and verifies, alice can read her Sent copy', async () => {
    const act = action(a, draftTo(b), { sign: true, encrypt: true }, { draftsMailboxId: boxes.drafts, sentMailboxId: boxes.sent });
    const res = await sendSmimeMessage(client, a, act, false, keysFromKeystore(keystore));
    expect(res.problems).toEqual([]);
    const inBob = await arrived(b, act.messageId);
    expect(inBob).toHaveLength(1);
    const delivered = await download(b, inBob[0]!.blobId);
    const opened = opensslDecrypt(save('cyrus-enc-inbox.eml', delivered), bobCert);
    expect(opened.ok).toBe(true);
    const inner = opensslVerify(save('cyrus-enc-inner.eml', opened.out));
    const ok = inner.ok && sameBody(await readBack(inner.out));
    record({ case: 'signed + encrypted (ECDH P-256) via Cyrus, bob\'s INBOX blob', peer: 'openssl decrypt, verify', expected: 'accepted', got: ok ? 'accepted' : `rejected: ${inner.err || opened.err}` });
    expect(ok).toBe(true);

    const mine = await arrived(a, act.messageId);
    const sentCopy = await download(a, mine[0]!.blobId);
    const own = opensslDecrypt(save('cyrus-enc-sent.eml', sentCopy), aliceCert);
    record({ case: 'signed + encrypted via Cyrus, alice\'s Sent copy', peer: 'openssl cms -decrypt (sender)', expected: 'original', got: own.ok ? 'original' : `failed: ${own.err}` });
    expect(own.ok).toBe(true);
  });

  it('a retry after the import but before the submission submits that import, and the saved draft goes', async () => {
    const saved = await jmap(a, [['Email/set', { accountId: a, create: { d: { mailboxIds: { [boxes.drafts]: true }, keywords: { $draft: true }, subject: 'draft', bodyValues: { t: { value: 'x' } }, textBody: [{ partId: 't', type: 'text/plain' }] } } }, '0']]);
    const draftId = (saved[0]![1] as { created: Record<string, { id: string }> }).created.d!.id;
    const act = action(a, draftTo(b), { sign: true, encrypt: false }, { draftsMailboxId: boxes.drafts, sentMailboxId: boxes.sent, draftId });
    // The first attempt got as far as the import (its answer lost before the submission ran).
    const message = await buildSmimeMessage(act, keysOf(pkiFor(aliceCert), []));
    const blob = await client.upload(a, message, 'message/rfc822');
    await client.call('Email/import', { accountId: a, emails: { x: { blobId: blob.blobId, mailboxIds: { [boxes.drafts]: true }, keywords: { $draft: true, $seen: true } } } });
    expect(await sendSmimeMessage(client, a, act, true, keysOf(pkiFor(aliceCert), []))).toEqual({ problems: [], createdDraftId: null });
    const mine = await arrived(a, act.messageId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.mailboxIds).toEqual({ [boxes.sent]: true });
    expect(submissionsWith(act.messageId)).toBe(1);
    const gone = await jmap(a, [['Email/get', { accountId: a, ids: [draftId], properties: ['id'] }, '0']]);
    expect((gone[0]![1] as { notFound: string[] }).notFound).toEqual([draftId]);
    const inBob = await arrived(b, act.messageId);
    const ossl = opensslVerify(save('cyrus-retry.eml', await download(b, inBob[0]!.blobId)));
    record({ case: 'signed, retried after a lost import answer, via Cyrus', peer: 'openssl cms -verify', expected: 'accepted', got: ossl.ok ? 'accepted' : `rejected: ${ossl.err}` });
    expect(ossl.ok).toBe(true);
  });

  it("the composer's attachments (uploaded blobs) are fetched and travel inside the signature", async () => {
    const blob = await client.upload(a, attachment, 'application/octet-stream');
    const plain = draftTo(b);
    const draft = await smimeDraftFrom(client, a, { ...plain, attachments: [{ blobId: blob.blobId, name: 'data.bin', type: 'application/octet-stream', size: attachment.length }] });
    expect(draft.attachments[0]!.data.equals(attachment)).toBe(true);
    const act = action(a, draft, { sign: true, encrypt: false }, { draftsMailboxId: boxes.drafts, sentMailboxId: boxes.sent });
    expect((await sendSmimeMessage(client, a, act, false, keysFromKeystore(keystore))).problems).toEqual([]);
    const inBob = await arrived(b, act.messageId);
    const ossl = opensslVerify(save('cyrus-blob-attachment.eml', await download(b, inBob[0]!.blobId)));
    const ok = ossl.ok && sameBody(await readBack(ossl.out));
    record({ case: 'signed with an uploaded attachment, keystore keys, via Cyrus', peer: 'openssl cms -verify', expected: 'accepted', got: ok ? 'accepted' : `rejected: ${ossl.err}` });
    expect(ok).toBe(true);
  });

  it('a recipient without a certificate stops the send before anything reaches the server', async () => {
    const act = action(a, draftTo(b, { cc: [{ name: 'No Cert', email: 'stranger@example.test' }] }), { sign: true, encrypt: true }, { draftsMailboxId: boxes.drafts, sentMailboxId: boxes.sent });
    await expect(sendSmimeMessage(client, a, act, false, keysOf(pkiFor(aliceCert), [aliceCert, bobCert]))).rejects.toThrow('Cannot encrypt: no certificate for stranger@example.test.');
    expect(await arrived(a, act.messageId, 1).then((l) => l.length)).toBe(0);
    expect(submissionsWith(act.messageId)).toBe(0);
  });
});
