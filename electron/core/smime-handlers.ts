// S/MIME requests: per-message status and opened content, certificates, composer defaults.
// The work is SmimeService's; this maps the contract onto it.
import { IpcError } from '../../shared/errors';
import { smimeRequests } from '../../shared/smime-contract';
import type { Handlers } from './dispatch';
import type { SmimeService } from './smime-service';

type SmimeName = keyof typeof smimeRequests;
export type SmimeHandlers = Pick<Handlers, SmimeName>;

export interface SmimeHandlerDeps {
  smime: SmimeService;
  /** Whether the account has this identity (defaults are per identity). */
  hasIdentity(accountId: string, identityId: string): boolean;
}

export function smimeHandlers(deps: SmimeHandlerDeps): SmimeHandlers {
  const { smime } = deps;
  const bytes = (base64: string) => Buffer.from(base64.replace(/\s+/g, ''), 'base64');
  const requireIdentity = (accountId: string, identityId: string) => {
    if (!deps.hasIdentity(accountId, identityId)) throw new IpcError({ code: 'not-found', message: 'No such identity for this account.' });
  };
  return {
    'smime.status': async ({ accountId, emailId, recheck }) => smime.status(accountId, emailId, recheck),
    'smime.content': async ({ accountId, emailId }) => smime.content(accountId, emailId),
    'smime.decryptedAttachment': async ({ accountId, emailId, index }) => smime.attachment(accountId, emailId, index),
    'smime.certificates': async () => smime.certificates(),
    'smime.importPkcs12': async ({ base64, password }) => smime.importPkcs12(bytes(base64), password),
    'smime.importCertificates': async ({ base64, kind }) => smime.importCertificates(bytes(base64), kind),
    'smime.exportCertificate': async ({ fingerprint, format }) => smime.exportCertificate(fingerprint, format),
    'smime.deleteCertificate': async ({ fingerprint }) => ({ deleted: smime.deleteCertificate(fingerprint) }),
    'smime.missingCertificates': async ({ addresses }) => smime.missingCertificates(addresses),
    'smime.canSign': async ({ email }) => ({ canSign: smime.canSign(email) }),
    'smime.defaults': async ({ accountId, identityId }) => {
      requireIdentity(accountId, identityId);
      return smime.defaults(accountId, identityId);
    },
    'smime.setDefaults': async ({ accountId, identityId, defaults }) => {
      requireIdentity(accountId, identityId);
      return smime.setDefaults(accountId, identityId, defaults);
    },
  };
}
