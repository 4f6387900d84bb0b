// The facts about a certificate that key management and outgoing S/MIME need, taken from the
// incoming side's certificate.ts (the one parser), plus PEM splitting and chain building.
import { createHash, X509Certificate } from 'node:crypto';
import { parseCertificate, type ParsedCertificate } from './certificate';

export const oidEmailProtection = '1.3.6.1.5.5.7.3.4';
const oidAnyEku = '2.5.29.37.0';

export interface CertFacts {
  der: Buffer;
  /** SHA-256 of the DER, lower-case hex (the store's key). */
  fingerprint: string;
  /** Most specific first, as certificate.ts formats it. */
  subject: string;
  issuer: string;
  notBefore: number;
  notAfter: number;
  /** rfc822Name SANs and the subject's emailAddress, lower-cased, unique. */
  emails: string[];
  /** No EKU extension, or one allowing emailProtection (RFC 8550 §4.4.4). */
  emailProtection: boolean;
  isCa: boolean;
  selfSigned: boolean;
  keyType: 'rsa' | 'ec' | 'other';
  x509: X509Certificate;
}

/** Every certificate in PEM text, or the single DER certificate given. */
export function certificateDers(input: Buffer | string): Buffer[] {
  // DER starts with a SEQUENCE tag; anything else is read as PEM text (which may have a preamble).
  if (typeof input !== 'string' && input[0] === 0x30) return [Buffer.from(input)];
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const found = [...text.matchAll(/-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g)];
  return found.map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function fingerprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

export function certFacts(der: Buffer): CertFacts {
  let parsed: ParsedCertificate;
  try {
    parsed = parseCertificate(new Uint8Array(der));
  } catch {
    throw new Error('This is not an X.509 certificate.');
  }
  const { info, x509 } = parsed;
  const eku = info.extendedKeyUsage;
  const alg = info.publicKey.algorithm;
  return {
    der: Buffer.from(parsed.der),
    fingerprint: info.fingerprint,
    subject: info.subject,
    issuer: info.issuer,
    notBefore: Date.parse(info.notBefore),
    notAfter: Date.parse(info.notAfter),
    emails: info.emails,
    emailProtection: !eku || eku.includes(oidEmailProtection) || eku.includes(oidAnyEku),
    isCa: info.isCA,
    selfSigned: info.selfIssued && x509.verify(x509.publicKey),
    keyType: alg === 'RSA' || alg === 'RSA-PSS' ? 'rsa' : alg === 'EC' ? 'ec' : 'other',
    x509,
  };
}

/**
 * The chain above a leaf, nearest issuer first, from a pool of candidates; stops at a
 * self-signed certificate (excluded unless includeRoot) or when no issuer is found.
 */
export function chainFor(leaf: Buffer, pool: readonly Buffer[], includeRoot = false): Buffer[] {
  const candidates = pool.map((der) => new X509Certificate(der));
  const chain: Buffer[] = [];
  let current = new X509Certificate(leaf);
  for (let depth = 0; depth < 8; depth++) {
    if (current.subject === current.issuer && current.verify(current.publicKey)) break;
    const parent = candidates.find((c) => c.ca && current.checkIssued(c) && current.verify(c.publicKey));
    if (!parent) break;
    const selfSigned = parent.subject === parent.issuer;
    if (!selfSigned || includeRoot) chain.push(Buffer.from(parent.raw));
    current = parent;
  }
  return chain;
}
