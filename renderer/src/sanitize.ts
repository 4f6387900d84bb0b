// Turns an untrusted HTML mail body into a srcdoc for an <iframe sandbox> (no scripts, opaque
// origin). Layered, so that one mistake is not enough:
//  1. DOMPurify (in an inert DOMParser document: nothing loads while we work) drops scripts,
//     event handlers, forms, <base>, <meta>, <link> and everything that is not plain HTML;
//  2. our hooks strip every remote URL (img src/srcset, background, CSS url(), image-set(),
//     @import) unless the reader chose to load remote content, count what they strip, and
//     make links open outside the app; cid: references to the message's own images become
//     the data: URIs the caller fetched (never a URL the frame could fetch itself);
//  3. a CSP as the first element of the frame's head (default-src 'none') blocks whatever
//     slipped through; the sandbox keeps scripts off even then.
import DOMPurify from 'dompurify';
import { cidOf } from './inline-images';
import { safeWebUrl } from './plain-text';

export interface FrameTheme {
  /** The app's colours, used only for mail that sets none of its own. */
  text: string;
  muted: string;
  link: string;
  background: string;
  border: string;
  dark: boolean;
  font: string;
}

export interface RenderedHtml {
  srcdoc: string;
  /** Remote resources removed (0 when remote content is allowed). */
  blocked: number;
}

const blockedCsp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'";
const remoteCsp =
  "default-src 'none'; style-src 'unsafe-inline' https: http:; img-src data: https: http:; font-src data: https: http:; form-action 'none'; base-uri 'none'";

/** What the hooks need during one sanitize call (DOMPurify hooks are per instance, not per call). */
interface Pass {
  allowRemote: boolean;
  blocked: number;
  /** Remote stylesheets (<link>) to bring back as @import when remote content is allowed. */
  imports: string[];
  /** The message's inline images: Content-ID (lower case, no brackets) → data: URI. */
  inline: ReadonlyMap<string, string>;
}
let pass: Pass = { allowRemote: false, blocked: 0, imports: [], inline: new Map() };

/** The data: URI for a cid: reference to one of the message's own parts, if the caller has it. */
function inlined(raw: string): string | null {
  const id = cidOf(raw);
  return id === null ? null : (pass.inline.get(id) ?? null);
}


type UrlKind = 'data' | 'remote' | 'other';

