// Decrypts CMS EnvelopedData (RFC 5652 §6) and AuthEnvelopedData with AES-GCM (RFC 5083/5084)
// for the user's keys: RSA key transport, OAEP (any SHA, per its parameters) and PKCS#1 v1.5
// (see rsa-pkcs1.ts); EC key agreement (decrypt-ecdh.ts); content AES-CBC, 3DES-CBC, AES-GCM. pkijs decodes the
// structures (it has no AuthEnvelopedData class, so that SEQUENCE is walked here, reusing its
// RecipientInfo and EncryptedContentInfo); Node does the cryptography.
import { constants, createDecipheriv, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificateCached, sameName, type ParsedCertificate } from './certificate';
import { digestByOid, octetStringBytes, oid, toHex } from './cms-asn1';
import { rsaPkcs1DecryptKey } from './rsa-pkcs1';
import { keyAgreeEntryFor, unwrapKeyAgree } from './decrypt-ecdh';
import { readContentInfo } from './cms-signed-data';

export interface RecipientKey {
  certificateDer: Uint8Array;
  /** A KeyObject, or PKCS#8 DER. */
  privateKey: KeyObject | Uint8Array;
}

export type DecryptOutcome =
  | { ok: true; content: Uint8Array; algorithm: string; keyTransport: string; recipientFingerprint: string; form: 'enveloped' | 'auth-enveloped' }
  | { ok: false; message: string; form: 'enveloped' | 'auth-enveloped' | null };

const maxAttempts = 4;

interface ContentCipher {
  name: string;
  node: string;
  keyLength: number;
  mode: 'cbc' | 'gcm';
}

const ciphers: Record<string, ContentCipher> = {
  '2.16.840.1.101.3.4.1.2': { name: 'AES-128-CBC', node: 'aes-128-cbc', keyLength: 16, mode: 'cbc' },
  '2.16.840.1.101.3.4.1.22': { name: 'AES-192-CBC', node: 'aes-192-cbc', keyLength: 24, mode: 'cbc' },
  '2.16.840.1.101.3.4.1.42': { name: 'AES-256-CBC', node: 'aes-256-cbc', keyLength: 32, mode: 'cbc' },
  '1.2.840.113549.3.7': { name: '3DES-CBC', node: 'des-ede3-cbc', keyLength: 24, mode: 'cbc' },
  '2.16.840.1.101.3.4.1.6': { name: 'AES-128-GCM', node: 'aes-128-gcm', keyLength: 16, mode: 'gcm' },
  '2.16.840.1.101.3.4.1.26': { name: 'AES-192-GCM', node: 'aes-192-gcm', keyLength: 24, mode: 'gcm' },
  '2.16.840.1.101.3.4.1.46': { name: 'AES-256-GCM', node: 'aes-256-gcm', keyLength: 32, mode: 'gcm' },
};

/** The parts of (Auth)EnvelopedData that decryption needs. */
interface Envelope {
  form: 'enveloped' | 'auth-enveloped';
  recipients: pkijs.RecipientInfo[];
  content: pkijs.EncryptedContentInfo;
  /** AuthEnvelopedData: the authAttrs DER as a SET (the GCM additional data), and the tag. */
  aad: Uint8Array | null;
  mac: Uint8Array | null;
}

