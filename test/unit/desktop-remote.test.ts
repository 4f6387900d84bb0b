import { describe, expect, it } from 'vitest';
import { allowRequest, type RemoteRequest } from '../../electron/shell/remote-requests';

const mailFrame = { url: 'about:srcdoc', isSubframe: true };
const appFrame = { url: 'app://renderer/index.html', isSubframe: false };
const req = (over: Partial<RemoteRequest>): RemoteRequest => ({
  url: 'https://tracker.example/p.gif',
  resourceType: 'image',
  fromPage: true,
  frame: mailFrame,
  ...over,
});

describe('allowRequest (session-level remote content rule)', () => {
  it("lets the app's own schemes through from any frame", () => {
    for (const url of ['app://renderer/index.html', 'app://renderer/assets/x.js', 'data:image/png;base64,AAAA', 'blob:app://renderer/1234']) {
      expect(allowRequest(req({ url, resourceType: 'script', frame: appFrame })), url).toBe(true);
    }
  });

  it("lets Chromium's built-in pages work (the PDF viewer of an attachment window, DevTools)", () => {
    for (const url of ['chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/index.html', 'chrome://resources/js/util.js', 'devtools://devtools/bundled/inspector.html']) {
      expect(allowRequest(req({ url, resourceType: 'script', frame: appFrame })), url).toBe(true);
    }
  });

  it('lets a mail frame load remote images, stylesheets and fonts (shown only when the reader allowed them)', () => {
    for (const resourceType of ['image', 'stylesheet', 'font']) {
      expect(allowRequest(req({ resourceType })), resourceType).toBe(true);
      expect(allowRequest(req({ resourceType, url: 'http://plain.example/a' })), resourceType).toBe(true);
    }
  });

  it('cancels every other kind of remote request from a mail frame', () => {
    for (const resourceType of ['script', 'xhr', 'webSocket', 'ping', 'cspReport', 'media', 'object', 'subFrame', 'mainFrame', 'other']) {
      expect(allowRequest(req({ resourceType })), resourceType).toBe(false);
    }
    expect(allowRequest(req({ url: 'wss://evil.example/', resourceType: 'webSocket' }))).toBe(false);
  });

  it('cancels remote loads from the app window itself, even images', () => {
    for (const resourceType of ['image', 'stylesheet', 'font', 'xhr', 'mainFrame']) {
      expect(allowRequest(req({ resourceType, frame: appFrame })), resourceType).toBe(false);
    }
  });

  it('cancels when the frame is gone, unknown, or not a srcdoc subframe', () => {
    expect(allowRequest(req({ frame: null }))).toBe(false);
    expect(allowRequest(req({ frame: undefined }))).toBe(false);
    expect(allowRequest(req({ frame: { url: 'about:srcdoc', isSubframe: false } }))).toBe(false);
    expect(allowRequest(req({ frame: { url: 'https://tracker.example/', isSubframe: true } }))).toBe(false);
  });

  it('cancels other schemes from pages: file:, ftp:, custom and malformed URLs', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/x', 'ms-settings:', 'not a url']) {
      expect(allowRequest(req({ url })), url).toBe(false);
    }
  });

  it("leaves Chromium's own requests (no page, e.g. spell-check dictionaries) alone", () => {
    expect(allowRequest(req({ fromPage: false, frame: null, resourceType: 'other', url: 'https://redirector.gvt1.com/dict.bdic' }))).toBe(true);
  });
});
