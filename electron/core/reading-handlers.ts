// Reading a message in depth: its whole conversation from the local copy, and its raw source
// from the server (fetched on demand: the blob id is not worth syncing for every email).
import { z } from 'zod';
import { IpcError } from '../../shared/errors';
import type { AccountService } from './accounts/account-service';
import type { Handlers } from './dispatch';
import { JmapLimitError } from './jmap/errors';
import type { EmailQueries } from './store/email-queries';

type ReadingHandlers = Pick<Handlers, 'emails.thread' | 'emails.source'>;

/** Largest raw message handed to the renderer. */
export const defaultMaxSourceBytes = 25 * 1024 * 1024;

export interface ReadingHandlerDeps {
  accounts: AccountService;
  queries: EmailQueries;
  maxSourceBytes?: number;
}

const BlobGet = z.looseObject({
  list: z.array(z.looseObject({ id: z.string(), blobId: z.string().min(1), size: z.number().int().nonnegative().catch(0) })),
});

export function readingHandlers(deps: ReadingHandlerDeps): ReadingHandlers {
  const { accounts, queries } = deps;
  const maxBytes = deps.maxSourceBytes ?? defaultMaxSourceBytes;
  const requireAccount = (accountId: string) => {
    if (!accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
  };

  return {
    'emails.thread': async ({ accountId, threadId }) => {
      requireAccount(accountId);
      return { items: queries.thread(accountId, threadId) };
    },
    'emails.source': async ({ accountId, emailId }) => {
      requireAccount(accountId);
      const data = await fetchRawMessage(deps, accountId, emailId, maxBytes);
      return { size: data.length, base64: data.toString('base64') };
    },
  };
}

/**
 * A message's raw RFC 5322 bytes from the server (the source view and S/MIME both need them).
 * Only a message this account has locally: the renderer cannot name arbitrary ids.
 */
export async function fetchRawMessage(
  deps: Pick<ReadingHandlerDeps, 'accounts' | 'queries'>,
  accountId: string,
  emailId: string,
  maxBytes = defaultMaxSourceBytes,
): Promise<Buffer> {
  const { accounts, queries } = deps;
  const tooLarge = (bytes: number) =>
    new IpcError({ code: 'payload-too-large', message: `This message is ${mb(bytes)}; its source can be shown up to ${mb(maxBytes)}.` });
  if (!queries.known(accountId, [emailId]).size) throw new IpcError({ code: 'not-found', message: 'This message is no longer here.' });
  const { client, jmapAccountId } = await accounts.clientFor(accountId);
  const got = await client.call('Email/get', { accountId: jmapAccountId, ids: [emailId], properties: ['id', 'blobId', 'size'] }, BlobGet);
  const email = got.list.find((e) => e.id === emailId);
  if (!email) throw new IpcError({ code: 'not-found', message: 'The server no longer has this message.' });
  if (email.size > maxBytes) throw tooLarge(email.size);
  try {
    return await client.download(jmapAccountId, email.blobId, 'message.eml', 'message/rfc822', maxBytes);
  } catch (err) {
    // The declared size can be wrong; the download enforces the cap on the real bytes.
    if (err instanceof JmapLimitError) throw tooLarge(email.size > maxBytes ? email.size : maxBytes + 1);
    throw err;
  }
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
