// The outbox's 'send' for a draft with S/MIME on: the composer's draft (attachments as blobs
// already uploaded) becomes compose-smime's draft (smimeDraftFrom fetches the bytes), sent
// through sendSmimeMessage with the keystore's keys and the same exactly-once Message-ID. A
// missing key or certificate at send time is a refusal (the send fails with the reason), not a
// retry.
import type { JmapClient } from '../jmap/client';
import { JmapError, JmapHttpError, JmapLimitError } from '../jmap/errors';
import type { SendAction } from '../mail/compose/send';
import { sendSmimeMessage, smimeDraftFrom, SmimeSendError, type SmimeSendAction } from './compose-smime';
import { keysFromKeystore } from './key-provider';
import type { SmimeKeystore } from './keystore';

export type SmimeSender = (client: JmapClient, accountId: string, action: SendAction, isRetry: boolean) => Promise<{ problems: string[]; createdDraftId: string | null }>;

export function isSmimeSend(action: SendAction): boolean {
  return !!(action.draft.smime?.sign || action.draft.smime?.encrypt);
}

export function smimeSender(keystore: SmimeKeystore): SmimeSender {
  return async (client, accountId, action, isRetry) => {
    try {
      const smimeAction: SmimeSendAction = {
        kind: 'send-smime',
        draft: await smimeDraftFrom(client, accountId, action.draft),
        from: action.from,
        identityId: action.identityId,
        messageId: action.messageId,
        draftId: action.draftId,
        draftsMailboxId: action.draftsMailboxId,
        sentMailboxId: action.sentMailboxId,
        sign: action.draft.smime.sign,
        encrypt: action.draft.smime.encrypt,
      };
      return await sendSmimeMessage(client, accountId, smimeAction, isRetry, keysFromKeystore(keystore));
    } catch (err) {
      // Transport trouble is retried by the outbox; anything else (no key, a key the keychain
      // cannot unlock, an attachment gone or too large) will not mend by itself.
      if (err instanceof JmapError && !isPermanent(err)) throw err;
      const message = err instanceof SmimeSendError ? err.message : `S/MIME: ${(err as Error).message}`;
      return { problems: [message], createdDraftId: null };
    }
  };
}

/** An attachment's blob that is gone (404/410) or over the limit stays that way. */
function isPermanent(err: JmapError): boolean {
  return err instanceof JmapLimitError || (err instanceof JmapHttpError && (err.status === 404 || err.status === 410));
}
