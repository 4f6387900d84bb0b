// The outbox's 'send' for a draft with S/MIME on: the composer's draft (attachments as blobs
// already uploaded) becomes compose-smime's draft (attachments as bytes), sent through
// sendSmimeMessage with the keystore's keys and the same exactly-once Message-ID. A missing key
// or certificate at send time is a refusal (the send fails with the reason), not a retry.
import type { JmapClient } from '../jmap/client';
import { JmapError } from '../jmap/errors';
import type { SendAction } from '../mail/compose/send';
import { sendSmimeMessage, SmimeSendError, type SmimeAttachment, type SmimeSendAction } from './compose-smime';
import { keysFromKeystore } from './key-provider';
import type { SmimeKeystore } from './keystore';

/** The most one attachment may be here (the message is built in memory). */
const maxAttachmentBytes = 100 * 1024 * 1024;

export type SmimeSender = (client: JmapClient, accountId: string, action: SendAction, isRetry: boolean) => Promise<{ problems: string[]; createdDraftId: string | null }>;

export function isSmimeSend(action: SendAction): boolean {
  return !!(action.draft.smime?.sign || action.draft.smime?.encrypt);
}

export function smimeSender(keystore: SmimeKeystore): SmimeSender {
  return async (client, accountId, action, isRetry) => {
    const attachments: SmimeAttachment[] = [];
    for (const a of action.draft.attachments) {
      attachments.push({ name: a.name, type: a.type, data: await client.download(accountId, a.blobId, a.name || 'attachment', a.type, maxAttachmentBytes) });
    }
    const { draft } = action;
    const smimeAction: SmimeSendAction = {
      kind: 'send-smime',
      draft: { to: draft.to, cc: draft.cc, bcc: draft.bcc, subject: draft.subject, html: draft.html, text: draft.text, inReplyTo: draft.inReplyTo, references: draft.references, attachments },
      from: action.from,
      identityId: action.identityId,
      messageId: action.messageId,
      draftId: action.draftId,
      draftsMailboxId: action.draftsMailboxId,
      sentMailboxId: action.sentMailboxId,
      sign: draft.smime.sign,
      encrypt: draft.smime.encrypt,
    };
    try {
      return await sendSmimeMessage(client, accountId, smimeAction, isRetry, keysFromKeystore(keystore));
    } catch (err) {
      // Transport trouble is retried by the outbox; anything else (no key, a key the keychain
      // cannot unlock, a certificate that cannot be used) will not mend by itself.
      if (err instanceof JmapError) throw err;
      const message = err instanceof SmimeSendError ? err.message : `S/MIME: ${(err as Error).message}`;
      return { problems: [message], createdDraftId: null };
    }
  };
}
