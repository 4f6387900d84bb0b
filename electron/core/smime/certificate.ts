// X.509 certificate → plain information (names, addresses, usages, validity, key) for S/MIME.
// Structure comes from pkijs; key details and path signatures from Node's own X509Certificate,
// which is native and fast. CertificateInfo is JSON-safe so it can cross IPC and be stored.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { oid, parseBer, toHex } from './cms-asn1';

export interface KeyUsageBits {
  digitalSignature: boolean;
  nonRepudiation: boolean;
  keyEncipherment: boolean;
  dataEncipherment: boolean;
  keyAgreement: boolean;
  keyCertSign: boolean;
  cRLSign: boolean;
}

export interface PublicKeyDescription {
  /** 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | other OID */
  algorithm: string;
  /** RSA modulus length. */
  bits?: number;
  /** 'P-256' | 'P-384' | 'P-521' for EC keys. */
  curve?: string;
}

export interface CertificateInfo {
  /** Most specific first, e.g. "CN=alice, O=Meridian Tests". */
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  /** rfc822Name SANs and emailAddress subject attributes, lower-cased, de-duplicated. */
  emails: string[];
  /** Extended key usage OIDs, or null when the extension is absent (which means any purpose). */
  extendedKeyUsage: string[] | null;
  /** null when the extension is absent (which means any usage). */
  keyUsage: KeyUsageBits | null;
  isCA: boolean;
  pathLength: number | null;
  publicKey: PublicKeyDescription;
  selfIssued: boolean;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** Critical extensions this code does not act on (RFC 5280 §4.2: such a certificate must be refused). */
  unhandledCriticalExtensions: string[];
}

/** A certificate with everything the verifier needs kept alongside the plain info. */
export interface ParsedCertificate {
  der: Uint8Array;
  info: CertificateInfo;
  pkijs: pkijs.Certificate;
  x509: X509Certificate;
  publicKey: KeyObject;
}

const attributeNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  [oid.emailAddress]: 'emailAddress',
};

/** Extensions acted on here or harmless to ignore (policies are not enforced, as in most mail clients). */
const handledExtensions = new Set<string>([
  oid.subjectAltName,
  oid.keyUsage,
  oid.extKeyUsage,
  oid.basicConstraints,
  oid.subjectKeyIdentifier,
  oid.authorityKeyIdentifier,
  '2.5.29.32', // certificatePolicies
  '2.5.29.18', // issuerAltName
]);

const curveNames: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Every certificate in a PEM text (or one DER certificate), as DER. */
export function certificatesFromPem(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g)) {
    out.push(new Uint8Array(Buffer.from(m[1] ?? '', 'base64')));
  }
  return out;
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function toDer(input: Uint8Array | string): Uint8Array {
  if (typeof input !== 'string') return input;
  const first = certificatesFromPem(input)[0];
  if (!first) throw new Error('No PEM certificate found');
  return first;
}

/** Parses a PEM or DER certificate; throws on anything else. */
export function parseCertificate(input: Uint8Array | string): ParsedCertificate {
  const der = toDer(input);
  const cert = new pkijs.Certificate({ schema: parseBer(der, 'The certificate') });
  return fromPkijs(cert, der);
}

const cache = new Map<string, ParsedCertificate>();
const cacheLimit = 512;

/**
 * parseCertificate with a per-process cache keyed by the DER's SHA-256: the same few
 * certificates arrive with every message of a correspondent, and decoding is the costly part.
 */
export function parseCertificateCached(der: Uint8Array): ParsedCertificate {
  const key = fingerprintOf(der);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // keep recently used entries at the end
    cache.set(key, hit);
    return hit;
  }
  const parsed = parseCertificate(der);
  cache.set(key, parsed);
  if (cache.size > cacheLimit) cache.delete(cache.keys().next().value!);
  return parsed;
}

/** As parseCertificate, for a certificate already decoded by pkijs (e.g. from a CMS certificates field). */
export function fromPkijs(cert: pkijs.Certificate, der?: Uint8Array): ParsedCertificate {
  const bytes = der ?? new Uint8Array(cert.toSchema().toBER(false));
  const x509 = new X509Certificate(bytes);
  return { der: bytes, info: describe(cert, bytes, x509), pkijs: cert, x509, publicKey: x509.publicKey };
}

/** The JSON-safe description of a PEM or DER certificate. */
export function certificateInfo(input: Uint8Array | string): CertificateInfo {
  return parseCertificate(input).info;
}

export function fingerprintOf(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Case-insensitive: does the certificate name this address (SAN rfc822Name or emailAddress)? */
export function certificateHasEmail(info: CertificateInfo, address: string): boolean {
  const wanted = address.trim().toLowerCase();
  return wanted !== '' && info.emails.includes(wanted);
}

export function isValidAt(info: CertificateInfo, at: Date): boolean {
  const t = at.getTime();
  return Date.parse(info.notBefore) <= t && t <= Date.parse(info.notAfter);
}

function describe(cert: pkijs.Certificate, der: Uint8Array, x509: X509Certificate): CertificateInfo {
  const emails = new Set<string>();
  for (const tv of cert.subject.typesAndValues) {
    if (tv.type === oid.emailAddress) emails.add(attributeValue(tv.value).toLowerCase());
  }
  let extendedKeyUsage: string[] | null = null;
  let keyUsage: KeyUsageBits | null = null;
  let isCA = false;
  let pathLength: number | null = null;
  let subjectKeyId: string | null = null;
  let authorityKeyId: string | null = null;
  const unhandledCriticalExtensions: string[] = [];
  for (const ext of cert.extensions ?? []) {
    // nameConstraints lands here on purpose: not enforcing them must not mean trusting the CA.
    if (ext.critical && !handledExtensions.has(ext.extnID)) unhandledCriticalExtensions.push(ext.extnID);
    const value: unknown = ext.parsedValue;
    switch (ext.extnID) {
      case oid.subjectAltName:
        if (value instanceof pkijs.AltName) {
          // rfc822Name is GeneralName [1] (IA5String).
          for (const name of value.altNames) if (name.type === 1 && typeof name.value === 'string') emails.add(name.value.toLowerCase());
        }
        break;
      case oid.extKeyUsage:
        if (value instanceof pkijs.ExtKeyUsage) extendedKeyUsage = [...value.keyPurposes];
        else extendedKeyUsage = []; // present but unreadable: grants nothing
        break;
      case oid.keyUsage:
        keyUsage = value instanceof asn1js.BitString ? keyUsageBits(value.valueBlock.valueHexView) : keyUsageBits(new Uint8Array());
        break;
      case oid.basicConstraints:
        if (value instanceof pkijs.BasicConstraints) {
          isCA = value.cA;
          const len = value.pathLenConstraint;
          pathLength = typeof len === 'number' ? len : len instanceof asn1js.Integer ? len.valueBlock.valueDec : null;
        }
        break;
      case oid.subjectKeyIdentifier:
        if (value instanceof asn1js.OctetString) subjectKeyId = toHex(value.valueBlock.valueHexView);
        break;
      case oid.authorityKeyIdentifier:
        if (value instanceof pkijs.AuthorityKeyIdentifier && value.keyIdentifier) authorityKeyId = toHex(value.keyIdentifier.valueBlock.valueHexView);
        break;
    }
  }
  const subject = formatName(cert.subject);
  const issuer = formatName(cert.issuer);
  return {
    subject,
    issuer,
    serialNumber: toHex(cert.serialNumber.valueBlock.valueHexView).replace(/^(00)+(?=.)/, ''),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    fingerprint: fingerprintOf(der),
    emails: [...emails].filter((e) => e !== ''),
    extendedKeyUsage,
    keyUsage,
    isCA,
    pathLength,
    publicKey: describeKey(x509.publicKey),
    selfIssued: sameName(cert.subject, cert.issuer),
    subjectKeyId,
    authorityKeyId,
    unhandledCriticalExtensions,
  };
}

function keyUsageBits(bytes: Uint8Array): KeyUsageBits {
  const b0 = bytes[0] ?? 0;
  return {
    digitalSignature: (b0 & 0x80) !== 0,
    nonRepudiation: (b0 & 0x40) !== 0,
    keyEncipherment: (b0 & 0x20) !== 0,
    dataEncipherment: (b0 & 0x10) !== 0,
    keyAgreement: (b0 & 0x08) !== 0,
    keyCertSign: (b0 & 0x04) !== 0,
    cRLSign: (b0 & 0x02) !== 0,
  };
}

function describeKey(key: KeyObject): PublicKeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: 'RSA', bits: details.modulusLength };
    case 'rsa-pss':
      return { algorithm: 'RSA-PSS', bits: details.modulusLength };
    case 'ec':
      return { algorithm: 'EC', curve: curveNames[details.namedCurve ?? ''] ?? details.namedCurve };
    case 'ed25519':
      return { algorithm: 'Ed25519' };
    case 'ed448':
      return { algorithm: 'Ed448' };
    default:
      return { algorithm: key.asymmetricKeyType ?? 'unknown' };
  }
}

function attributeValue(value: unknown): string {
  if (value instanceof asn1js.BaseStringBlock) return value.valueBlock.value;
  if (value instanceof asn1js.BaseBlock) return `#${toHex(new Uint8Array(value.toBER(false)))}`;
  return String(value);
}

/** RFC 4514-style, most specific RDN first ("CN=alice, O=Meridian Tests"). */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${attributeNames[tv.type] ?? tv.type}=${attributeValue(tv.value).replace(/([,+"\\<>;])/g, '\\$1')}`)
    .reverse()
    .join(', ');
}

/** Byte comparison of the encoded names: what chain building and recipient matching need. */
export function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  return Buffer.from(a.valueBeforeDecode).equals(Buffer.from(b.valueBeforeDecode)) || a.isEqual(b);
}
