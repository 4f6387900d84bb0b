// The typed outcomes of reading an S/MIME message. Everything here is plain JSON (strings,
// numbers, arrays) because results are cached in SQLite (smime_result.json) and sent over IPC.

/** One certificate of the path from the signer to the trust anchor. Dates are ISO 8601. */
export interface ChainLink {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
}

export interface SignerInfo {
  subject: string;
  issuer: string;
  /** rfc822Name SANs and the subject's emailAddress attribute, lower-cased, de-duplicated. */
  emails: string[];
  /** Lower-case hex, as printed by openssl. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
  /** 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512' */
  digestAlgorithm: string;
  /** 'RSA PKCS#1 v1.5' | 'RSA-PSS' | 'ECDSA P-256' | 'ECDSA P-384' | 'ECDSA P-521' | 'Ed25519' */
  signatureAlgorithm: string;
  /** The signingTime signed attribute, or null when the signer did not include one. */
  signingTime: string | null;
  /** Leaf → anchor (or as far as a path could be built when untrusted). */
  chain: ChainLink[];
  /** The signer's certificate (base64 DER), so the app can keep it for encrypting replies. */
  certificateDer?: string;
}

export type InvalidProblem = 'tampered' | 'address-mismatch' | 'expired';

export type SmimeResult =
  | { status: 'valid'; signer: SignerInfo }
  | { status: 'valid-but-untrusted'; reason: string; signer: SignerInfo }
  | { status: 'invalid'; problem: InvalidProblem; detail: string; signer?: SignerInfo }
  | { status: 'error'; message: string };

export type DecryptResult =
  /** algorithm: the content cipher ('AES-256-GCM', 'AES-128-CBC', '3DES-CBC'…); keyTransport: 'RSA-OAEP (SHA-256)' | 'RSA PKCS#1 v1.5'… */
  | { status: 'decrypted'; algorithm: string; keyTransport: string; recipientFingerprint: string }
  | { status: 'error'; message: string };

/** One S/MIME wrapping, outermost first in SmimeReadSummary.layers. */
export type SmimeLayer =
  | { kind: 'signed'; form: 'detached' | 'opaque'; result: SmimeResult }
  | { kind: 'encrypted'; form: 'enveloped' | 'auth-enveloped'; result: DecryptResult };

/** What may be cached and sent over IPC: statuses only, never the decrypted content. */
export interface SmimeReadSummary {
  /** The least favourable of the signature layers (null when nothing is signed). */
  signature: SmimeResult | null;
  /** The outermost encryption layer's outcome (null when nothing is encrypted). */
  encrypted: DecryptResult | null;
  layers: SmimeLayer[];
}

const rank: Record<SmimeResult['status'], number> = { error: 0, invalid: 1, 'valid-but-untrusted': 2, valid: 3 };

/** The less favourable of two signature results (errors and invalid signatures win). */
export function worseResult(a: SmimeResult, b: SmimeResult): SmimeResult {
  return rank[b.status] < rank[a.status] ? b : a;
}

/** The more favourable of two results (used across several SignerInfos of one SignedData). */
export function betterResult(a: SmimeResult, b: SmimeResult): SmimeResult {
  return rank[b.status] > rank[a.status] ? b : a;
}
