// Sending a signed and/or encrypted message. The server cannot build S/MIME for us, so the whole
// RFC 5322 message is built here (nodemailer's MIME builder), uploaded as a blob, imported into
// Drafts, and submitted, import and submission in one request ("#draft" back-reference).
//
// Exactly-once follows send.ts (read its header): the Message-ID is chosen before the first
// attempt and a retry first looks for an earlier attempt with that Message-ID. A retry builds
// the message anew (new signature time, new content key): only the Message-ID must be stable.
//
// Layers (RFC 8551 §3.6, sign then encrypt):
//   signed:    multipart/signed { content entity, application/pkcs7-signature }
//   encrypted: application/pkcs7-mime; smime-type=enveloped-data  ← content entity
//   both:      application/pkcs7-mime ← multipart/signed { … }
//
// Bcc: never in the headers; Bcc recipients travel in the envelope only. When encrypting, they
// get the same message, so its RecipientInfos (issuer and serial of each certificate) show a
// To/Cc reader that someone else's key was included. Separate per-Bcc messages would hide it
// but need several submissions per send, which the one-request exactly-once design avoids.
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import { z } from 'zod';
import type { ComposeDraft } from '../../../shared/contract';
import type { CallHandle, JmapClient } from '../jmap/client';
import { bodies } from '../mail/compose/message';
import { findEarlierAttempt, reasons, SetResponse, submissionUsing } from '../mail/compose/send';
import { dedupe, type Addr } from '../mail/compose/quote';
import { encryptContent, EncryptionRecipientError, smimeTypeFor, type EncryptOptions, type EncryptRecipient } from './encrypt';
import { canonicalizeEntity, multipartSignedType, signDetached, type DetachedSignature, type SignerIdentity, type SignOptions } from './sign';

export interface SmimeAttachment {
  name: string;
  type: string;
  data: Buffer;
}

export interface SmimeDraft {
  to: Addr[];
  cc: Addr[];
  bcc: Addr[];
  subject: string;
  /** Rich text (sanitized here again), or null for plain text in `text`. */
  html: string | null;
  text: string;
  /** Message-IDs without angle brackets. */
  inReplyTo: string[];
  references: string[];
  attachments: SmimeAttachment[];
}

export interface SmimeSendAction {
  kind: 'send-smime';
  draft: SmimeDraft;
  from: Addr;
  identityId: string;
  /** Chosen before the first attempt; how a retry recognises an earlier one (no brackets). */
  messageId: string;
  /** The saved draft this replaces, destroyed in the same request; null if never saved. */
  draftId: string | null;
  draftsMailboxId: string;
  sentMailboxId: string | null;
  sign: boolean;
  encrypt: boolean;
}

/** Where keys come from (the keystore in the app, plain values in tests). */
export interface SmimeKeys {
  /** The sender's identity for signing; null when there is none. */
  signer(email: string): Promise<SignerIdentity | null>;
  /** A recipient's certificate (and what is known of their capabilities); null when unknown. */
  recipient(email: string): EncryptRecipient | null;
}

export interface SmimeSendOptions {
  sign?: SignOptions;
  encrypt?: EncryptOptions;
  date?: Date;
}

export class SmimeSendError extends Error {
  constructor(message: string, readonly emails: string[] = []) {
    super(message);
    this.name = 'SmimeSendError';
  }
}

const using = submissionUsing;

export interface SmimeSendResult {
  /** The server's reasons for refusing; none = sent. */
  problems: string[];
  /** An email created by this attempt that was not submitted: it is now the draft. */
  createdDraftId: string | null;
}

/**
 * The composer's draft with its attachments fetched: they were uploaded as blobs for a plain
 * send, but an S/MIME message must carry their bytes inside the signature or envelope.
 */
export async function smimeDraftFrom(
  client: JmapClient,
  accountId: string,
  draft: Pick<ComposeDraft, 'to' | 'cc' | 'bcc' | 'subject' | 'html' | 'text' | 'inReplyTo' | 'references' | 'attachments'>,
): Promise<SmimeDraft> {
  const limit = client.session.limits.maxSizeUpload > 0 ? client.session.limits.maxSizeUpload : 50 * 1024 * 1024;
  const attachments = await Promise.all(
    draft.attachments.map(async (a) => ({ name: a.name, type: a.type, data: await client.download(accountId, a.blobId, a.name || 'attachment', a.type, limit) })),
  );
  const { to, cc, bcc, subject, html, text, inReplyTo, references } = draft;
  return { to, cc, bcc, subject, html, text, inReplyTo, references, attachments };
}

