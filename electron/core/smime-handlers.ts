// S/MIME requests. (Being built: every handler still answers "not built yet".)
import { IpcError } from '../../shared/errors';
import { smimeRequests } from '../../shared/smime-contract';
import type { Handlers } from './dispatch';

type SmimeName = keyof typeof smimeRequests;
export type SmimeHandlers = Pick<Handlers, SmimeName>;

export function smimeHandlers(): SmimeHandlers {
  const notYet = async (): Promise<never> => {
    throw new IpcError({ code: 'internal', message: 'S/MIME is not available in this build yet.' });
  };
  return Object.fromEntries(Object.keys(smimeRequests).map((name) => [name, notYet])) as unknown as SmimeHandlers;
}
