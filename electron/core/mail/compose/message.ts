// Turns what the composer holds into an RFC 8621 Email to create: sanitized HTML with a
// text/plain alternative (or plain text alone), threading headers, attachments by blobId.
import { randomUUID } from 'node:crypto';
import type { ComposeDraft } from '../../../../shared/contract';
import { htmlToText, sanitizeHtml } from './html';
import { dedupe, type Addr } from './quote';

export interface BuildOptions {
  mailboxId: string;
  messageId: string;
  /**
   * Whether Bcc goes into the message itself. Only for drafts: Cyrus 3.6 sends the header as
   * given, so a sent message must never carry it; its recipients travel in the envelope alone.
   */
  includeBcc: boolean;
}

/** A Message-ID (without angle brackets) at the sender's domain. */
export function newMessageId(fromEmail: string): string {
  const domain = /@([A-Za-z0-9.-]+)$/.exec(fromEmail.trim())?.[1] ?? 'meridian.invalid';
  return `${randomUUID()}@${domain}`;
}

/** The bodies as sent: the HTML is sanitized here whatever the renderer did. */
export function bodies(draft: Pick<ComposeDraft, 'html' | 'text'>): { text: string; html: string | null } {
  if (draft.html === null) return { text: draft.text, html: null };
  const html = sanitizeHtml(draft.html);
  return { text: htmlToText(html), html };
}

export function buildEmail(draft: ComposeDraft, from: Addr, opts: BuildOptions): Record<string, unknown> {
  const { text, html } = bodies(draft);
  const email: Record<string, unknown> = {
    mailboxIds: { [opts.mailboxId]: true },
    keywords: { $draft: true, $seen: true },
    from: [from],
    to: dedupe(draft.to),
    cc: dedupe(draft.cc),
    subject: draft.subject,
    messageId: [opts.messageId],
    bodyValues: html === null ? { text: { value: text } } : { text: { value: text }, html: { value: html } },
    textBody: [{ partId: 'text', type: 'text/plain' }],
    ...(html === null ? {} : { htmlBody: [{ partId: 'html', type: 'text/html' }] }),
    attachments: draft.attachments.map((a) => ({ blobId: a.blobId, type: a.type, name: a.name, disposition: 'attachment' })),
  };
  if (opts.includeBcc && draft.bcc.length) email.bcc = dedupe(draft.bcc);
  if (draft.inReplyTo.length) email.inReplyTo = draft.inReplyTo;
  if (draft.references.length) email.references = draft.references;
  return email;
}

/** Every recipient once, Bcc included: the SMTP envelope (RFC 8621 §7). */
export function envelope(draft: ComposeDraft, from: Addr): { mailFrom: { email: string }; rcptTo: { email: string }[] } {
  return {
    mailFrom: { email: from.email },
    rcptTo: dedupe([...draft.to, ...draft.cc, ...draft.bcc]).map((a) => ({ email: a.email })),
  };
}
