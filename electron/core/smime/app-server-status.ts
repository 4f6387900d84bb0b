// RFC 9219 (JMAP S/MIME signature verification): a server advertising
// urn:ietf:params:jmap:smimeverify verifies signatures itself and reports the verdict as the
// Email properties smimeStatus and smimeErrors. Shown beside our own check, never instead of it.
import { z } from 'zod';
import type { JmapClient } from '../jmap/client';
import { capabilities } from '../jmap/session';

export const smimeVerifyCapability = 'urn:ietf:params:jmap:smimeverify';

const StatusGet = z.looseObject({
  list: z.array(
    z.looseObject({
      id: z.string(),
      smimeStatus: z.string().nullable().optional().catch(null),
      smimeErrors: z.array(z.string()).nullable().optional().catch(null),
    }),
  ),
});

export interface ServerSmimeStatus {
  status: string;
  errors: string[];
}

/** The server's verdict, or null when it offers no S/MIME verification or has none for this message. */
export async function serverSmimeStatus(client: JmapClient, jmapAccountId: string, emailId: string): Promise<ServerSmimeStatus | null> {
  if (!(smimeVerifyCapability in client.session.capabilities)) return null;
  const account = client.session.accounts[jmapAccountId];
  if (account && !(smimeVerifyCapability in account.accountCapabilities)) return null;
  const res = await client.call(
    'Email/get',
    { accountId: jmapAccountId, ids: [emailId], properties: ['id', 'smimeStatus', 'smimeErrors'] },
    StatusGet,
    [capabilities.mail, smimeVerifyCapability],
  );
  const email = res.list.find((e) => e.id === emailId);
  if (!email?.smimeStatus) return null;
  return { status: email.smimeStatus, errors: email.smimeErrors ?? [] };
}
