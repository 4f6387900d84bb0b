// Verifies a CMS SignedData (RFC 5652 §5) as S/MIME uses it (RFC 8551): detached over the exact
// bytes of the first part of multipart/signed, or opaque with the content encapsulated.
// pkijs decodes the structures; the cryptography is Node's (native, synchronous, and it speaks
// PSS with explicit salt lengths and DER-encoded ECDSA signatures as CMS carries them).
import { createHash, timingSafeEqual, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificateHasEmail, parseCertificateCached, sameName, type ParsedCertificate } from './certificate';
import { readContentInfo, readSignedData, type SignedDataParts } from './cms-signed-data';
import { asn1Time, digestByOid, octetStringBytes, oid, toHex } from './cms-asn1';
import { signingPurposeProblem, validityProblem, type TrustAnchors } from './trust';
import { betterResult, type SignerInfo, type SmimeResult } from './types';

export interface VerifyOptions {
  /** The address in the message's From header (bare addr-spec). */
  fromAddress: string;
  trust: TrustAnchors;
  /** "Now" for messages without a signingTime attribute; defaults to the clock. */
  now?: Date;
}

export interface VerifyOutcome {
  result: SmimeResult;
  /** The signed content: the encapsulated content (opaque) or the detached bytes; null when unreadable. */
  content: Uint8Array | null;
}

const maxSigners = 4;
/** A signingTime this far ahead of the clock is not believed; validity is then checked at "now". */
const futureSkewMs = 24 * 60 * 60 * 1000;

const signedDataError = (message: string): VerifyOutcome => ({ result: { status: 'error', message }, content: null });

/**
 * Verifies `cms` (a DER/BER ContentInfo holding SignedData). `detached` is the content for a
 * detached signature (multipart/signed), null for opaque signed-data. Never throws.
 */
export function verifySignedData(cms: Uint8Array, detached: Uint8Array | null, opts: VerifyOptions): VerifyOutcome {
  let signed: SignedDataParts;
  try {
    const info = readContentInfo(cms);
    if (info.contentType !== oid.signedData) return signedDataError(`Not a signature (CMS content type ${info.contentType})`);
    signed = readSignedData(info.content);
  } catch (e) {
    return signedDataError(`Unreadable signature: ${(e as Error).message}`);
  }
  const content = detached ?? signed.eContent;
  if (!content) return signedDataError('The signature carries no content and none was given');
  if (signed.signerInfos.length === 0) return { result: { status: 'error', message: 'The signature has no signers' }, content };
  const certs = signed.certificates.flatMap((der) => {
    try {
      return [parseCertificateCached(der)];
    } catch {
      return []; // an unreadable certificate can be neither signer nor issuer
    }
  });
  let best: SmimeResult | null = null;
  // Real messages have one signer; a cap keeps a hostile list of signers from costing seconds.
  for (const signer of signed.signerInfos.slice(0, maxSigners)) {
    let result: SmimeResult;
    try {
      result = verifySigner(signed, signer, content, detached !== null, certs, opts);
    } catch (e) {
      result = { status: 'error', message: `Could not verify the signature: ${(e as Error).message}` };
    }
    best = best ? betterResult(best, result) : result;
  }
  return { result: best!, content };
}

