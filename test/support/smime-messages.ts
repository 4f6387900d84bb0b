// Builds incoming S/MIME messages with the real peers (`openssl cms`, `gpgsm`) from the test
// PKI, wrapped as a mail client receives them: full RFC 5322 headers, CRLF line endings.
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatesFromPem } from '../../electron/core/smime/certificate';
import type { RecipientKey } from '../../electron/core/smime/decrypt';
import { TrustAnchors } from '../../electron/core/smime/trust';
import type { PkiUser, TestPki } from './smime-pki';

export const plainEntity = (text = 'Hello from the test suite.\r\nSecond line, with trailing space \r\n') =>
  Buffer.from(`Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${text}`);

/** Bare LF → CRLF (openssl writes its own MIME lines with LF; transport is CRLF). */
export const crlf = (b: Buffer | string) => Buffer.from(Buffer.from(b).toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

/** Prepends the headers a received message has; `entity` starts with its own MIME headers. */
export function asMessage(entity: Buffer, from: string, to = 'reader@example.test', subject = 'S/MIME test'): Uint8Array {
  const head = [`From: Sender <${from}>`, `To: <${to}>`, `Subject: ${subject}`, 'Date: Thu, 26 Nov 2026 12:00:00 +0000', `Message-ID: <${Math.random().toString(36).slice(2)}@example.test>`];
  const body = crlf(entity);
  const hasMimeVersion = /^MIME-Version:/im.test(body.subarray(0, body.indexOf('\r\n\r\n')).toString('latin1'));
  return new Uint8Array(Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n' + (hasMimeVersion ? '' : 'MIME-Version: 1.0\r\n')), body]));
}

let scratch: string | null = null;
function tmp(name: string): string {
  scratch ??= mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'meridian-smime-msg-'));
  return join(scratch, name);
}

export function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

export interface SignOptions {
  md?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  pss?: boolean;
  opaque?: boolean;
  /** Extra certificates to include (PEM paths), e.g. the intermediate. */
  certfile?: string;
}

/** `openssl cms -sign`, S/MIME output (multipart/signed, or pkcs7-mime with -nodetach). */
export function opensslSign(user: PkiUser, entity: Buffer, opts: SignOptions = {}): Buffer {
  const args = ['cms', '-sign', '-signer', user.certPath, '-inkey', user.keyPath, '-md', opts.md ?? 'sha256'];
  if (opts.pss) args.push('-keyopt', 'rsa_padding_mode:pss');
  if (opts.opaque) args.push('-nodetach');
  if (opts.certfile) args.push('-certfile', opts.certfile);
  return openssl(args, entity);
}

export interface EncryptOptions {
  cipher?: '-aes128' | '-aes192' | '-aes256' | '-des3' | '-aes-128-gcm' | '-aes-256-gcm';
  oaep?: boolean;
  oaepHash?: 'sha256' | 'sha384';
}

/** `openssl cms -encrypt` to each recipient, S/MIME output (application/pkcs7-mime). */
export function opensslEncrypt(recipients: PkiUser[], entity: Buffer, opts: EncryptOptions = {}): Buffer {
  const args = ['cms', '-encrypt'];
  if (opts.cipher) args.push(opts.cipher);
  for (const r of recipients) {
    args.push('-recip', r.certPath);
    if (opts.oaep) args.push('-keyopt', 'rsa_padding_mode:oaep');
    if (opts.oaepHash) args.push('-keyopt', `rsa_oaep_md:${opts.oaepHash}`, '-keyopt', `rsa_mgf1_md:${opts.oaepHash}`);
  }
  return openssl(args, entity);
}

export function keysOf(...users: PkiUser[]): RecipientKey[] {
  return users.map((u) => ({ certificateDer: certificatesFromPem(u.certPem)[0]!, privateKey: createPrivateKey(u.keyPem) }));
}

