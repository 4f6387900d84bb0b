// What every calendar and contacts handler needs: the stores, the outbox, and a few lookups.
import { IpcError } from '../../../shared/errors';
import type { AccountService } from '../accounts/account-service';
import type { EventBus } from '../events';
import type { Db } from '../store/db';
import type { IdentityStore } from '../store/identities';
import type { Outbox, OutboxAction } from '../sync/outbox';
import type { SyncScheduler } from '../sync/scheduler';
import { dialectFor, type PimDialect } from './dialects';
import { pendingPimIds, resolvePimId, type PimAction } from './pim-outbox';
import type { PimStore } from './pim-store';

export interface PimHandlerDeps {
  db: Db;
  accounts: AccountService;
  outbox: Outbox;
  scheduler: SyncScheduler;
  events: EventBus;
  pim: PimStore;
  identities: IdentityStore;
}

export interface PimContext extends PimHandlerDeps {
  requireAccount(accountId: string): void;
  /** The server's dialect, from the account's (cached) session. */
  dialect(accountId: string): Promise<PimDialect>;
  /** Applies locally and queues; the server is told as soon as possible. Returns the outbox action id. */
  queue(accountId: string, action: PimAction): number;
  pending(accountId: string): Set<string>;
  /** An id the renderer holds, resolved past a server-assigned replacement. */
  resolve(accountId: string, id: string): string;
  /** The user's own addresses on this account, lower-cased. */
  myAddresses(accountId: string): Set<string>;
}

/** The account's own address and its identities', lower-cased: who "me" is in an invitation or event. */
export function ownAddresses(accounts: Pick<AccountService, 'list'>, identities: Pick<IdentityStore, 'list'>, accountId: string): Set<string> {
  const own = accounts.list().find((a) => a.id === accountId)?.email;
  return new Set([own, ...identities.list(accountId).map((i) => i.email)].filter((x): x is string => !!x).map((x) => x.toLowerCase()));
}

export function pimContext(deps: PimHandlerDeps): PimContext {
  const { accounts, outbox, scheduler, events, db, identities } = deps;
  return {
    ...deps,
    requireAccount(accountId) {
      if (!accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
    },
    async dialect(accountId) {
      const { client } = await accounts.clientFor(accountId);
      return dialectFor(client.session);
    },
    queue(accountId, action) {
      const actionId = outbox.enqueue(accountId, action as OutboxAction);
      events.emit('outbox.changed', { accountId });
      scheduler.syncNow(accountId);
      return actionId;
    },
    pending: (accountId) => pendingPimIds(db, accountId),
    resolve: (accountId, id) => resolvePimId(db, accountId, id),
    myAddresses: (accountId) => ownAddresses(accounts, identities, accountId),
  };
}
