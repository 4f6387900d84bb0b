// Words for S/MIME verdicts: one place, so the badge, the banner and the details agree.
import type { SignatureView, SmimeStatusView } from '../../../shared/smime-contract';

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

const problems: Record<'tampered' | 'address-mismatch' | 'expired', string> = {
  tampered: 'The message was changed after it was signed',
  'address-mismatch': 'The signature belongs to someone other than the sender',
  expired: 'The signing certificate was not valid when the message was signed',
};

export function signatureTone(s: SignatureView): Tone {
  return s.status === 'valid' ? 'ok' : s.status === 'valid-but-untrusted' ? 'warn' : 'bad';
}

export function signatureLabel(s: SignatureView): string {
  switch (s.status) {
    case 'valid':
      return 'Signed';
    case 'valid-but-untrusted':
      return 'Signed, not trusted';
    case 'invalid':
      return 'Invalid signature';
    case 'error':
      return 'Signature cannot be checked';
  }
}

/** What went wrong or right, in a few words (the banner's title). */
export function signatureHeadline(s: SignatureView): string {
  switch (s.status) {
    case 'valid':
      return 'Signed and verified';
    case 'valid-but-untrusted':
      return 'Signed, but the signer is not trusted';
    case 'invalid':
      return 'The signature is not valid';
    case 'error':
      return 'The signature could not be checked';
  }
}

/** The engine's own explanation (the line under the headline). */
export function signatureSummary(s: SignatureView): string {
  switch (s.status) {
    case 'valid':
      return `Signed by ${s.signer.emails[0] ?? s.signer.subject}, verified.`;
    case 'valid-but-untrusted':
      return s.reason;
    case 'invalid':
      // The engine's detail often says it already; the problem is named once either way.
      return s.detail.startsWith(problems[s.problem]) ? s.detail : `${problems[s.problem]}: ${s.detail}`;
    case 'error':
      return s.message;
  }
}

export function encryptionLabel(status: SmimeStatusView): string | null {
  if (!status.encrypted) return null;
  return status.encrypted.status === 'decrypted' ? 'Encrypted' : 'Cannot decrypt';
}

export function formatWhen(iso: string | null): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}
