// Typed failures of the JMAP client. Each says what went wrong in words a user can act on.

export class JmapError extends Error {
  override name = 'JmapError';
}

/** The server rejected the credentials (HTTP 401/403). */
export class JmapAuthError extends JmapError {
  override name = 'JmapAuthError';
  constructor(readonly url: string, readonly status: number) {
    super(`The server at ${new URL(url).host} rejected the credentials (HTTP ${status}).`);
  }
}

/** No answer: DNS, refused connection, TLS, timeout. */
export class JmapNetworkError extends JmapError {
  override name = 'JmapNetworkError';
  constructor(readonly url: string, readonly reason: string) {
    super(`Could not reach ${safeOrigin(url)}: ${reason}`);
  }
}

/** An HTTP status the protocol does not explain (5xx, 429, an HTML 404 …). */
export class JmapHttpError extends JmapError {
  override name = 'JmapHttpError';
  constructor(readonly url: string, readonly status: number, readonly retryAfterMs: number | null = null) {
    super(`The server answered HTTP ${status} for ${safeOrigin(url)}${new URL(url).pathname}.`);
  }
}

/** A request-level error (RFC 8620 §3.6.1), e.g. unknownCapability or limit. */
export class JmapRequestError extends JmapError {
  override name = 'JmapRequestError';
  constructor(readonly type: string, readonly status: number, detail: string | null, readonly limit: string | null = null) {
    super(`The server refused the request: ${shortType(type)}${limit ? ` (${limit})` : ''}${detail ? `: ${detail}` : ''}`);
  }
}

/** A method-level error (RFC 8620 §3.6.2), e.g. cannotCalculateChanges. */
export class JmapMethodError extends JmapError {
  override name = 'JmapMethodError';
  constructor(readonly method: string, readonly type: string, readonly description: string | null) {
    super(`${method} failed: ${type}${description ? `: ${description}` : ''}`);
  }
}

/** The server's answer did not have the shape the protocol promises. */
export class JmapProtocolError extends JmapError {
  override name = 'JmapProtocolError';
}

/** Found a server, but no JMAP session behind any URL we tried. */
export class JmapDiscoveryError extends JmapError {
  override name = 'JmapDiscoveryError';
}

/** The client would exceed a limit the server advertised; nothing was sent. */
export class JmapLimitError extends JmapError {
  override name = 'JmapLimitError';
}

function shortType(type: string): string {
  return type.replace(/^urn:ietf:params:jmap:error:/, '');
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}