/** Decrypts a ContentInfo holding EnvelopedData or AuthEnvelopedData. Never throws. */
export function decryptEnveloped(cms: Uint8Array, keys: RecipientKey[]): DecryptOutcome {
  let envelope: Envelope;
  try {
    envelope = readEnvelope(cms);
  } catch (e) {
    return { ok: false, message: `Unreadable encrypted message: ${(e as Error).message}`, form: null };
  }
  const fail = (message: string): DecryptOutcome => ({ ok: false, message, form: envelope.form });
  const algId = envelope.content.contentEncryptionAlgorithm.algorithmId;
  const cipher = ciphers[algId];
  if (!cipher) return fail(`Unsupported content encryption algorithm ${algId}`);
  if ((cipher.mode === 'gcm') !== (envelope.form === 'auth-enveloped')) return fail(`${cipher.name} is not allowed in ${envelope.form} data`);

  const own = keys.flatMap((k) => {
    try {
      return [{ cert: parseCertificateCached(k.certificateDer), key: toKeyObject(k.privateKey) }];
    } catch {
      return [];
    }
  });
  // Each attempt is a private-key operation; a hostile list of matching recipients is cut short.
  let attempts = 0;
  let lastError = 'The message is not encrypted to any of your certificates';
  for (const ri of envelope.recipients) {
    const ktri = ri.variant === 1 && ri.value instanceof pkijs.KeyTransRecipientInfo ? ri.value : null;
    const kari = ri.variant === 2 && ri.value instanceof pkijs.KeyAgreeRecipientInfo ? ri.value : null;
    if (!ktri && !kari) continue;
    for (const { cert, key } of own) {
      const agreed = kari ? keyAgreeEntryFor(kari, cert) : null;
      if (ktri ? !recipientMatches(ktri.rid, cert) : !agreed) continue;
      if (++attempts > maxAttempts) return fail(lastError);
      try {
        const unwrapped = ktri ? unwrapKey(ktri, key, cipher.keyLength) : unwrapKeyAgree(kari!, agreed!, key, cipher.keyLength);
        const content = decryptContent(envelope, cipher, unwrapped.cek);
        return { ok: true, content, algorithm: cipher.name, keyTransport: unwrapped.name, recipientFingerprint: cert.info.fingerprint, form: envelope.form };
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
  }
  return fail(lastError);
}

function readEnvelope(cms: Uint8Array): Envelope {
  const info = readContentInfo(cms);
  if (info.contentType === oid.envelopedData) {
    const env = new pkijs.EnvelopedData({ schema: info.content });
    return { form: 'enveloped', recipients: env.recipientInfos, content: env.encryptedContentInfo, aad: null, mac: null };
  }
  if (info.contentType !== oid.authEnvelopedData) throw new Error(`not an encrypted message (CMS content type ${info.contentType})`);
  // AuthEnvelopedData ::= SEQUENCE { version, originatorInfo [0] IMPLICIT OPTIONAL,
  //   recipientInfos SET, authEncryptedContentInfo, authAttrs [1] IMPLICIT OPTIONAL, mac OCTET STRING, unauthAttrs [2] OPTIONAL }
  const seq: unknown = info.content;
  if (!(seq instanceof asn1js.Sequence)) throw new Error('AuthEnvelopedData is not a SEQUENCE');
  const items = seq.valueBlock.value;
  let i = 1; // after version
  if (items[i]?.idBlock.tagClass === 3 && items[i]?.idBlock.tagNumber === 0) i++;
  const set = items[i++];
  if (!(set instanceof asn1js.Set)) throw new Error('AuthEnvelopedData lacks recipientInfos');
  const recipients = set.valueBlock.value.map((schema) => new pkijs.RecipientInfo({ schema }));
  const content = new pkijs.EncryptedContentInfo({ schema: items[i++] });
  let aad: Uint8Array | null = null;
  const maybeAttrs = items[i];
  if (maybeAttrs?.idBlock.tagClass === 3 && maybeAttrs.idBlock.tagNumber === 1) {
    // The tag is computed over the DER of the attributes with the SET tag, not [1] (RFC 5083 §2.2).
    aad = new Uint8Array(maybeAttrs.valueBeforeDecodeView);
    aad[0] = 0x31;
    i++;
  }
  const mac = items[i];
  if (!(mac instanceof asn1js.OctetString)) throw new Error('AuthEnvelopedData lacks the mac');
  return { form: 'auth-enveloped', recipients, content, aad, mac: octetStringBytes(mac) };
}

function toKeyObject(key: KeyObject | Uint8Array): KeyObject {
  if (key instanceof Uint8Array) return createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8' });
  return key;
}

function recipientMatches(rid: pkijs.RecipientIdentifierType, cert: ParsedCertificate): boolean {
  if (rid instanceof pkijs.IssuerAndSerialNumber) return sameName(rid.issuer, cert.pkijs.issuer) && rid.serialNumber.isEqual(cert.pkijs.serialNumber);
  if (rid instanceof asn1js.BaseBlock) return cert.info.subjectKeyId !== null && toHex(octetStringBytes(rid)) === cert.info.subjectKeyId;
  return false;
}

function unwrapKey(ktri: pkijs.KeyTransRecipientInfo, key: KeyObject, keyLength: number): { cek: Uint8Array; name: string } {
  const alg = ktri.keyEncryptionAlgorithm;
  const wrapped = octetStringBytes(ktri.encryptedKey);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('Only RSA keys can unwrap key-transport recipients');
  if (alg.algorithmId === oid.rsaEncryption) {
    return { cek: rsaPkcs1DecryptKey(key, wrapped, keyLength), name: 'RSA PKCS#1 v1.5' };
  }
  if (alg.algorithmId === oid.rsaesOaep) {
    const params = alg.algorithmParams instanceof asn1js.Sequence ? new pkijs.RSAESOAEPParams({ schema: alg.algorithmParams }) : new pkijs.RSAESOAEPParams();
    const hash = digestByOid[params.hashAlgorithm.algorithmId];
    if (!hash) throw new Error(`Unsupported RSA-OAEP hash ${params.hashAlgorithm.algorithmId}`);
    const mgf = params.maskGenAlgorithm;
    const mgfHash = mgf.algorithmId === oid.mgf1 && mgf.algorithmParams ? new pkijs.AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId : null;
    // Node uses the OAEP hash for MGF1 as well; other combinations are not produced by mail clients.
    if (mgfHash !== params.hashAlgorithm.algorithmId) throw new Error('Unsupported RSA-OAEP parameters (MGF1 hash differs)');
    const label = oaepLabel(alg.algorithmParams);
    let cek: Buffer;
    try {
      cek = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash.node, oaepLabel: label }, wrapped);
    } catch {
      // OAEP decoding is constant-time in OpenSSL; its failure says only "not for this key".
      throw new Error('Could not decrypt the message key (wrong key or damaged message)');
    }
    if (cek.length !== keyLength) throw new Error('The message key has the wrong length');
    return { cek, name: `RSA-OAEP (${hash.name})` };
  }
  throw new Error(`Unsupported key transport ${alg.algorithmId}`);
}

