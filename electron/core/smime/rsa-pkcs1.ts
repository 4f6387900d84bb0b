// RSA PKCS#1 v1.5 key transport (RSAES-PKCS1-v1_5, RFC 8017 §7.2.2), decrypted safely.
//
// WebCrypto has no PKCS#1 v1.5 decryption, and Node 20 refuses RSA_PKCS1_PADDING in
// privateDecrypt (CVE-2023-46809, the Marvin attack: padding errors observable through timing
// become a decryption oracle). Yet most S/MIME mail still uses this key transport. So: do the
// raw RSA operation natively (RSA_NO_PADDING: constant-time in OpenSSL, no padding decision
// there), then strip the padding here without data-dependent branches, and on ANY padding
// error return a synthetic key of the expected length instead of failing ("implicit
// rejection", RFC 3218 §2.3.2 and what OpenSSL ≥ 3.2 does). A bad padding then surfaces only
// as a content-decryption failure, indistinguishable from a wrong key.
//
// The synthetic key is derived deterministically (HMAC of the ciphertext under a secret
// derived from the private key), like OpenSSL's, so sending the same ciphertext twice gives
// the same outcome and reveals nothing. JavaScript cannot promise constant time, but the
// unpadding below does the same work whatever the bytes are.
import { constants, createHash, createHmac, privateDecrypt, type KeyObject } from 'node:crypto';

/** Decrypts an RSAES-PKCS1-v1_5 `ciphertext` holding a key of exactly `expectedLength` bytes. */
export function rsaPkcs1DecryptKey(privateKey: KeyObject, ciphertext: Uint8Array, expectedLength: number): Uint8Array {
  const modulusBytes = Math.ceil((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (modulusBytes === 0) throw new Error('Not an RSA private key');
  const synthetic = syntheticKey(privateKey, ciphertext, expectedLength);
  let em: Uint8Array;
  try {
    // A ciphertext of the wrong length (or ≥ n) is rejected by OpenSSL before any secret is used,
    // so failing outright there leaks nothing about the key.
    if (ciphertext.length !== modulusBytes) throw new Error('length');
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    return synthetic;
  }
  return unpadPkcs1v15(em, expectedLength, synthetic);
}

/**
 * EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖ 0x00 ‖ M, with |M| = expectedLength. Returns M, or
 * `fallback` when anything is off, choosing byte by byte with masks, without early exits.
 */
export function unpadPkcs1v15(em: Uint8Array, expectedLength: number, fallback: Uint8Array): Uint8Array {
  const messageStart = em.length - expectedLength;
  // good is all ones (-1) while the padding is right, 0 otherwise. Loop bounds depend only on
  // the public lengths; the secret bytes only ever feed masks.
  let good = isZero(em[0] ?? 1) & isZero((em[1] ?? 0) ^ 0x02) & -(messageStart >= 11 ? 1 : 0);
  for (let i = 2; i < messageStart - 1; i++) good &= ~isZero(em[i] ?? 0);
  good &= isZero(em[messageStart - 1] ?? 1);
  const out = new Uint8Array(expectedLength);
  for (let j = 0; j < expectedLength; j++) {
    const m = em[messageStart + j] ?? 0;
    const f = fallback[j] ?? 0;
    out[j] = (m & good) | (f & ~good);
  }
  return out;
}

/** -1 (all ones) when the byte x is 0, else 0, without a branch. */
function isZero(x: number): number {
  return (x - 1) >> 31;
}

function syntheticKey(privateKey: KeyObject, ciphertext: Uint8Array, length: number): Uint8Array {
  const secret = createHash('sha256').update('meridian implicit rejection').update(privateKey.export({ format: 'der', type: 'pkcs8' })).digest();
  const out = new Uint8Array(length);
  for (let block = 0, at = 0; at < length; block++) {
    const chunk = createHmac('sha256', secret).update(Uint8Array.of(block)).update(ciphertext).digest();
    out.set(chunk.subarray(0, Math.min(chunk.length, length - at)), at);
    at += chunk.length;
  }
  return out;
}
