// Writing a PKCS#12 file (key + certificate + chain) in OpenSSL 3's modern form: PBES2
// (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key and the certificates, an HMAC-SHA256 MAC.
// Key and leaf carry the same localKeyId, which is how readers pair them.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const oidLocalKeyId = '1.2.840.113549.1.9.21';
const oidShroudedKeyBag = '1.2.840.113549.1.12.10.1.2';
const oidCertBag = '1.2.840.113549.1.12.10.1.3';
const iterations = 100_000;

export interface Pkcs12Input {
  privateKey: Buffer;
  certificate: Buffer;
  chain: Buffer[];
}

export async function writePkcs12(input: Pkcs12Input, password: string): Promise<Buffer> {
  const pwd = new TextEncoder().encode(password).buffer as ArrayBuffer;
  const keyId = createHash('sha1').update(input.certificate).digest();
  const localKeyId = () => [new pkijs.Attribute({ type: oidLocalKeyId, values: [new asn1js.OctetString({ valueHex: keyId })] })];
  const pbes2 = { password: pwd, contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 }, hmacHashAlgorithm: 'SHA-256', iterationCount: iterations };

  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(new Uint8Array(input.privateKey)) });
  // PKI.js makes the IV itself; its parameter type (with the DOM lib) wants one anyway.
  await keyBag.makeInternalValues(pbes2 as unknown as Parameters<pkijs.PKCS8ShroudedKeyBag['makeInternalValues']>[0]);
  const certBag = (der: Buffer, leaf: boolean) =>
    new pkijs.SafeBag({ bagId: oidCertBag, bagValue: new pkijs.CertBag({ parsedValue: pkijs.Certificate.fromBER(new Uint8Array(der)) }), ...(leaf ? { bagAttributes: localKeyId() } : {}) });

  const safe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: [certBag(input.certificate, true), ...input.chain.map((c) => certBag(c, false))] }) },
        { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [new pkijs.SafeBag({ bagId: oidShroudedKeyBag, bagValue: keyBag, bagAttributes: localKeyId() })] }) },
      ],
    },
  });
  await safe.makeInternalValues({ safeContents: [pbes2, {}] });
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe: safe } });
  await pfx.makeInternalValues({ password: pwd, iterations, pbkdf2HashAlgorithm: { name: 'SHA-256' }, hmacHashAlgorithm: 'SHA-256' });
  return Buffer.from(pfx.toSchema().toBER(false));
}
