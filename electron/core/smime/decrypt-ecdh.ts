// Key agreement recipients (KeyAgreeRecipientInfo) for EC keys: ephemeral-static ECDH with the
// ANSI X9.63 KDF and AES key wrap, as RFC 5753 specifies and `openssl cms -encrypt` produces
// for an EC certificate (dhSinglePass-stdDH-sha*kdf-scheme). Not in the original scope; it
// makes the P-256/P-384 users readable too.
import { createDecipheriv, createHash, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sameName, type ParsedCertificate } from './certificate';
import { octetStringBytes, toHex } from './cms-asn1';

/** Key-agreement scheme OID → KDF hash (standard and cofactor DH coincide on prime curves). */
const kdfHash: Record<string, { node: string; name: string }> = {
  '1.3.133.16.840.63.0.2': { node: 'sha1', name: 'SHA-1' },
  '1.3.133.16.840.63.0.3': { node: 'sha1', name: 'SHA-1' },
  '1.3.132.1.11.0': { node: 'sha224', name: 'SHA-224' },
  '1.3.132.1.11.1': { node: 'sha256', name: 'SHA-256' },
  '1.3.132.1.11.2': { node: 'sha384', name: 'SHA-384' },
  '1.3.132.1.11.3': { node: 'sha512', name: 'SHA-512' },
  '1.3.132.1.14.0': { node: 'sha224', name: 'SHA-224' },
  '1.3.132.1.14.1': { node: 'sha256', name: 'SHA-256' },
  '1.3.132.1.14.2': { node: 'sha384', name: 'SHA-384' },
  '1.3.132.1.14.3': { node: 'sha512', name: 'SHA-512' },
};

const keyWraps: Record<string, { node: string; bytes: number }> = {
  '2.16.840.1.101.3.4.1.5': { node: 'id-aes128-wrap', bytes: 16 },
  '2.16.840.1.101.3.4.1.25': { node: 'id-aes192-wrap', bytes: 24 },
  '2.16.840.1.101.3.4.1.45': { node: 'id-aes256-wrap', bytes: 32 },
};

const jwkCurve: Record<string, { crv: string; size: number }> = {
  prime256v1: { crv: 'P-256', size: 32 },
  secp384r1: { crv: 'P-384', size: 48 },
  secp521r1: { crv: 'P-521', size: 66 },
};

/** The encryptedKey addressed to `cert` in this KeyAgreeRecipientInfo, or null. */
export function keyAgreeEntryFor(kari: pkijs.KeyAgreeRecipientInfo, cert: ParsedCertificate): Uint8Array | null {
  for (const rek of kari.recipientEncryptedKeys.encryptedKeys) {
    const rid: unknown = rek.rid.value;
    const match =
      rid instanceof pkijs.IssuerAndSerialNumber
        ? sameName(rid.issuer, cert.pkijs.issuer) && rid.serialNumber.isEqual(cert.pkijs.serialNumber)
        : rid instanceof pkijs.RecipientKeyIdentifier && cert.info.subjectKeyId === toHex(rid.subjectKeyIdentifier.valueBlock.valueHexView);
    if (match) return octetStringBytes(rek.encryptedKey);
  }
  return null;
}

/** Unwraps the content-encryption key with our EC private key. Throws with a readable message. */
export function unwrapKeyAgree(kari: pkijs.KeyAgreeRecipientInfo, wrapped: Uint8Array, key: KeyObject, keyLength: number): { cek: Uint8Array; name: string } {
  if (key.asymmetricKeyType !== 'ec') throw new Error('Only EC keys can answer elliptic-curve key agreement');
  const hash = kdfHash[kari.keyEncryptionAlgorithm.algorithmId];
  if (!hash) throw new Error(`Unsupported key agreement ${kari.keyEncryptionAlgorithm.algorithmId}`);
  const wrapAlg: unknown = kari.keyEncryptionAlgorithm.algorithmParams;
  if (!(wrapAlg instanceof asn1js.Sequence)) throw new Error('Key agreement lacks its key-wrap algorithm');
  const wrapOid = new pkijs.AlgorithmIdentifier({ schema: wrapAlg }).algorithmId;
  const wrap = keyWraps[wrapOid];
  if (!wrap) throw new Error(`Unsupported key wrap ${wrapOid}`);
  if (kari.originator.variant !== 3 || !(kari.originator.value instanceof pkijs.OriginatorPublicKey)) {
    throw new Error('Only ephemeral-static key agreement is supported');
  }
  const curve = jwkCurve[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (!curve) throw new Error('Unsupported curve');
  const point = kari.originator.value.publicKey.valueBlock.valueHexView;
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) throw new Error('The sender\'s ephemeral key is malformed');
  const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const ephemeral = createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: b64u(point.subarray(1, 1 + curve.size)), y: b64u(point.subarray(1 + curve.size)) }, format: 'jwk' });
  const z = diffieHellman({ privateKey: key, publicKey: ephemeral });

  // ECC-CMS-SharedInfo (RFC 5753 §7.2): the wrap AlgorithmIdentifier as sent, the ukm, the KEK size in bits.
  const sharedInfo = new asn1js.Sequence({
    value: [
      wrapAlg,
      ...(kari.ukm ? [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: octetStringBytes(kari.ukm) })] })] : []),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 2 }, value: [new asn1js.OctetString({ valueHex: u32(wrap.bytes * 8) })] }),
    ],
  }).toBER(false);
  const kek = x963Kdf(hash.node, z, new Uint8Array(sharedInfo), wrap.bytes);
  let cek: Buffer;
  try {
    const d = createDecipheriv(wrap.node, kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    cek = Buffer.concat([d.update(wrapped), d.final()]); // RFC 3394 integrity check in final()
  } catch {
    throw new Error('Could not decrypt the message key (wrong key or damaged message)');
  }
  if (cek.length !== keyLength) throw new Error('The message key has the wrong length');
  return { cek, name: `ECDH (${hash.name} KDF, AES key wrap)` };
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** ANSI X9.63 KDF: Hash(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, … until enough bytes. */
function x963Kdf(hash: string, z: Uint8Array, sharedInfo: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 1, have = 0; have < length; counter++) {
    const block = createHash(hash).update(z).update(u32(counter)).update(sharedInfo).digest();
    blocks.push(block);
    have += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}