function classify(raw: string): UrlKind {
  const url = raw.trim().toLowerCase();
  if (url.startsWith('data:')) return 'data';
  // Protocol-relative URLs resolve against the app's own origin's scheme: remote too.
  if (/^(https?:)?\/\//.test(url)) return 'remote';
  // Relative URLs would resolve against the app's host, a cid: the caller did not inline names
  // nothing the frame could load, and anything else (javascript:, file:, …) has no business in a mail.
  return 'other';
}

/** Keeps a remote URL only when allowed; counts it otherwise. Returns the URL to keep, or null. */
function remote(raw: string): string | null {
  const kind = classify(raw);
  if (kind === 'data') return raw;
  if (kind === 'remote') {
    if (pass.allowRemote) return safeWebUrl(raw.trim().startsWith('//') ? `https:${raw.trim()}` : raw.trim());
    pass.blocked++;
  }
  return null;
}

const importRule = /@import\s*(?:url\(\s*)?(["']?)([^"')\s;]*)\1\s*\)?[^;]*;?/gi;
// The parser closes a url( left open at the end of the input.
const urlToken = /url\(\s*(["']?)(.*?)\1\s*(?:\)|$)/gi;
/** image-set() takes bare strings as well as url(); remote ones go whole (url() inside is handled below). */
const imageSet = /(?:-webkit-)?image-set\(([^()]*(?:\([^()]*\)[^()]*)*)\)/gi;
const remoteString = /["']\s*(?:https?:)?\/\//i;

/**
 * The CSS as the browser's parser reads it: comments gone, escaped letters and digits decoded
 * (`\75 rl(` and `u\rl(` are both `url(`; `@import/**\/"x"` is an @import), so the patterns
 * here see every URL the frame would load. The normalized text is what the frame gets.
 */
function normalizeCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ')
    .replace(/\\([0-9a-f]{1,6})[ \t\n\r\f]?|\\([^0-9a-f\n\r\f])/gi, (escape: string, hex: string | undefined, char: string | undefined) => {
      const code = hex ? parseInt(hex, 16) : (char?.codePointAt(0) ?? 0);
      const decoded = code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
      return /^[\w-]$/.test(decoded) ? decoded : escape;
    });
}

function rewriteCss(css: string): string {
  return normalizeCss(css)
    .replace(importRule, (_rule: string, _q: string, url: string) => {
      // Only a remote stylesheet can be imported at all; anything else just goes.
      const kept = classify(url) === 'remote' ? remote(url) : null;
      return kept ? `@import url("${cssString(kept)}");` : '';
    })
    .replace(imageSet, (set: string, args: string) => {
      if (!remoteString.test(args) || pass.allowRemote) return set;
      pass.blocked++;
      return 'none';
    })
    .replace(urlToken, (token: string, _q: string, url: string) => {
      const image = inlined(url);
      if (image) return `url("${cssString(image)}")`;
      const kept = remote(url);
      return kept === null ? 'none' : classify(url) === 'data' ? token : `url("${cssString(kept)}")`;
    });
}

function cssString(url: string): string {
  return url.replace(/["\\\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `);
}

/** http(s) and mailto only; everything else (javascript:, data:, relative) loses its href. */
function linkTarget(raw: string): string | null {
  const value = raw.trim();
  if (/^mailto:/i.test(value)) return value;
  return safeWebUrl(value);
}

const resourceAttributes = ['src', 'background', 'poster', 'lowsrc', 'dynsrc'];

let purifier: ReturnType<typeof DOMPurify> | null = null;

function instance(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  // Our own instance, so these hooks never affect another caller of DOMPurify.
  const p = DOMPurify(window);
  p.addHook('uponSanitizeElement', (node, data) => {
    if (!(node instanceof Element)) return;
    if (data.tagName === 'link') {
      const rel = (node.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
      const href = node.getAttribute('href') ?? '';
      if (rel.includes('stylesheet') && classify(href) === 'remote') {
        const kept = remote(href);
        if (kept) pass.imports.push(kept);
      }
    } else if (data.tagName === 'style') {
      node.textContent = rewriteCss(node.textContent ?? '');
    }
  });
  p.addHook('afterSanitizeAttributes', (node) => {
    const tag = node.nodeName.toLowerCase();
    if (node.hasAttribute('href')) {
      const href = (tag === 'a' || tag === 'area') && linkTarget(node.getAttribute('href') ?? '');
      if (href) {
        node.setAttribute('href', href);
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      } else {
        node.removeAttribute('href');
        node.removeAttribute('target');
      }
    } else if (node.hasAttribute('target')) {
      node.removeAttribute('target');
    }
    for (const name of resourceAttributes) {
      const value = node.getAttribute(name);
      if (value === null) continue;
      const image = tag === 'img' && name === 'src' ? inlined(value) : null;
      const kept = image ?? (classify(value) === 'data' && tag !== 'img' ? null : remote(value));
      if (kept === null) node.removeAttribute(name);
      else node.setAttribute(name, kept);
    }
    const srcset = node.getAttribute('srcset');
    if (srcset !== null) {
      const urls = srcset.split(',').map((c) => c.trim().split(/\s+/)[0] ?? '');
      const kinds = urls.map(classify);
      if (kinds.includes('remote') && !pass.allowRemote) pass.blocked++;
      if (!pass.allowRemote || kinds.includes('other')) node.removeAttribute('srcset');
    }
    const style = node.getAttribute('style');
    if (style !== null) {
      const rewritten = rewriteCss(style);
      if (rewritten.trim()) node.setAttribute('style', rewritten);
      else node.removeAttribute('style');
    }
  });
  purifier = p;
  return p;
}

const config = {
  WHOLE_DOCUMENT: true,
  RETURN_DOM: true as const,
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    'form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'datalist', 'output', 'progress', 'meter',
    'audio', 'video', 'source', 'track', 'picture', 'canvas', 'dialog', 'template', 'slot', 'content', 'shadow',
    'element', 'decorator', 'marquee', 'blink', 'base', 'link', 'meta', 'title',
  ],
  FORBID_ATTR: ['action', 'formaction', 'ping', 'srcdoc', 'autofocus', 'tabindex', 'accesskey', 'contenteditable'],
  ALLOW_DATA_ATTR: false,
};

/** Whether the mail chose any colours itself; if not, it can wear the app's theme. */
function setsColours(root: Element): boolean {
  if (root.querySelector('[bgcolor], [color], [text], [background], style')) return true;
  return [...root.querySelectorAll('[style]')].some((el) => /color|background/i.test(el.getAttribute('style') ?? ''));
}

function baseCss(theme: FrameTheme, neutral: boolean): string {
  // Mail that picks colours was designed for white paper; give it that in both themes.
  const text = neutral ? theme.text : '#1c2026';
  const background = neutral ? theme.background : '#ffffff';
  const link = neutral ? theme.link : '#2f6fde';
  const muted = neutral ? theme.muted : '#5d6572';
  const border = neutral ? theme.border : '#d6dae0';
  return `html{color-scheme:${neutral && theme.dark ? 'dark' : 'light'};background:${background}}
body{margin:0;padding:18px 24px 28px;font:14px/1.55 ${theme.font};color:${text};background:${background};overflow-wrap:break-word}
img{max-width:100%;height:auto}
a{color:${link}}
blockquote{margin:8px 0 8px 2px;padding-left:12px;border-left:3px solid ${border};color:${muted}}
pre{white-space:pre-wrap}
hr{border:0;border-top:1px solid ${border}}`;
}

/**
 * Renames event-handler attributes and <base> before the markup is parsed at all. Parsing
 * happens in this window, whose CSP reports (and blocks) handlers and base URLs even in an
 * inert document; they would be dropped anyway, so this only spares the console. A case the
 * pattern misses is still removed by DOMPurify.
 */
function defuse(html: string): string {
  return html
    .replace(/<base\b/gi, '<x-base')
    // An inert document still checks a <track>'s src against our CSP (and logs it).
    .replace(/<track\b/gi, '<x-track')
    .replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(/([\s"'/])on([a-z]+)(?=\s*=)/gi, '$1x-on$2'));
}

export function renderHtml(html: string, allowRemote: boolean, theme: FrameTheme, inline: ReadonlyMap<string, string> = new Map()): RenderedHtml {
  pass = { allowRemote, blocked: 0, imports: [], inline };
  const root = instance().sanitize(defuse(html), config);
  if (!(root instanceof Element)) return { srcdoc: '', blocked: 0 };
  // Everything below happens in DOMPurify's inert document: no image here ever loads.
  const doc = root.ownerDocument;
  let head = root.querySelector('head');
  if (!head) {
    head = doc.createElement('head');
    root.prepend(head);
  }
  const meta = (attr: 'http-equiv' | 'name', key: string, content: string): HTMLMetaElement => {
    const m = doc.createElement('meta');
    m.setAttribute(attr, key);
    m.setAttribute('content', content);
    return m;
  };
  const base = doc.createElement('style');
  base.textContent = baseCss(theme, !setsColours(root));
  const imports = pass.imports.map((url) => {
    const s = doc.createElement('style');
    s.textContent = `@import url("${cssString(url)}");`;
    return s;
  });
  // The CSP comes first, so it governs every element the frame parses after it.
  head.prepend(
    meta('http-equiv', 'Content-Security-Policy', allowRemote ? remoteCsp : blockedCsp),
    meta('name', 'referrer', 'no-referrer'),
    base,
    ...imports,
  );
  return { srcdoc: `<!doctype html>${root.outerHTML}`, blocked: pass.blocked };
}