/**
 * The OAEP label from pSourceAlgorithm [2], read from the encoding itself: pkijs fills an absent
 * field with a non-empty default, while RFC 4055's default is the empty label.
 */
function oaepLabel(params: unknown): Buffer | undefined {
  if (!(params instanceof asn1js.Sequence)) return undefined;
  const tagged = params.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 2);
  const inner = tagged && (tagged.valueBlock as unknown as { value?: asn1js.AsnType[] }).value?.[0];
  if (!inner) return undefined;
  const source = new pkijs.AlgorithmIdentifier({ schema: inner });
  const value: unknown = source.algorithmParams;
  if (source.algorithmId !== '1.2.840.113549.1.1.9') throw new Error('Unsupported RSA-OAEP label source');
  return value instanceof asn1js.OctetString && value.valueBlock.valueHexView.length > 0 ? Buffer.from(value.valueBlock.valueHexView) : undefined;
}

function decryptContent(envelope: Envelope, cipher: ContentCipher, cek: Uint8Array): Uint8Array {
  const info = envelope.content;
  if (!info.encryptedContent) throw new Error('The encrypted content is missing (detached content is not supported)');
  const data = new Uint8Array(info.getEncryptedContent());
  const params: unknown = info.contentEncryptionAlgorithm.algorithmParams;
  const failure = new Error('Could not decrypt the content (wrong key or damaged message)');
  if (cipher.mode === 'cbc') {
    if (!(params instanceof asn1js.OctetString)) throw new Error('The content cipher lacks its IV');
    const iv = params.valueBlock.valueHexView;
    try {
      const d = createDecipheriv(cipher.node, cek, iv);
      return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
    } catch {
      throw failure;
    }
  }
  // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 }
  if (!(params instanceof asn1js.Sequence)) throw new Error('AES-GCM parameters are missing');
  const [nonce, icv] = params.valueBlock.value;
  if (!(nonce instanceof asn1js.OctetString)) throw new Error('AES-GCM nonce is missing');
  const tagLength = icv instanceof asn1js.Integer ? icv.valueBlock.valueDec : 12;
  const mac = envelope.mac;
  if (!mac || mac.length !== tagLength || tagLength < 12 || tagLength > 16) throw new Error('The authentication tag is missing or has a bad length');
  try {
    const d = createDecipheriv(cipher.node as 'aes-256-gcm', cek, nonce.valueBlock.valueHexView, { authTagLength: tagLength });
    d.setAuthTag(mac);
    if (envelope.aad) d.setAAD(envelope.aad);
    // final() checks the tag; nothing decrypted is returned unless it matches.
    return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
  } catch {
    throw new Error('The encrypted content failed its integrity check (wrong key or damaged message)');
  }
}