function verifySigner(
  signed: SignedDataParts,
  signer: pkijs.SignerInfo,
  content: Uint8Array,
  detached: boolean,
  certs: ParsedCertificate[],
  opts: VerifyOptions,
): SmimeResult {
  const cert = findSignerCertificate(signer.sid, certs);
  if (!cert) return { status: 'error', message: 'The signer\'s certificate is not included in the message' };
  const digest = digestByOid[signer.digestAlgorithm.algorithmId];
  if (!digest) return { status: 'error', message: `Unsupported digest algorithm ${signer.digestAlgorithm.algorithmId}` };
  const scheme = signatureScheme(signer.signatureAlgorithm, digest.node, cert);
  if ('error' in scheme) return { status: 'error', message: scheme.error };

  // With signed attributes, the signature covers their DER (as a SET) and messageDigest binds
  // the content; without them it covers the content itself (RFC 5652 §5.4).
  let signingTime: Date | null = null;
  let tamperedDetail: string | null = null;
  let signedBytes: Uint8Array = content;
  const attrs = signer.signedAttrs;
  if (attrs) {
    const attr = (type: string): unknown => attrs.attributes.find((a) => a.type === type)?.values[0];
    const md = attr(oid.messageDigest);
    const ct = attr(oid.contentType);
    if (!(md instanceof asn1js.OctetString)) return { status: 'error', message: 'The signature lacks the messageDigest attribute' };
    if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== signed.eContentType) {
      tamperedDetail = 'The signed content type does not match the content';
    }
    signingTime = asn1Time(attr(oid.signingTime));
    if (!digestMatches(content, digest.node, md.valueBlock.valueHexView, detached)) tamperedDetail ??= 'The message was changed after it was signed (content digest mismatch)';
    signedBytes = new Uint8Array(attrs.encodedValue); // pkijs already swapped the [0] tag for SET (0x31)
  }
  const signatureOk = tamperedDetail === null && checkSignature(scheme, signedBytes, signer.signature.valueBlock.valueHexView, cert.publicKey);
  // Validity is judged at the signing time the signer claims (RFC 8551 §2.5.1 signingTime),
  // else now; a claim from the future is ignored so it cannot revive a not-yet-valid certificate.
  const now = opts.now ?? new Date();
  const at = signingTime && signingTime.getTime() <= now.getTime() + futureSkewMs ? signingTime : now;
  const path = opts.trust.buildPath(cert, certs);
  const info: SignerInfo = signerInfo(cert, path.chain, digest.name, scheme.name, signingTime);
  if (!signatureOk) return { status: 'invalid', problem: 'tampered', detail: tamperedDetail ?? 'The signature does not match the message', signer: info };

  const expired = validityProblem(path.chain, at);
  if (expired) return { status: 'invalid', problem: 'expired', detail: expired.detail, signer: info };
  if (!certificateHasEmail(cert.info, opts.fromAddress)) {
    const names = cert.info.emails.join(', ') || 'no address';
    return { status: 'invalid', problem: 'address-mismatch', detail: `The sender ${opts.fromAddress} is not named in the certificate (${names})`, signer: info };
  }
  const purpose = signingPurposeProblem(cert.info);
  if (purpose) return { status: 'valid-but-untrusted', reason: purpose, signer: info };
  if (!path.trusted) return { status: 'valid-but-untrusted', reason: path.problem ?? 'Untrusted', signer: info };
  return { status: 'valid', signer: info };
}

/** The content digest check, tolerating a store that turned CRLF into LF (the digest must still match). */
function digestMatches(content: Uint8Array, hash: string, expected: Uint8Array, detached: boolean): boolean {
  const same = (data: Uint8Array) => {
    const got = createHash(hash).update(data).digest();
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  if (same(content)) return true;
  return detached && hasBareLf(content) && same(toCrlf(content));
}

function hasBareLf(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] === 0x0a && data[i - 1] !== 0x0d) return true;
  return false;
}

