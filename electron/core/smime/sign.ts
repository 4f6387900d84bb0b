// Detached S/MIME signatures (RFC 8551 §3.5): a CMS SignedData over the exact bytes of the
// first part of a multipart/signed, SHA-256, with the signer's certificate and intermediates.
// PKI.js assembles the ASN.1; Node's crypto signs (PKCS#1 v1.5 for RSA, DER ECDSA for EC),
// which avoids importing keys into WebCrypto under a per-curve algorithm.
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { oid, sha256Algorithm, signedAttributes } from './sign-attributes';

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

/** The multipart/signed Content-Type (without boundary; the MIME builder adds it). */
export const multipartSignedType = 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256';

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
    else if (i - lineStart >= 998) throw new Error('The signed part has a line longer than 998 characters.');
  }
  return crlf;
}

/** A detached SignedData (DER ContentInfo) over content. */
export function signDetached(content: Buffer, signer: SignerIdentity, opts: SignOptions = {}): Buffer {
  const cert = pkijs.Certificate.fromBER(signer.certificate);
  const key = createPrivateKey({ key: signer.privateKey, format: 'der', type: 'pkcs8' });
  const keyType = key.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new Error(`Signing with a ${keyType ?? 'unknown'} key is not supported.`);
  const { attributes, toSign } = signedAttributes({
    content,
    certificate: cert,
    certificateDer: signer.certificate,
    signingTime: opts.signingTime ?? new Date(),
    // No ECDH: the reading side (decrypt.ts) decrypts with RSA keys only.
    capabilities: { gcm: opts.announceGcm ?? true, ecdh: false },
  });
  const signature = nodeSign('sha256', toSign, key);
  const signatureAlgorithm =
    keyType === 'rsa'
      ? new pkijs.AlgorithmIdentifier({ algorithmId: oid.rsaEncryption, algorithmParams: new asn1js.Null() })
      : new pkijs.AlgorithmIdentifier({ algorithmId: oid.ecdsaWithSha256 });
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sha256Algorithm(),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
    signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  const signed = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256Algorithm()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: oid.data }),
    certificates: [cert, ...signer.chain.map((der) => pkijs.Certificate.fromBER(der))],
    signerInfos: [signerInfo],
  });
  const info = new pkijs.ContentInfo({ contentType: oid.signedData, content: signed.toSchema(true) });
  return Buffer.from(info.toSchema().toBER(false));
}
