// Calendar and contacts requests: calendars and events, address books and contacts, and
// invitations that arrive by mail. Edits go through the outbox (see pim/pim-outbox.ts).
//
// Ids of objects created here: a new event or contact gets a local id (returned by *.save) until
// the server names it. If the server picks a different id, the local row is renamed and the old
// id stays resolvable: events.get / contacts.get / *.save / *.delete with the old id act on the
// object and answer with its new id; lists and `calendars.changed` / `contacts.changed` show it.
import type { pimRequests } from '../../shared/pim-contract';
import type { Handlers } from './dispatch';
import { invitationHandlers } from './pim/invitations';
import { pimContext, type PimHandlerDeps } from './pim/pim-context';
import { contactHandlers } from './pim/pim-contact-handlers';
import { eventHandlers } from './pim/pim-event-handlers';

type PimName = keyof typeof pimRequests;
export type PimHandlers = Pick<Handlers, PimName>;
export type { PimHandlerDeps };

export function pimHandlers(deps: PimHandlerDeps): PimHandlers {
  const ctx = pimContext(deps);
  return { ...eventHandlers(ctx), ...contactHandlers(ctx), ...invitationHandlers(ctx) };
}