/** Every envelope recipient once (Bcc included), in order. */
export function allRecipients(draft: SmimeDraft): Addr[] {
  return dedupe([...draft.to, ...draft.cc, ...draft.bcc]);
}

/**
 * The certificates to encrypt to: every recipient and the sender (to read the Sent copy).
 * Throws, naming all of them, when any has no certificate.
 */
export function encryptionRecipients(draft: SmimeDraft, from: Addr, keys: SmimeKeys): EncryptRecipient[] {
  const people = dedupe([...allRecipients(draft), from]);
  const found = people.map((p) => ({ p, r: keys.recipient(p.email.toLowerCase()) }));
  const missing = found.filter((f) => !f.r).map((f) => f.p.email);
  if (missing.length) {
    const isSender = (e: string) => e.toLowerCase() === from.email.toLowerCase();
    const names = missing.map((e) => (isSender(e) ? `${e} (you)` : e));
    throw new SmimeSendError(`Cannot encrypt: no certificate for ${names.join(', ')}.`, missing);
  }
  return found.map((f) => f.r!);
}

/** Builds the complete message (RFC 5322, CRLF) to upload. Bcc never appears in it. */
export async function buildSmimeMessage(action: SmimeSendAction, keys: SmimeKeys, opts: SmimeSendOptions = {}): Promise<Buffer> {
  const { draft, from } = action;
  if (!action.sign && !action.encrypt) throw new SmimeSendError('Neither signing nor encryption was asked for.');
  // Everything that can fail for want of keys fails before anything is built or sent.
  const recipients = action.encrypt ? encryptionRecipients(draft, from, keys) : [];
  const signer = action.sign ? await keys.signer(from.email.toLowerCase()) : null;
  if (action.sign && !signer) throw new SmimeSendError(`Cannot sign: there is no certificate with a private key for ${from.email}.`, [from.email]);

  let entity = await contentEntity(draft);
  let signedParts: { inner: Buffer; signature: DetachedSignature } | null = null;
  if (signer) {
    signedParts = { inner: entity, signature: signDetached(entity, signer, opts.sign) };
    if (action.encrypt) entity = keptIntact(entityOf(await signedNode(signedParts).build()), signedParts.inner);
  }
  let root: MimeNode;
  if (action.encrypt) {
    let encrypted: ReturnType<typeof encryptContent>;
    try {
      encrypted = encryptContent(entity, recipients, opts.encrypt);
    } catch (err) {
      if (err instanceof EncryptionRecipientError) throw new SmimeSendError(`Cannot encrypt: ${err.message}`, err.emails);
      throw err;
    }
    root = new MimeNode(`application/pkcs7-mime; smime-type=${smimeTypeFor(encrypted.cipher)}; name=smime.p7m`, { newline: 'win' });
    root.setHeader('Content-Transfer-Encoding', 'base64');
    root.setHeader('Content-Disposition', 'attachment; filename=smime.p7m');
    root.setContent(encrypted.der);
  } else {
    root = signedNode(signedParts!);
  }
  setMessageHeaders(root, action, opts.date ?? new Date());
  const message = Buffer.from(await root.build());
  return signedParts && !action.encrypt ? keptIntact(message, signedParts.inner) : message;
}

/** The bytes signed must be the bytes sent: checks the builder kept them, as the first part, untouched. */
function keptIntact(built: Buffer, signed: Buffer): Buffer {
  if (built.indexOf(Buffer.concat([Buffer.from('\r\n'), signed, Buffer.from('\r\n--')])) < 0) {
    throw new SmimeSendError('The signed content was altered while building the message.');
  }
  return built;
}

