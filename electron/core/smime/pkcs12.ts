// Reading PKCS#12 (.p12/.pfx) files: the MAC checked with the password first (so a wrong
// password is told as such, not as garbage), then every bag decrypted: PBES2 (OpenSSL 3's
// default: PBKDF2 + AES) with PKI.js, the legacy 3DES / RC2-40 forms with p12-legacy.ts.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { chainFor } from './key-certificate';
import { decryptLegacyPbe, isLegacyPbe } from './p12-legacy';

export interface Pkcs12Contents {
  /** PKCS#8 DER. */
  privateKey: Buffer;
  /** The certificate whose public key matches the private key. */
  certificate: Buffer;
  /** The other certificates in the file, nearest issuer first when they form a chain. */
  chain: Buffer[];
}

export class Pkcs12Error extends Error {
  constructor(message: string, readonly reason: 'wrong-password' | 'malformed' | 'unsupported' | 'no-key') {
    super(message);
    this.name = 'Pkcs12Error';
  }
}

const oidData = '1.2.840.113549.1.7.1';
const oidEncryptedData = '1.2.840.113549.1.7.6';
const oidKeyBag = '1.2.840.113549.1.12.10.1.1';
const oidShroudedKeyBag = '1.2.840.113549.1.12.10.1.2';
const oidCertBag = '1.2.840.113549.1.12.10.1.3';
const oidX509Cert = '1.2.840.113549.1.9.22.1';

export async function readPkcs12(bytes: Uint8Array, password: string): Promise<Pkcs12Contents> {
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(new Uint8Array(bytes));
  } catch {
    throw new Pkcs12Error('This file is not a PKCS#12 (.p12/.pfx) file.', 'malformed');
  }
  const pwd = new TextEncoder().encode(password).buffer as ArrayBuffer;
  try {
    await pfx.parseInternalValues({ password: pwd, checkIntegrity: true });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/integrity/i.test(msg)) throw new Pkcs12Error('wrong password for this PKCS#12 file', 'wrong-password');
    throw new Pkcs12Error(`This PKCS#12 file cannot be read: ${msg}`, 'malformed');
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw new Pkcs12Error('This PKCS#12 file holds nothing.', 'malformed');

  const keys: Buffer[] = [];
  const certs: Buffer[] = [];
  for (const info of safe.safeContents) {
    let contents: pkijs.SafeContents;
    if (info.contentType === oidData) {
      contents = pkijs.SafeContents.fromBER((info.content as asn1js.OctetString).getValue());
    } else if (info.contentType === oidEncryptedData) {
      const enc = new pkijs.EncryptedData({ schema: info.content });
      const eci = enc.encryptedContentInfo;
      const data = eci.getEncryptedContent();
      contents = pkijs.SafeContents.fromBER(new Uint8Array(await decrypt(eci.contentEncryptionAlgorithm, data, password, pwd)));
    } else {
      // Public-key privacy mode (EnvelopedData) needs a key we do not have; no mail client writes it.
      throw new Pkcs12Error('This PKCS#12 file is encrypted to a certificate rather than a password.', 'unsupported');
    }
    for (const bag of contents.safeBags) {
      if (bag.bagId === oidShroudedKeyBag) {
        const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
        keys.push(await decrypt(shrouded.encryptionAlgorithm, shrouded.encryptedData.getValue(), password, pwd));
      } else if (bag.bagId === oidKeyBag) {
        keys.push(Buffer.from((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false)));
      } else if (bag.bagId === oidCertBag) {
        const cert = bag.bagValue as pkijs.CertBag;
        if (cert.certId !== oidX509Cert) continue; // SDSI certificates: never seen in the wild
        certs.push(Buffer.from(cert.certValue instanceof asn1js.OctetString ? cert.certValue.getValue() : cert.certValue.toSchema().toBER(false)));
      }
    }
  }
  return pairUp(keys, certs);
}

/** Decrypts one PBE-encrypted blob: PBES2 with PKI.js, legacy PKCS#12 PBE with forge. */
async function decrypt(alg: pkijs.AlgorithmIdentifier, data: Uint8Array | ArrayBuffer, password: string, pwd: ArrayBuffer): Promise<Buffer> {
  if (isLegacyPbe(alg.algorithmId)) {
    const params = (alg.algorithmParams as asn1js.BaseBlock).toBER(false);
    return decryptLegacyPbe(alg.algorithmId, new Uint8Array(params), new Uint8Array(data), password);
  }
  const enc = new pkijs.EncryptedData({
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: oidData,
      contentEncryptionAlgorithm: alg,
      encryptedContent: new asn1js.OctetString({ valueHex: data }),
    }),
  });
  try {
    return Buffer.from(await enc.decrypt({ password: pwd }));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Pkcs12Error(`This PKCS#12 file uses an encryption this app cannot read (${alg.algorithmId}: ${msg}).`, 'unsupported');
  }
}

/** The key with the certificate that holds its public key; the rest is the chain. */
function pairUp(keys: Buffer[], certs: Buffer[]): Pkcs12Contents {
  if (!keys.length) throw new Pkcs12Error('This PKCS#12 file holds no private key.', 'no-key');
  for (const key of keys) {
    const keyObject = createPrivateKey({ key, format: 'der', type: 'pkcs8' });
    const leaf = certs.find((der) => new X509Certificate(der).checkPrivateKey(keyObject));
    if (!leaf) continue;
    const others = certs.filter((c) => c !== leaf);
    const ordered = chainFor(leaf, others, true);
    const rest = others.filter((c) => !ordered.some((o) => o.equals(c)));
    return { privateKey: key, certificate: leaf, chain: [...ordered, ...rest] };
  }
  throw new Pkcs12Error('This PKCS#12 file holds no certificate for its private key.', 'no-key');
}
