// Which network requests the app's pages may make, decided at the session level
// (session.webRequest.onBeforeRequest). Pure, no 'electron' import, so it is unit-testable.
//
// Why this rule: mail is shown in sandboxed srcdoc iframes. Whether the reader allowed remote
// content for *this* message is known only to the renderer, and a request carries no sound
// marker of it (any frame could claim one), so the session cannot decide per message. What it
// can decide soundly is which *kinds* of request may ever leave the machine:
//   - the app window itself needs nothing remote (connect-src 'self'; the core talks to JMAP
//     servers from the main process through Node, not through this session);
//   - a mail frame needs at most images, stylesheets and fonts, and only when allowed.
// So: the app's own schemes pass; a remote load passes only if it is an image, stylesheet or
// font requested by a sandboxed srcdoc subframe; everything else is cancelled (scripts,
// fetch/XHR, WebSockets, pings, CSP reports, media, frames, navigations of the top frame).
// This is defense in depth behind the renderer's own layers (renderer/src/sanitize.ts strips
// remote URLs unless allowed, and the frame's CSP is default-src 'none' until then): if either
// fails, mail still cannot run script, beacon through fetch, or report a read via a ping.

/** What of a request the decision looks at (a subset of Electron's listener details). */
export interface RemoteRequest {
  url: string;
  /** Electron's resourceType: 'mainFrame', 'subFrame', 'image', 'stylesheet', 'font', 'xhr', … */
  resourceType: string;
  /** Whether a page (a webContents) made it; browser-internal requests have none. */
  fromPage: boolean;
  /** The requesting frame, when Electron still knows it. */
  frame?: { url: string; isSubframe: boolean } | null;
}

/**
 * Schemes that never leave the machine: the renderer's origin, inline and in-memory data, and
 * Chromium's own pages (DevTools; the PDF viewer of an attachment window is a built-in
 * chrome-extension: page using chrome: resources). Web pages cannot load the latter two.
 */
const localSchemes = new Set(['app:', 'data:', 'blob:', 'devtools:', 'chrome-extension:', 'chrome:']);

/** What a mail frame may load from the web once the reader allowed it. */
const mailResourceTypes = new Set(['image', 'stylesheet', 'font']);

/** Mail frames are srcdoc iframes; their document URL is about:srcdoc. */
function isMailFrame(frame: RemoteRequest['frame']): boolean {
  return !!frame && frame.isSubframe && frame.url === 'about:srcdoc';
}

/** True when the request may go ahead; false cancels it. */
export function allowRequest(request: RemoteRequest): boolean {
  let scheme: string;
  try {
    scheme = new URL(request.url).protocol;
  } catch {
    return false;
  }
  if (localSchemes.has(scheme)) return true;
  // Chromium's own fetches (e.g. spell-check dictionaries) come from no page: not mail's doing.
  if (!request.fromPage) return true;
  if (scheme !== 'https:' && scheme !== 'http:') return false;
  return mailResourceTypes.has(request.resourceType) && isMailFrame(request.frame);
}
