// Detached S/MIME signatures (RFC 8551 §3.5): a CMS SignedData over the exact bytes of the
// first part of a multipart/signed, with the signer's certificate and intermediates. SHA-256,
// except that EC keys get the hash of their curve's strength (P-384 → SHA-384, P-521 →
// SHA-512, RFC 5480 §4 / RFC 5753 §7.1): gpgsm refuses a 256-bit hash with a 384-bit key.
// PKI.js assembles the ASN.1; Node's crypto signs (PKCS#1 v1.5 for RSA, DER ECDSA for EC),
// which avoids importing keys into WebCrypto under a per-curve algorithm.
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestAlgorithm, oid, signedAttributes, type DigestName } from './sign-attributes';

export interface SignerIdentity {
  /** DER. */
  certificate: Buffer;
  /** Intermediates (DER) to send along, nearest first; the root may be left out. */
  chain: Buffer[];
  /** PKCS#8 DER. */
  privateKey: Buffer;
}

export interface SignOptions {
  signingTime?: Date;
  /** Announce AES-256-GCM among our capabilities; on by default since decrypt.ts reads AuthEnvelopedData. */
  announceGcm?: boolean;
}

export interface DetachedSignature {
  /** DER ContentInfo (SignedData). */
  der: Buffer;
  /** The multipart/signed micalg parameter (RFC 8551 §3.5.3.2), e.g. "sha-256". */
  micalg: string;
}

/** The multipart/signed Content-Type (without boundary; the MIME builder adds it). */
export function multipartSignedType(micalg: string): string {
  return `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalg}`;
}

const curveHash: Record<string, DigestName> = { secp384r1: 'sha384', secp521r1: 'sha512' };
const ecdsaOid: Record<DigestName, string> = { sha256: oid.ecdsaWithSha256, sha384: oid.ecdsaWithSha384, sha512: oid.ecdsaWithSha512 };

/**
 * A MIME entity in the form that survives transport unchanged (RFC 8551 §3.1.1): CRLF line
 * ends and 7-bit. Line ends are normalised; 8-bit bytes or over-long lines are refused, since
 * re-encoding here would change what the caller built (the builder must use QP/base64).
 */
export function canonicalizeEntity(entity: Buffer): Buffer {
  const crlf = Buffer.from(entity.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
  let lineStart = 0;
  for (let i = 0; i < crlf.length; i++) {
    const b = crlf[i]!;
    if (b >= 0x80 || b === 0) throw new Error('The signed part holds 8-bit data; it must be quoted-printable or base64 encoded before signing.');
    if (b === 0x0a) lineStart = i + 1;
    else if (b !== 0x0d && i - lineStart >= 998) throw new Error('The signed part has a line longer than 998 characters.');
  }
  return crlf;
}

/** A detached SignedData over content. */
export function signDetached(content: Buffer, signer: SignerIdentity, opts: SignOptions = {}): DetachedSignature {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(signer.certificate));
  const key = createPrivateKey({ key: signer.privateKey, format: 'der', type: 'pkcs8' });
  const keyType = key.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new Error(`Signing with a ${keyType ?? 'unknown'} key is not supported.`);
  const hash: DigestName = keyType === 'ec' ? (curveHash[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'sha256') : 'sha256';
  const { attributes, toSign } = signedAttributes({
    content,
    hash,
    certificate: cert,
    certificateDer: signer.certificate,
    signingTime: opts.signingTime ?? new Date(),
    // decrypt.ts reads ECDH (dhSinglePass-stdDH-sha*kdf with AES key wrap) as well as RSA.
    capabilities: { gcm: opts.announceGcm ?? true, ecdh: true },
  });
  const signature = nodeSign(hash, toSign, key);
  const signatureAlgorithm =
    keyType === 'rsa'
      ? new pkijs.AlgorithmIdentifier({ algorithmId: oid.rsaEncryption, algorithmParams: new asn1js.Null() })
      : new pkijs.AlgorithmIdentifier({ algorithmId: ecdsaOid[hash] });
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: digestAlgorithm(hash),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
    signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  const signed = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlgorithm(hash)],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: oid.data }),
    certificates: [cert, ...signer.chain.map((der) => pkijs.Certificate.fromBER(new Uint8Array(der)))],
    signerInfos: [signerInfo],
  });
  const info = new pkijs.ContentInfo({ contentType: oid.signedData, content: signed.toSchema(true) });
  return { der: Buffer.from(info.toSchema().toBER(false)), micalg: hash.replace('sha', 'sha-') };
}
