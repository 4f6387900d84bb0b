// The S/MIME part of the IPC contract: per-message signature and encryption status, the
// decrypted content of encrypted mail (in memory only), certificate management, and the
// per-identity signing/encryption defaults the composer reads.
import { z } from 'zod';

const id = z.string().min(1).max(256);
const iso = z.string().max(64);

export const ChainLinkView = z.object({ subject: z.string(), issuer: z.string(), notBefore: iso, notAfter: iso, fingerprint: z.string() });

export const SignerView = z.object({
  subject: z.string(),
  issuer: z.string(),
  emails: z.array(z.string()),
  serialNumber: z.string(),
  notBefore: iso,
  notAfter: iso,
  fingerprint: z.string(),
  digestAlgorithm: z.string(),
  signatureAlgorithm: z.string(),
  signingTime: iso.nullable(),
  /** Leaf → anchor. */
  chain: z.array(ChainLinkView),
});

/** A signature's verdict. Only 'valid' may be shown as trusted. */
export const SignatureView = z.discriminatedUnion('status', [
  z.object({ status: z.literal('valid'), signer: SignerView }),
  z.object({ status: z.literal('valid-but-untrusted'), reason: z.string(), signer: SignerView }),
  z.object({ status: z.literal('invalid'), problem: z.enum(['tampered', 'address-mismatch', 'expired']), detail: z.string(), signer: SignerView.optional() }),
  z.object({ status: z.literal('error'), message: z.string() }),
]);

export const DecryptionView = z.discriminatedUnion('status', [
  z.object({ status: z.literal('decrypted'), algorithm: z.string(), keyTransport: z.string(), recipientFingerprint: z.string() }),
  z.object({ status: z.literal('error'), message: z.string() }),
]);

export const SmimeLayerView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('signed'), form: z.enum(['detached', 'opaque']), result: SignatureView }),
  z.object({ kind: z.literal('encrypted'), form: z.enum(['enveloped', 'auth-enveloped']), result: DecryptionView }),
]);

export const SmimeStatusView = z.object({
  /** The least favourable signature layer, or null when nothing is signed. */
  signature: SignatureView.nullable(),
  encrypted: DecryptionView.nullable(),
  /** Outermost first. */
  layers: z.array(SmimeLayerView),
  /** RFC 9219: what the server said (smimeStatus), when it offers urn:ietf:params:jmap:smimeverify. */
  server: z.object({ status: z.string(), errors: z.array(z.string()) }).nullable(),
  checkedAt: z.number(),
});

export const DecryptedPartView = z.object({
  /** Index into the decrypted message's attachments, for smime.decryptedAttachment. */
  index: z.number().int(),
  name: z.string(),
  type: z.string(),
  size: z.number(),
  /** Content-ID without brackets for inline images, else null. */
  cid: z.string().nullable(),
  inline: z.boolean(),
});

/** What an encrypted (or opaque-signed) message holds once opened; never written to disk. */
export const DecryptedContentView = z.object({
  subject: z.string().nullable(),
  text: z.string().nullable(),
  /** Untrusted HTML: the renderer sanitizes it like any mail. */
  html: z.string().nullable(),
  attachments: z.array(DecryptedPartView),
});

export const CertificateView = z.object({
  fingerprint: z.string(),
  kind: z.enum(['own', 'ca', 'contact']),
  subject: z.string(),
  issuer: z.string(),
  emails: z.array(z.string()),
  notBefore: z.number(),
  notAfter: z.number(),
  hasPrivateKey: z.boolean(),
});

export const SmimeDefaults = z.object({ sign: z.boolean(), encrypt: z.boolean() });

const base64 = z.string().max(14_000_000).regex(/^[A-Za-z0-9+/=\s]*$/, 'must be base64');
const addresses = z.array(z.string().max(320)).max(1500);

export const smimeRequests = {
  /** The message's S/MIME status, checked on first ask and then cached; null when it is not S/MIME. */
  'smime.status': { params: z.object({ accountId: id, emailId: id, recheck: z.boolean().default(false) }).strict(), result: SmimeStatusView.nullable() },
  /** The inside of an encrypted or opaque-signed message, kept in memory only. */
  'smime.content': { params: z.object({ accountId: id, emailId: id }).strict(), result: DecryptedContentView },
  'smime.decryptedAttachment': {
    params: z.object({ accountId: id, emailId: id, index: z.number().int().min(0).max(10_000) }).strict(),
    result: z.object({ name: z.string(), type: z.string(), size: z.number(), base64: z.string() }),
  },
  'smime.certificates': { params: z.object({}).strict(), result: z.array(CertificateView) },
  /** A .p12/.pfx with its password: the user's own certificate and key (and its chain). */
  'smime.importPkcs12': { params: z.object({ base64, password: z.string().max(1024) }).strict(), result: z.array(CertificateView) },
  /** PEM or DER certificates: a CA to trust, or someone's certificate to encrypt to. */
  'smime.importCertificates': { params: z.object({ base64, kind: z.enum(['ca', 'contact']) }).strict(), result: z.array(CertificateView) },
  'smime.exportCertificate': {
    params: z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/), format: z.enum(['pem', 'der']) }).strict(),
    result: z.object({ filename: z.string(), type: z.string(), base64: z.string() }),
  },
  'smime.deleteCertificate': { params: z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/) }).strict(), result: z.object({ deleted: z.boolean() }) },
  /** Which of these recipients have no usable certificate (for the composer's encrypt toggle). */
  'smime.missingCertificates': { params: z.object({ addresses }).strict(), result: z.array(z.string()) },
  /** Whether the composer can sign as this address (an own certificate with its key exists). */
  'smime.canSign': { params: z.object({ email: z.string().max(320) }).strict(), result: z.object({ canSign: z.boolean() }) },
  'smime.defaults': { params: z.object({ accountId: id, identityId: id }).strict(), result: SmimeDefaults },
  'smime.setDefaults': { params: z.object({ accountId: id, identityId: id, defaults: SmimeDefaults }).strict(), result: SmimeDefaults },
} as const;

export type SignatureView = z.output<typeof SignatureView>;
export type SignerView = z.output<typeof SignerView>;
export type SmimeStatusView = z.output<typeof SmimeStatusView>;
export type DecryptedContentView = z.output<typeof DecryptedContentView>;
export type CertificateView = z.output<typeof CertificateView>;
export type SmimeDefaults = z.output<typeof SmimeDefaults>;
