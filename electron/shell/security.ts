// The Electron shell's security decisions, kept free of runtime 'electron' imports so they
// can be unit-tested under plain Node. main.ts only wires these into Electron's hooks.
import type { WebPreferences } from 'electron';

/** The renderer is served from this origin by the app:// protocol handler. */
export const appScheme = 'app';
export const rendererHost = 'renderer';
export const rendererOrigin = `${appScheme}://${rendererHost}`;
export const rendererIndexUrl = `${rendererOrigin}/index.html`;

/** IPC channels shared by main.ts and preload.ts (bundled into both; no runtime import). */
export const requestChannel = 'ipc:request';
export const eventChannel = 'ipc:event';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: true,
    preload: preloadPath,
  };
}

/**
 * Whether an IPC message came from our renderer. Anything else (a navigated-away page, a
 * stray frame) must not reach the core.
 */
export function isTrustedSenderUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${appScheme}:` && parsed.host === rendererHost && url.startsWith(`${rendererOrigin}/`);
}

/**
 * Links the app may hand to the OS: web pages only. file:, javascript:, data:, custom
 * schemes (which can launch local programs) and URLs with embedded credentials are refused.
 */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username !== '' || parsed.password !== '') return false;
  return parsed.hostname !== '';
}

/** Permissions a page may get without asking: only notifications (new-mail alerts). */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'notifications';
}

/**
 * An attachment the renderer opened for viewing: a blob: URL it created itself. The renderer
 * only makes these for types that run no script (images other than SVG, PDF, plain text).
 */
export function isAttachmentWindowUrl(url: string): boolean {
  return url.startsWith(`blob:${rendererOrigin}/`);
}

/** An attachment viewer: no preload (so no bridge to the core), fully sandboxed. */
export function attachmentWebPreferences(): WebPreferences {
  const { preload: _omitted, ...rest } = secureWebPreferences('');
  return rest;
}
