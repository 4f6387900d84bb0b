// The few facts about a certificate that key management and outgoing S/MIME need, read with
// Node's X509Certificate. A narrow stand-in: the incoming side's certificate.ts (full parse:
// EKU, keyUsage, capabilities…) did not exist when this was written; switch to it once it does.
import { createHash, X509Certificate } from 'node:crypto';

export const oidEmailProtection = '1.3.6.1.5.5.7.3.4';
const oidAnyEku = '2.5.29.37.0';

export interface CertFacts {
  der: Buffer;
  /** SHA-256 of the DER, lower-case hex (the store's key). */
  fingerprint: string;
  /** RFC 4514 order (most specific first), e.g. "emailAddress=a@b,CN=alice,O=Org". */
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
  const text = typeof input === 'string' ? input : input.subarray(0, 64).toString('latin1').includes('-----BEGIN') ? input.toString('latin1') : null;
  if (text === null) return [Buffer.from(input as Buffer)];
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
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    throw new Error('This is not an X.509 certificate.');
  }
  const emails = new Set<string>();
  for (const m of (x509.subjectAltName ?? '').matchAll(/(?:^|, )email:([^,]+)/g)) emails.add((m[1] ?? '').trim().toLowerCase());
  for (const line of x509.subject.split('\n')) if (line.startsWith('emailAddress=')) emails.add(line.slice(13).trim().toLowerCase());
  // Node 20 names the EKU list keyUsage (extKeyUsage from 22 on); undefined when the extension is absent.
  const eku = x509.keyUsage as string[] | undefined;
  const type = x509.publicKey.asymmetricKeyType;
  return {
    der: Buffer.from(x509.raw),
    fingerprint: fingerprintOf(Buffer.from(x509.raw)),
    subject: rfc4514(x509.subject),
    issuer: rfc4514(x509.issuer),
    notBefore: Date.parse(x509.validFrom),
    notAfter: Date.parse(x509.validTo),
    emails: [...emails].filter(Boolean),
    emailProtection: !eku || eku.includes(oidEmailProtection) || eku.includes(oidAnyEku),
    isCa: x509.ca,
    selfSigned: x509.subject === x509.issuer && x509.verify(x509.publicKey),
    keyType: type === 'rsa' || type === 'rsa-pss' ? 'rsa' : type === 'ec' ? 'ec' : 'other',
    x509,
  };
}

function rfc4514(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(',');
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
