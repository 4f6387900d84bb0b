// The one place requests land: checks the method name and validates params against the
// contract, runs the handler, and turns every failure into a typed error envelope.
import { isRequestName, requests, type RequestName, type Result, type ValidParams } from '../../shared/contract';
import { IpcError, type Envelope } from '../../shared/errors';
import { toIpcError } from './ipc-errors';

export type Handlers = { [M in RequestName]: (params: ValidParams<M>) => Promise<Result<M>> };

export type Dispatch = (method: unknown, params: unknown) => Promise<Envelope<unknown>>;

export function createDispatch(handlers: Handlers): Dispatch {
  return async (method, params) => {
    try {
      if (!isRequestName(method)) {
        throw new IpcError({ code: 'unknown-method', message: `unknown method: ${describe(method)}` });
      }
      const parsed = requests[method].params.safeParse(params ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new IpcError({
          code: 'invalid-params',
          message: `invalid params for ${method}: ` + issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '),
          issues,
        });
      }
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      return { ok: false, error: toIpcError(err).toData() };
    }
  };
}

function describe(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