/** The app's trust set for the tests: Node's roots plus the test root imported by the user. */
export function trustFor(pki: TestPki, opts: { intermediates?: boolean; systemRoots?: boolean } = {}): TrustAnchors {
  return new TrustAnchors({
    userCas: certificatesFromPem(pki.rootPem),
    intermediates: opts.intermediates ? certificatesFromPem(pki.intermediatePem) : [],
    systemRoots: opts.systemRoots ?? true,
  });
}

/** The message with the first occurrence of `from` (latin1) replaced by `to`: a tampering tool. */
export function replaceInBody(message: Uint8Array, from: string, to: string): Uint8Array {
  const s = Buffer.from(message).toString('latin1');
  if (!s.includes(from)) throw new Error(`"${from}" not in message`);
  return new Uint8Array(Buffer.from(s.replace(from, to), 'latin1'));
}

/** A pkcs7-mime entity around arbitrary CMS bytes. */
export function pkcs7MimeEntity(cms: Uint8Array, smimeType = 'enveloped-data'): Buffer {
  const b64 = Buffer.from(cms).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n${b64}\r\n`,
  );
}

/** The CMS (DER) inside an S/MIME pkcs7-mime entity as openssl writes it. */
export function cmsOf(entity: Buffer): Buffer {
  const text = crlf(entity).toString('latin1');
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  return Buffer.from(body, 'base64');
}

/**
 * A GnuPG home for gpgsm with a user's key and the test chain, the root trusted (trustlist.txt)
 * and CRL checks off. gpgsm 2.2 reads neither OpenSSL 3's PBES2 PKCS#12 nor the legacy RC2
 * certificate bag, so the PKCS#12 given to it is made here: 3DES key bag, plain certificate bag.
 */
export function gpgsmHome(pki: TestPki, users: PkiUser[]): { home: string; run: (args: string[], input?: Buffer) => Buffer } {
  const home = tmp(`gnupg-${users.map((u) => u.email.split('@')[0]).join('-')}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'gpgsm.conf'), 'disable-crl-checks\ndisable-policy-checks\n');
  writeFileSync(join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
  const env = { ...process.env, GNUPGHOME: home };
  const run = (args: string[], input?: Buffer) =>
    execFileSync('gpgsm', ['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', ...args], {
      env,
      input: Buffer.concat([Buffer.from(`${pki.p12Password}\n`), input ?? Buffer.alloc(0)]),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  execFileSync('gpgsm', ['--batch', '--import', pki.rootPath, pki.intermediatePath], { env, stdio: 'pipe' });
  for (const u of users) {
    const p12 = tmp(`${u.email}-gpgsm.p12`);
    openssl(['pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'NONE', '-macalg', 'sha1', '-passout', `pass:${pki.p12Password}`, '-out', p12]);
    run(['--import', p12]);
  }
  const fp = openssl(['x509', '-in', pki.rootPath, '-noout', '-fingerprint', '-sha1']).toString().trim().split('=')[1];
  writeFileSync(join(home, 'trustlist.txt'), `${fp} S relax\n`);
  return { home, run };
}

/** gpgsm stops its agent when asked; tests call this at the end. */
export function stopGpgAgent(home: string): void {
  try {
    execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore' });
  } catch {
    // Nothing to stop.
  }
}

/** multipart/signed around `signedPart` with a DER detached signature (what gpgsm gives). */
export function multipartSigned(signedPart: Buffer, signatureDer: Buffer, micalg = 'sha-256'): Buffer {
  const boundary = `----=_gpgsm_${Math.random().toString(36).slice(2)}`;
  const b64 = signatureDer.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.concat([
    Buffer.from(`Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalg}; boundary="${boundary}"\r\n\r\nThis is a cryptographically signed message in MIME format.\r\n\r\n--${boundary}\r\n`),
    signedPart,
    Buffer.from(`\r\n--${boundary}\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n${b64}\r\n--${boundary}--\r\n`),
  ]);
}