function toCrlf(data: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(Buffer.from(data).toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'));
}

interface Scheme {
  name: string;
  kind: 'pkcs1' | 'pss' | 'ecdsa' | 'eddsa';
  hash: string;
  saltLength?: number;
}

const rsaHashByOid: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ecdsaHashByOid: Record<string, string> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** Maps the SignerInfo's signatureAlgorithm (plus the key) to what Node's verify needs. */
function signatureScheme(alg: pkijs.AlgorithmIdentifier, digestHash: string, cert: ParsedCertificate): Scheme | { error: string } {
  const id = alg.algorithmId;
  const keyType = cert.publicKey.asymmetricKeyType;
  if (id === oid.rsaEncryption || rsaHashByOid[id]) {
    if (keyType !== 'rsa') return { error: 'The signature algorithm (RSA) does not match the certificate\'s key' };
    return { name: 'RSA PKCS#1 v1.5', kind: 'pkcs1', hash: rsaHashByOid[id] ?? digestHash };
  }
  if (id === oid.rsassaPss) {
    if (keyType !== 'rsa' && keyType !== 'rsa-pss') return { error: 'The signature algorithm (RSA-PSS) does not match the certificate\'s key' };
    const params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
    const hash = digestByOid[params.hashAlgorithm.algorithmId]?.node;
    if (!hash) return { error: `Unsupported RSA-PSS hash ${params.hashAlgorithm.algorithmId}` };
    // Node's verify derives MGF1 from the signature hash, so only the usual "same hash" form is accepted.
    const mgfHash = mgf1Hash(params.maskGenAlgorithm);
    if (mgfHash !== hash) return { error: 'Unsupported RSA-PSS parameters (MGF1 hash differs from the message hash)' };
    if (params.trailerField !== 1) return { error: 'Unsupported RSA-PSS trailer field' };
    return { name: 'RSA-PSS', kind: 'pss', hash, saltLength: params.saltLength };
  }
  if (id === oid.ecPublicKey || ecdsaHashByOid[id]) {
    if (keyType !== 'ec') return { error: 'The signature algorithm (ECDSA) does not match the certificate\'s key' };
    return { name: `ECDSA ${cert.info.publicKey.curve ?? ''}`.trim(), kind: 'ecdsa', hash: ecdsaHashByOid[id] ?? digestHash };
  }
  if (id === oid.ed25519) {
    if (keyType !== 'ed25519') return { error: 'The signature algorithm (Ed25519) does not match the certificate\'s key' };
    return { name: 'Ed25519', kind: 'eddsa', hash: digestHash };
  }
  return { error: `Unsupported signature algorithm ${id}` };
}

function mgf1Hash(mgf: pkijs.AlgorithmIdentifier): string | null {
  if (mgf.algorithmId !== oid.mgf1) return null;
  try {
    const inner = new pkijs.AlgorithmIdentifier({ schema: mgf.algorithmParams });
    return digestByOid[inner.algorithmId]?.node ?? null;
  } catch {
    return null;
  }
}

function checkSignature(scheme: Scheme, data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  try {
    switch (scheme.kind) {
      case 'pkcs1':
        return cryptoVerify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'pss':
        return cryptoVerify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength ?? 20 }, signature);
      case 'ecdsa':
        return cryptoVerify(scheme.hash, data, { key, dsaEncoding: 'der' }, signature);
      case 'eddsa':
        return cryptoVerify(null, data, key, signature);
    }
  } catch {
    return false; // a malformed signature value is a signature that does not verify
  }
}

function findSignerCertificate(sid: unknown, certs: ParsedCertificate[]): ParsedCertificate | null {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certs.find((c) => sameName(c.pkijs.issuer, sid.issuer) && c.pkijs.serialNumber.isEqual(sid.serialNumber)) ?? null;
  }
  // subjectKeyIdentifier [0]: match the certificate's SKI extension.
  if (sid instanceof asn1js.BaseBlock) {
    const ski = sid.idBlock.isConstructed ? octetStringBytes(sid) : (sid.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView;
    const wanted = toHex(ski);
    return certs.find((c) => c.info.subjectKeyId === wanted) ?? null;
  }
  return null;
}

function signerInfo(cert: ParsedCertificate, chain: ParsedCertificate[], digestName: string, signatureName: string, signingTime: Date | null): SignerInfo {
  const i = cert.info;
  return {
    subject: i.subject,
    issuer: i.issuer,
    emails: i.emails,
    serialNumber: i.serialNumber,
    notBefore: i.notBefore,
    notAfter: i.notAfter,
    fingerprint: i.fingerprint,
    digestAlgorithm: digestName,
    signatureAlgorithm: signatureName,
    signingTime: signingTime ? signingTime.toISOString() : null,
    chain: chain.map((c) => ({ subject: c.info.subject, issuer: c.info.issuer, notBefore: c.info.notBefore, notAfter: c.info.notAfter, fingerprint: c.info.fingerprint })),
    certificateDer: Buffer.from(cert.der).toString('base64'),
  };
}
