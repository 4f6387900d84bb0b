// The two legacy PKCS#12 ciphers (RFC 7292 Appendix C) that `openssl pkcs12 -legacy` and
// Windows still write: pbeWithSHAAnd3-KeyTripleDES-CBC (keys) and pbeWithSHAAnd40BitRC2-CBC
// (certificate bags). Decrypted with node-forge because neither WebCrypto (which PKI.js uses)
// nor Node 20's OpenSSL 3 without its legacy provider offers RC2, and WebCrypto has no 3DES.
// Everything else in PKCS#12 stays with PKI.js.
import forge from 'node-forge';

export const oidPbeSha3Des = '1.2.840.113549.1.12.1.3';
export const oidPbeSha2Des = '1.2.840.113549.1.12.1.4';
export const oidPbeShaRc2_128 = '1.2.840.113549.1.12.1.5';
export const oidPbeShaRc2_40 = '1.2.840.113549.1.12.1.6';

export function isLegacyPbe(oid: string): boolean {
  return oid.startsWith('1.2.840.113549.1.12.1.');
}

/** The slice of forge's (untyped) PBE module used here. */
interface ForgeCipher {
  update(data: forge.util.ByteStringBuffer): void;
  finish(): boolean;
  output: forge.util.ByteStringBuffer;
}
interface ForgePbe {
  getCipherForPKCS12PBE(oid: string, params: forge.asn1.Asn1, password: string): ForgeCipher;
}

/**
 * Decrypts data under a PKCS#12 PBE algorithm. paramsDer: the DER of the algorithm's
 * PBEParameter (salt, iterations). Only 3DES and RC2-40 (what forge implements) succeed.
 */
export function decryptLegacyPbe(oid: string, paramsDer: Uint8Array, encrypted: Uint8Array, password: string): Buffer {
  if (oid !== oidPbeSha3Des && oid !== oidPbeShaRc2_40) {
    throw new Error(`This PKCS#12 file uses an encryption this app cannot read (${oid}).`);
  }
  const pbe = (forge.pki as unknown as { pbe: ForgePbe }).pbe;
  const params = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(paramsDer).toString('binary')));
  const cipher = pbe.getCipherForPKCS12PBE(oid, params, password);
  cipher.update(forge.util.createBuffer(Buffer.from(encrypted).toString('binary')));
  // A wrong password shows as bad padding; the MAC check normally catches it first.
  if (!cipher.finish()) throw new Error('wrong password for this PKCS#12 file');
  return Buffer.from(cipher.output.getBytes(), 'binary');
}
