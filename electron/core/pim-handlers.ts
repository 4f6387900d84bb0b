// Calendar and contacts requests. (Being built: every handler still answers "not built yet".)
import { IpcError } from '../../shared/errors';
import { pimRequests } from '../../shared/pim-contract';
import type { Handlers } from './dispatch';

type PimName = keyof typeof pimRequests;
export type PimHandlers = Pick<Handlers, PimName>;

export function pimHandlers(): PimHandlers {
  const notYet = async (): Promise<never> => {
    throw new IpcError({ code: 'internal', message: 'Calendars and contacts are not available in this build yet.' });
  };
  return Object.fromEntries(Object.keys(pimRequests).map((name) => [name, notYet])) as unknown as PimHandlers;
}