/** The body (text, html, attachments) as a canonical MIME entity: Content-* headers only. */
async function contentEntity(draft: SmimeDraft): Promise<Buffer> {
  const { text, html } = bodies(draft);
  const composer = new MailComposer({
    text,
    ...(html === null ? {} : { html }),
    attachments: draft.attachments.map((a) => ({ filename: a.name, contentType: a.type, content: a.data, contentDisposition: 'attachment' })),
    newline: 'win',
    // Quoted-printable for every text part keeps the signed bytes 7-bit and protects trailing
    // spaces, which transports may strip from 7bit lines (RFC 8551 §3.1.1).
    encoding: 'quoted-printable',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return canonicalizeEntity(entityOf(await composer.compile().build()));
}

function signedNode(parts: { inner: Buffer; signature: DetachedSignature }): MimeNode {
  const node = new MimeNode(multipartSignedType(parts.signature.micalg), { newline: 'win' });
  // The first part goes in raw: the builder emits it unchanged, followed by CRLF--boundary.
  node.createChild(false).setRaw(parts.inner);
  const sig = node.createChild('application/pkcs7-signature; name=smime.p7s');
  sig.setHeader('Content-Transfer-Encoding', 'base64');
  sig.setHeader('Content-Disposition', 'attachment; filename=smime.p7s');
  sig.setContent(parts.signature.der);
  return node;
}

function setMessageHeaders(root: MimeNode, action: SmimeSendAction, date: Date): void {
  const { draft, from } = action;
  const addr = (a: Addr) => ({ name: a.name ?? '', address: a.email });
  root.setHeader('From', addr(from));
  const to = dedupe(draft.to);
  const cc = dedupe(draft.cc);
  if (to.length) root.setHeader('To', to.map(addr));
  if (cc.length) root.setHeader('Cc', cc.map(addr));
  root.setHeader('Subject', draft.subject);
  root.setHeader('Date', date.toUTCString().replace(/GMT/, '+0000'));
  root.setHeader('Message-ID', `<${action.messageId}>`);
  if (draft.inReplyTo.length) root.setHeader('In-Reply-To', draft.inReplyTo.map((id) => `<${id}>`).join(' '));
  if (draft.references.length) root.setHeader('References', draft.references);
}

/**
 * A built node as a MIME entity: only its Content-* headers (the builder adds Date,
 * Message-ID and MIME-Version to any root node; inside S/MIME they do not belong).
 */
function entityOf(built: Buffer): Buffer {
  const text = built.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new SmimeSendError('The MIME builder produced a part without a body.');
  const fields: string[] = [];
  for (const line of text.slice(0, end).split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  const kept = fields.filter((f) => /^content-/i.test(f));
  return Buffer.from(`${kept.join('\r\n')}\r\n${text.slice(end + 2)}`, 'latin1');
}

/** Sends a signed and/or encrypted message once, mirroring sendMessage in send.ts. */
export async function sendSmimeMessage(
  client: JmapClient,
  accountId: string,
  action: SmimeSendAction,
  isRetry: boolean,
  keys: SmimeKeys,
  opts: SmimeSendOptions = {},
): Promise<SmimeSendResult> {
  let existing: string | null = null;
  if (isRetry) {
    const earlier = await findEarlierAttempt(client, accountId, action.messageId);
    if (earlier === 'sent') {
      await dropSavedDraft(client, accountId, action.draftId);
      return { problems: [], createdDraftId: null };
    }
    existing = earlier;
  }
  const batch = client.batch(using);
  let imported: CallHandle<z.output<typeof SetResponse>> | null = null;
  if (!existing) {
    const message = await buildSmimeMessage(action, keys, opts);
    const blob = await client.upload(accountId, message, 'message/rfc822');
    imported = batch.call(
      'Email/import',
      { accountId, emails: { draft: { blobId: blob.blobId, mailboxIds: { [action.draftsMailboxId]: true }, keywords: { $draft: true, $seen: true } } } },
      SetResponse,
    );
  }
  const sentPatch: Record<string, unknown> = { 'keywords/$draft': null };
  if (action.sentMailboxId && action.sentMailboxId !== action.draftsMailboxId) {
    sentPatch[`mailboxIds/${action.draftsMailboxId}`] = null;
    sentPatch[`mailboxIds/${action.sentMailboxId}`] = true;
  }
  const envelope = {
    mailFrom: { email: action.from.email },
    rcptTo: allRecipients(action.draft).map((a) => ({ email: a.email })),
  };
  const submitted = batch.call(
    'EmailSubmission/set',
    { accountId, create: { send: { identityId: action.identityId, emailId: existing ?? '#draft', envelope } }, onSuccessUpdateEmail: { '#send': sentPatch } },
    SetResponse,
  );
  const result = await batch.send();
  let createdId = existing;
  if (imported) {
    const res = result.get(imported);
    createdId = res.created?.draft?.id ?? null;
    if (!createdId) return { problems: reasons(res.notCreated), createdDraftId: null };
  }
  const sub = result.get(submitted);
  if (!sub.created?.send) return { problems: reasons(sub.notCreated), createdDraftId: createdId };
  if (action.draftId !== existing) await dropSavedDraft(client, accountId, action.draftId);
  return { problems: [], createdDraftId: null };
}

/**
 * Destroys the saved draft once the message is sent. Unlike send.ts (where the destroy rides
 * with the create), this waits for success: the upload and import can fail in more ways, and
 * a failed send must not take the user's saved draft with it. Best effort: a leftover draft
 * is harmless, a resend is not.
 */
async function dropSavedDraft(client: JmapClient, accountId: string, draftId: string | null): Promise<void> {
  if (!draftId) return;
  await client.call('Email/set', { accountId, destroy: [draftId] }).catch(() => {});
}

