// The JMAP Session resource (RFC 8620 §2): validated, with its URLs resolved against the
// URL it was fetched from, since servers such as Cyrus advertise relative ones.
import { z } from 'zod';
import { JmapProtocolError } from './errors';

export const capabilities = {
  core: 'urn:ietf:params:jmap:core',
  mail: 'urn:ietf:params:jmap:mail',
  submission: 'urn:ietf:params:jmap:submission',
} as const;

const uint = z.number().int().nonnegative();

const CoreCapability = z.looseObject({
  maxSizeUpload: uint,
  maxConcurrentUpload: uint,
  maxSizeRequest: uint,
  maxConcurrentRequests: uint,
  maxCallsInRequest: uint,
  maxObjectsInGet: uint,
  maxObjectsInSet: uint,
  collationAlgorithms: z.array(z.string()).optional(),
});

const SessionSchema = z.looseObject({
  capabilities: z.record(z.string(), z.unknown()),
  accounts: z.record(
    z.string(),
    z.looseObject({
      name: z.string(),
      isPersonal: z.boolean(),
      isReadOnly: z.boolean(),
      accountCapabilities: z.record(z.string(), z.unknown()),
    }),
  ),
  primaryAccounts: z.record(z.string(), z.string()),
  username: z.string(),
  apiUrl: z.string().min(1),
  downloadUrl: z.string().min(1),
  uploadUrl: z.string().min(1),
  eventSourceUrl: z.string().optional(),
  state: z.string(),
});

export type CoreLimits = z.output<typeof CoreCapability>;

export interface JmapSession {
  /** Where this session was fetched from; relative URLs are resolved against it. */
  sessionUrl: string;
  apiUrl: string;
  downloadUrl: string;
  uploadUrl: string;
  eventSourceUrl: string | null;
  username: string;
  state: string;
  capabilities: Record<string, unknown>;
  accounts: z.output<typeof SessionSchema>['accounts'];
  primaryAccounts: Record<string, string>;
  limits: CoreLimits;
  /** The server's document as received, for caching; re-validated when loaded. */
  raw: unknown;
}

/** Validates untrusted session JSON. Throws JmapProtocolError naming the first problem. */
export function parseSession(json: unknown, sessionUrl: string): JmapSession {
  const parsed = SessionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JmapProtocolError(`Not a JMAP session: ${issue ? `${issue.path.join('.') || 'document'}: ${issue.message}` : 'invalid'}`);
  }
  const s = parsed.data;
  const core = CoreCapability.safeParse(s.capabilities[capabilities.core]);
  if (!core.success) throw new JmapProtocolError('Not a JMAP session: the core capability and its limits are missing.');
  return {
    sessionUrl,
    apiUrl: resolveUrl(s.apiUrl, sessionUrl),
    downloadUrl: resolveUrl(s.downloadUrl, sessionUrl),
    uploadUrl: resolveUrl(s.uploadUrl, sessionUrl),
    eventSourceUrl: s.eventSourceUrl ? resolveUrl(s.eventSourceUrl, sessionUrl) : null,
    username: s.username,
    state: s.state,
    capabilities: s.capabilities,
    accounts: s.accounts,
    primaryAccounts: s.primaryAccounts,
    limits: core.data,
    raw: json,
  };
}

/**
 * Resolves a possibly relative URL or RFC 6570 URL template against the session URL.
 * WHATWG URL parsing percent-encodes the template's braces, so they are put back.
 */
export function resolveUrl(urlOrTemplate: string, base: string): string {
  let resolved: URL;
  try {
    resolved = new URL(urlOrTemplate, base);
  } catch {
    throw new JmapProtocolError(`The session names an invalid URL: ${urlOrTemplate.slice(0, 200)}`);
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') {
    throw new JmapProtocolError(`The session names a non-HTTP URL: ${resolved.protocol}`);
  }
  return resolved.href.replace(/%7B([A-Za-z0-9_]+)%7D/g, '{$1}');
}

/** Expands the {name} variables of a session URL template (RFC 6570 level 1). */
export function expandTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => encodeURIComponent(vars[name] ?? ''));
}

/** The account id that holds the user's mail, per primaryAccounts. */
export function primaryMailAccount(session: JmapSession): string | null {
  const id = session.primaryAccounts[capabilities.mail];
  return id && session.accounts[id] ? id : null;
}
