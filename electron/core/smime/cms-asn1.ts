// Small ASN.1 helpers shared by certificate parsing, verification and decryption.
import * as asn1js from 'asn1js';

/** Parses exactly one BER element covering the whole input; throws with a readable message otherwise. */
export function parseBer(bytes: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.result.error) throw new Error(`${what} is not valid DER/BER (${parsed.result.error || 'unreadable'})`);
  return parsed.result;
}

/** The bytes of an OCTET STRING, primitive or constructed (BER streaming, as openssl writes it). */
export function octetStringBytes(node: asn1js.AsnType, depth = 0): Uint8Array {
  if (depth > 16) throw new Error('OCTET STRING nested too deeply');
  if (!(node instanceof asn1js.BaseBlock)) throw new Error('Expected an OCTET STRING');
  if (!node.idBlock.isConstructed) {
    const view = (node.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView;
    if (!view) throw new Error('Expected an OCTET STRING');
    return view;
  }
  const parts = (node.valueBlock as unknown as { value?: asn1js.AsnType[] }).value ?? [];
  const chunks = parts.map((p) => octetStringBytes(p, depth + 1));
  return concatBytes(chunks);
}

export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Copies a view into its own ArrayBuffer (pkijs/asn1js want ArrayBuffers; Buffers share a pool). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** Digest OIDs → Node hash names and display names. */
export const digestByOid: Record<string, { node: string; name: string }> = {
  '1.3.14.3.2.26': { node: 'sha1', name: 'SHA-1' },
  '2.16.840.1.101.3.4.2.4': { node: 'sha224', name: 'SHA-224' },
  '2.16.840.1.101.3.4.2.1': { node: 'sha256', name: 'SHA-256' },
  '2.16.840.1.101.3.4.2.2': { node: 'sha384', name: 'SHA-384' },
  '2.16.840.1.101.3.4.2.3': { node: 'sha512', name: 'SHA-512' },
};

export const oid = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  emailAddress: '1.2.840.113549.1.9.1',
  subjectAltName: '2.5.29.17',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** Reads an ASN.1 UTCTime/GeneralizedTime node as a Date, or null. */
export function asn1Time(node: unknown): Date | null {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) {
    const d = node.toDate();
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}
