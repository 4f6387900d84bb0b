// The signed attributes of an outgoing S/MIME signature (RFC 5652 §11, RFC 8551 §2.5, RFC 5035),
// DER-encoded with the SET OF sorted, since verifiers re-encode the set before checking.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const oid = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  smimeCapabilities: '1.2.840.113549.1.9.15',
  encrypKeyPref: '1.2.840.113549.1.9.16.2.11',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
  ecdhSha256Kdf: '1.3.132.1.11.1',
} as const;

const nullParams = () => new asn1js.Null();

export type DigestName = 'sha256' | 'sha384' | 'sha512';

/** A digest AlgorithmIdentifier (parameters absent, RFC 5754 §2). */
export function digestAlgorithm(hash: DigestName): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: oid[hash] });
}

/** RSAES-OAEP-params with SHA-256 and MGF1-SHA-256 (RFC 4055 §4.1). */
export function oaepSha256Params(): asn1js.Sequence {
  const hash = new pkijs.AlgorithmIdentifier({ algorithmId: oid.sha256, algorithmParams: nullParams() });
  return new pkijs.RSAESOAEPParams({
    hashAlgorithm: hash,
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid.mgf1, algorithmParams: hash.toSchema() }),
  }).toSchema();
}

/**
 * What this client can decrypt, strongest first (RFC 8551 §2.5.2): senders pick from it.
 * AES-256-GCM is listed only when the reading side decrypts AuthEnvelopedData.
 */
export function smimeCapabilities(opts: { gcm: boolean; ecdh: boolean }): asn1js.Sequence {
  const cap = (id: string, params?: asn1js.BaseBlock) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: id }), ...(params ? [params] : [])] });
  return new asn1js.Sequence({
    value: [
      ...(opts.gcm ? [cap(oid.aes256Gcm)] : []),
      cap(oid.aes256Cbc),
      cap(oid.aes128Cbc),
      cap(oid.rsaOaep, oaepSha256Params()),
      cap(oid.rsaEncryption),
      ...(opts.ecdh ? [cap(oid.ecdhSha256Kdf, new pkijs.AlgorithmIdentifier({ algorithmId: oid.aes256Wrap }).toSchema())] : []),
    ],
  });
}

/** SigningCertificateV2 with one ESSCertIDv2: SHA-256 (the default, so omitted) and IssuerSerial. */
function signingCertificateV2(cert: pkijs.Certificate, der: Buffer): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new pkijs.GeneralName({ type: 4, value: cert.issuer }).toSchema()] }),
      cert.serialNumber,
    ],
  });
  const certId = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: createHash('sha256').update(der).digest() }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [certId] })] });
}

export interface SignedAttributeInput {
  content: Uint8Array;
  hash: DigestName;
  certificate: pkijs.Certificate;
  certificateDer: Buffer;
  signingTime: Date;
  capabilities: { gcm: boolean; ecdh: boolean };
}

/** The attributes, sorted as DER requires, and the exact bytes (a SET, tag 0x31) to sign. */
export function signedAttributes(input: SignedAttributeInput): { attributes: pkijs.Attribute[]; toSign: Buffer } {
  const attr = (type: string, value: asn1js.BaseBlock) => new pkijs.Attribute({ type, values: [value] });
  const issuerAndSerial = new pkijs.IssuerAndSerialNumber({ issuer: input.certificate.issuer, serialNumber: input.certificate.serialNumber }).toSchema();
  // SMIMEEncryptionKeyPreference: [0] IMPLICIT IssuerAndSerialNumber — "encrypt to me with this certificate".
  const keyPref = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: issuerAndSerial.valueBlock.value });
  const attributes = [
    attr(oid.contentType, new asn1js.ObjectIdentifier({ value: oid.data })),
    attr(oid.signingTime, signingTimeValue(input.signingTime)),
    attr(oid.messageDigest, new asn1js.OctetString({ valueHex: createHash(input.hash).update(input.content).digest() })),
    attr(oid.smimeCapabilities, smimeCapabilities(input.capabilities)),
    attr(oid.encrypKeyPref, keyPref),
    attr(oid.signingCertificateV2, signingCertificateV2(input.certificate, input.certificateDer)),
  ];
  const encoded = attributes.map((a) => Buffer.from(a.toSchema().toBER(false)));
  const order = encoded.map((e, i) => ({ e, i })).sort((x, y) => Buffer.compare(x.e, y.e));
  const sorted = order.map(({ i }) => attributes[i]!);
  const toSign = Buffer.from(new asn1js.Set({ value: sorted.map((a) => a.toSchema()) }).toBER(false));
  return { attributes: sorted, toSign };
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5652 §11.3). */
function signingTimeValue(date: Date): asn1js.BaseBlock {
  const when = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return when.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: when }) : new asn1js.GeneralizedTime({ valueDate: when });
}
