// S/MIME encryption (RFC 8551 §3.3): the MIME entity encrypted once under a random AES-256
// key, that key given to every recipient (and the sender, to read their own Sent copy).
// AES-256-CBC in EnvelopedData by default, since most clients read only that; AES-256-GCM in
// AuthEnvelopedData (RFC 5083/5084) when every recipient is known to read it.
import { createCipheriv, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EncryptionRecipientError, recipientInfo, type EncryptRecipient } from './encrypt-recipients';
import { oid } from './sign-attributes';

export { EncryptionRecipientError, wantsOaep, type EncryptRecipient } from './encrypt-recipients';

export type ContentCipher = 'aes-256-cbc' | 'aes-256-gcm';

export interface EncryptOptions {
  /** Use GCM when every recipient reads it; otherwise CBC. Default false: CBC always. */
  preferGcm?: boolean;
}

/** GCM only when asked for and every recipient has said it reads GCM. */
export function chooseCipher(recipients: readonly EncryptRecipient[], opts: EncryptOptions = {}): ContentCipher {
  return opts.preferGcm && recipients.length > 0 && recipients.every((r) => r.gcm === true) ? 'aes-256-gcm' : 'aes-256-cbc';
}

/** The smime-type parameter for a result of encryptContent. */
export function smimeTypeFor(cipher: ContentCipher): string {
  return cipher === 'aes-256-gcm' ? 'authEnveloped-data' : 'enveloped-data';
}

/** Encrypts content (a canonical MIME entity) to every recipient; DER ContentInfo. */
export function encryptContent(content: Buffer, recipients: readonly EncryptRecipient[], opts: EncryptOptions = {}): { der: Buffer; cipher: ContentCipher } {
  if (!recipients.length) throw new EncryptionRecipientError('There is nobody to encrypt to.', []);
  const cipher = chooseCipher(recipients, opts);
  const cek = randomBytes(32);
  const failures: EncryptionRecipientError[] = [];
  const infos: pkijs.RecipientInfo[] = [];
  for (const r of recipients) {
    try {
      infos.push(recipientInfo(r, cek));
    } catch (err) {
      if (err instanceof EncryptionRecipientError) failures.push(err);
      else throw err;
    }
  }
  if (failures.length) throw new EncryptionRecipientError(failures.map((f) => f.message).join(' '), failures.flatMap((f) => f.emails));
  const der = cipher === 'aes-256-gcm' ? authEnveloped(content, cek, infos) : enveloped(content, cek, infos);
  cek.fill(0);
  return { der, cipher };
}

function enveloped(content: Buffer, cek: Buffer, infos: pkijs.RecipientInfo[]): Buffer {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', cek, iv);
  const encrypted = Buffer.concat([c.update(content), c.final()]);
  const data = new pkijs.EnvelopedData({
    // RFC 5652 §6.1: 0 when every RecipientInfo is version 0 (key transport by issuer/serial), else 2.
    version: infos.every((i) => i.variant === 1) ? 0 : 2,
    recipientInfos: infos,
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      disableSplit: true,
      contentType: oid.data,
      contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid.aes256Cbc, algorithmParams: new asn1js.OctetString({ valueHex: iv }) }),
      encryptedContent: new asn1js.OctetString({ valueHex: encrypted }),
    }),
  });
  return Buffer.from(new pkijs.ContentInfo({ contentType: oid.envelopedData, content: data.toSchema() }).toSchema().toBER(false));
}

/** AuthEnvelopedData (RFC 5083 §2.1) by hand: PKI.js has no class for it. No authAttrs, so no AAD. */
function authEnveloped(content: Buffer, cek: Buffer, infos: pkijs.RecipientInfo[]): Buffer {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', cek, nonce, { authTagLength: 16 });
  const encrypted = Buffer.concat([c.update(content), c.final()]);
  const tag = c.getAuthTag();
  const gcmParams = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: nonce }), new asn1js.Integer({ value: 16 })] });
  const eci = new pkijs.EncryptedContentInfo({
    disableSplit: true,
    contentType: oid.data,
    contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid.aes256Gcm, algorithmParams: gcmParams }),
    encryptedContent: new asn1js.OctetString({ valueHex: encrypted }),
  });
  const body = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Set({ value: infos.map((i) => i.toSchema()) }),
      eci.toSchema(),
      new asn1js.OctetString({ valueHex: tag }),
    ],
  });
  return Buffer.from(new pkijs.ContentInfo({ contentType: oid.authEnvelopedData, content: body }).toSchema().toBER(false));
}
