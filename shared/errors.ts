// Errors that cross the IPC boundary: plain data with a code the UI can act on.
export const ipcErrorCodes = [
  'bad-message', // the frame was not a request at all
  'unknown-method',
  'invalid-params',
  'payload-too-large',
  'not-found',
  'already-exists',
  'auth-failed', // the server rejected the credentials
  'server-unreachable', // network failure, DNS, TLS, timeout
  'discovery-failed', // reached something, but no JMAP session there
  'jmap-error', // the server answered with a JMAP error
  'secret-store', // the keychain refused
  'internal',
] as const;
export type IpcErrorCode = (typeof ipcErrorCodes)[number];

export interface IpcErrorData {
  code: IpcErrorCode;
  message: string;
  /** Field-level problems for invalid-params, e.g. [{ path: 'email', message: '…' }]. */
  issues?: { path: string; message: string }[];
}

export class IpcError extends Error implements IpcErrorData {
  readonly code: IpcErrorCode;
  readonly issues?: { path: string; message: string }[];
  constructor(data: IpcErrorData) {
    super(data.message);
    this.name = 'IpcError';
    this.code = data.code;
    if (data.issues) this.issues = data.issues;
  }
  toData(): IpcErrorData {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcErrorData };
