// One RecipientInfo per recipient, carrying the content-encryption key (CEK):
//  - RSA: KeyTransRecipientInfo, RSAES-OAEP (SHA-256, MGF1-SHA-256) or PKCS#1 v1.5. PKI.js
//    encrypts through WebCrypto, which has no PKCS#1 v1.5, so Node's publicEncrypt does both
//    (Node 20 blocks only PKCS#1 v1.5 *decryption*).
//  - EC: KeyAgreeRecipientInfo, ephemeral-static ECDH dhSinglePass-stdDH-sha256kdf-scheme with
//    AES-256 key wrap (RFC 5753 §3.1, RFC 8418-style X9.63 KDF). PKI.js's own ECDH path cannot
//    share one CEK with the RSA recipients above, so the steps are done here with Node's crypto.
import { constants, createCipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, publicEncrypt, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { oaepSha256Params, oid } from './sign-attributes';

export interface EncryptRecipient {
  /** Named in errors. */
  email: string;
  /** DER. */
  certificate: Buffer;
  /** RSA: use OAEP. Default: only when the certificate itself asks for it (see wantsOaep). */
  oaep?: boolean;
  /** This recipient is known (SMIMECapabilities) to read AES-256-GCM. */
  gcm?: boolean;
}

export class EncryptionRecipientError extends Error {
  constructor(message: string, readonly emails: string[]) {
    super(message);
    this.name = 'EncryptionRecipientError';
  }
}

/** The certificate's key is RSAES-OAEP-only, or its smimeCapabilities extension lists OAEP. */
export function wantsOaep(cert: pkijs.Certificate): boolean {
  if (cert.subjectPublicKeyInfo.algorithm.algorithmId === oid.rsaOaep) return true;
  const caps = cert.extensions?.find((e) => e.extnID === oid.smimeCapabilities);
  if (!caps) return false;
  const parsed = asn1js.fromBER(caps.extnValue.getValue());
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return false;
  return parsed.result.valueBlock.value.some((cap) => cap instanceof asn1js.Sequence && String(cap.valueBlock.value[0]?.valueBlock) === oid.rsaOaep);
}

/** The recipient's public key for Node; an OAEP-labelled RSA key is relabelled rsaEncryption. */
function publicKeyOf(cert: pkijs.Certificate): KeyObject {
  const spki = new pkijs.PublicKeyInfo({ schema: cert.subjectPublicKeyInfo.toSchema() });
  if (spki.algorithm.algorithmId === oid.rsaOaep) spki.algorithm = new pkijs.AlgorithmIdentifier({ algorithmId: oid.rsaEncryption, algorithmParams: new asn1js.Null() });
  return createPublicKey({ key: Buffer.from(spki.toSchema().toBER(false)), format: 'der', type: 'spki' });
}

export function recipientInfo(recipient: EncryptRecipient, cek: Buffer): pkijs.RecipientInfo {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(Uint8Array.from(recipient.certificate));
  } catch {
    throw new EncryptionRecipientError(`${recipient.email}'s certificate cannot be read.`, [recipient.email]);
  }
  const key = publicKeyOf(cert);
  const issuerAndSerial = () => new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber });
  if (key.asymmetricKeyType === 'rsa') {
    const oaep = recipient.oaep ?? wantsOaep(cert);
    const encryptedKey = oaep
      ? publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek)
      : publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, cek);
    const keyEncryptionAlgorithm = oaep
      ? new pkijs.AlgorithmIdentifier({ algorithmId: oid.rsaOaep, algorithmParams: oaepSha256Params() })
      : new pkijs.AlgorithmIdentifier({ algorithmId: oid.rsaEncryption, algorithmParams: new asn1js.Null() });
    const ktri = new pkijs.KeyTransRecipientInfo({ version: 0, rid: issuerAndSerial(), keyEncryptionAlgorithm, encryptedKey: new asn1js.OctetString({ valueHex: encryptedKey }) });
    return new pkijs.RecipientInfo({ variant: 1, value: ktri });
  }
  if (key.asymmetricKeyType === 'ec') return new pkijs.RecipientInfo({ variant: 2, value: keyAgreement(key, issuerAndSerial(), cek, recipient.email) });
  throw new EncryptionRecipientError(`${recipient.email}'s certificate uses a ${key.asymmetricKeyType ?? 'unknown'} key; encryption to such keys is not supported.`, [recipient.email]);
}

function keyAgreement(recipientKey: KeyObject, rid: pkijs.IssuerAndSerialNumber, cek: Buffer, email: string): pkijs.KeyAgreeRecipientInfo {
  const namedCurve = recipientKey.asymmetricKeyDetails?.namedCurve;
  if (!namedCurve) throw new EncryptionRecipientError(`${email}'s certificate has an EC key without a named curve.`, [email]);
  const ephemeral = generateKeyPairSync('ec', { namedCurve });
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipientKey });
  const wrapAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: oid.aes256Wrap });
  // ECC-CMS-SharedInfo (RFC 5753 §7.2): the wrap algorithm and the KEK length in bits (256).
  const sharedInfo = new pkijs.ECCCMSSharedInfo({
    keyInfo: wrapAlgorithm,
    suppPubInfo: new asn1js.OctetString({ valueHex: Buffer.from([0, 0, 1, 0]) }),
  })
    .toSchema()
    .toBER(false);
  // ANSI X9.63 KDF with SHA-256: one block (counter 1) gives the 32-byte KEK.
  const kek = createHash('sha256').update(shared).update(Buffer.from([0, 0, 0, 1])).update(Buffer.from(sharedInfo)).digest();
  const wrapper = createCipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
  const wrapped = Buffer.concat([wrapper.update(cek), wrapper.final()]);
  const spki = ephemeral.publicKey.export({ format: 'der', type: 'spki' });
  return new pkijs.KeyAgreeRecipientInfo({
    version: 3,
    originator: new pkijs.OriginatorIdentifierOrKey({ variant: 3, value: pkijs.OriginatorPublicKey.fromBER(spki) }),
    keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid.ecdhSha256Kdf, algorithmParams: wrapAlgorithm.toSchema() }),
    recipientEncryptedKeys: new pkijs.RecipientEncryptedKeys({
      encryptedKeys: [
        new pkijs.RecipientEncryptedKey({
          rid: new pkijs.KeyAgreeRecipientIdentifier({ variant: 1, value: rid }),
          encryptedKey: new asn1js.OctetString({ valueHex: wrapped }),
        }),
      ],
    }),
  });
}
