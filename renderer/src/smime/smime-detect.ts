// Telling S/MIME mail from the synced message alone, so ordinary mail costs no extra request.
import type { AttachmentView, EmailDetail } from '../../../shared/contract';

/** The S/MIME wrapping parts (smime.p7s, smime.p7m): shown as badges, not as attachments. */
export function isSmimePart(a: Pick<AttachmentView, 'type'>): boolean {
  return /^application\/(x-)?pkcs7-(mime|signature)$/i.test(a.type.trim());
}

export function looksSmime(detail: EmailDetail): boolean {
  return detail.attachments.some(isSmimePart);
}

/**
 * Encrypted (or opaque-signed) mail: the server sees only smime.p7m and no text of its own, so
 * the body shown is the one opened here.
 */
export function hasProtectedBody(detail: EmailDetail): boolean {
  const p7m = detail.attachments.some((a) => /^application\/(x-)?pkcs7-mime$/i.test(a.type.trim()));
  return p7m && !detail.body.text?.trim() && !detail.body.html?.trim();
}

/** Parts not listed as attachments: the signature file always, smime.p7m when its inside is shown. */
export function hiddenSmimePart(detail: EmailDetail, a: Pick<AttachmentView, 'type'>): boolean {
  if (/^application\/(x-)?pkcs7-signature$/i.test(a.type.trim())) return true;
  return isSmimePart(a) && hasProtectedBody(detail);
}
