// Pure pieces of reading: header parsing, inline-image choice, safe file handling, the words
// of a new-mail notification, the attachment-window rule, and the dark theme kept in step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttachmentView } from '../../shared/contract';
import { describeArrival } from '../../shared/mail-notification';
import { attachmentWebPreferences, isAttachmentWindowUrl } from '../../electron/shell/security';
import { safeFileName, viewerType } from '../../renderer/src/file-types';
import { cidOf, imageDataUri, inlineParts, referencedCids } from '../../renderer/src/inline-images';
import { decodeEncodedWords, headerSection, parseHeaders, sourceFileName, sourceText } from '../../renderer/src/message-source';
import { repoRoot } from '../support/cyrus';

describe('message source', () => {
  const raw = [
    'Received: from mx.example.com',
    '\tby mail.example.org; Thu, 26 Nov 2026 10:00:00 +0000',
    'Subject: =?utf-8?B?w4ljb2xl?= =?utf-8?Q?_fran=C3=A7aise?=',
    'From: "A <b>" <a@example.com>',
    'X-Broken: =?x-unknown?B?Zm9v?=',
    '',
    'Body: not a header',
  ].join('\r\n');

  it('unfolds fields, decodes encoded words, and stops at the body', () => {
    expect(parseHeaders(raw)).toEqual([
      { name: 'Received', value: 'from mx.example.com by mail.example.org; Thu, 26 Nov 2026 10:00:00 +0000' },
      { name: 'Subject', value: 'École française' },
      { name: 'From', value: '"A <b>" <a@example.com>' },
      { name: 'X-Broken', value: '=?x-unknown?B?Zm9v?=' },
    ]);
    expect(headerSection('A: 1\n\nB: 2')).toBe('A: 1');
  });

  it('keeps undecodable words as they are', () => {
    expect(decodeEncodedWords('=?utf-8?B?not base64?=')).toBe('=?utf-8?B?not base64?=');
    expect(decodeEncodedWords('plain')).toBe('plain');
  });

  it('reads UTF-8, and any other bytes one to one', () => {
    expect(sourceText(new TextEncoder().encode('Grüße'))).toBe('Grüße');
    expect(sourceText(Uint8Array.from([0x47, 0x72, 0xfc, 0xdf, 0x65]))).toBe('Grüße');
  });

  it('names the download after the subject, tamed', () => {
    expect(sourceFileName('Re: invoice #4471 / Q3')).toBe('Re invoice 4471 Q3.eml');
    expect(sourceFileName('../../')).toBe('message.eml');
  });
});

describe('inline images', () => {
  const part = (cid: string | null, type = 'image/png', size = 100, blobId = `b-${cid}`): AttachmentView => ({
    partId: '2', blobId, name: null, type, size, disposition: 'inline', cid,
  });

  it('reads cid: references as Content-IDs', () => {
    expect(cidOf('cid:Logo%40Example.com')).toBe('logo@example.com');
    expect(cidOf('cid:<x@y>')).toBe('x@y');
    expect(cidOf('https://x')).toBeNull();
    expect(referencedCids(`<img src="cid:a@b"><div style="background:url(cid:c@d)">`)).toEqual(new Set(['a@b', 'c@d']));
  });

  it('fetches only referenced raster images, within the budget', () => {
    const html = '<img src="cid:one"><img src="cid:two"><img src="cid:svg"><img src="cid:big">';
    const { parts, skipped } = inlineParts(html, [part('one'), part('two'), part('svg', 'image/svg+xml'), part('unused'), part('big', 'image/png', 900)], 1000);
    expect(parts.map((p) => p.cid)).toEqual(['one', 'two']);
    expect(skipped).toBe(1);
  });

  it('makes data: URIs only for raster types and real base64', () => {
    expect(imageDataUri('image/png', 'AAAA')).toBe('data:image/png;base64,AAAA');
    expect(imageDataUri('image/JPG; name=x', 'AAAA')).toBe('data:image/jpeg;base64,AAAA');
    expect(imageDataUri('image/svg+xml', 'AAAA')).toBeNull();
    expect(imageDataUri('image/png', 'AA"><script>')).toBeNull();
  });
});

describe('attachments', () => {
  it('opens only types that run no script, typed by us', () => {
    expect(viewerType('image/png')).toBe('image/png');
    expect(viewerType('application/pdf; name="x.pdf"')).toBe('application/pdf');
    expect(viewerType('text/plain; charset=iso-8859-1')).toBe('text/plain; charset=utf-8');
    for (const t of ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'application/zip', 'text/xml']) expect(viewerType(t)).toBeNull();
  });

  it('suggests file names without folders or control characters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('a\u0000b\nc.txt')).toBe('a_b_c.txt');
    expect(safeFileName('...')).toBe('attachment');
  });

  it('lets Electron open only blob: windows of our own origin, without the bridge', () => {
    expect(isAttachmentWindowUrl('blob:app://renderer/3f1c')).toBe(true);
    expect(isAttachmentWindowUrl('blob:https://evil.example/3f1c')).toBe(false);
    expect(isAttachmentWindowUrl('app://renderer/index.html')).toBe(false);
    const prefs = attachmentWebPreferences();
    expect(prefs.preload).toBeUndefined();
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });
});

describe('new-mail notification text', () => {
  const item = (id: string, from: string, subject: string) => ({ id, from, subject });

  it('names the sender and subject of one message', () => {
    expect(describeArrival({ accountId: 'a', count: 1, items: [item('m1', 'Nora', 'Hello')] })).toEqual({
      title: 'Nora',
      body: 'Hello',
      open: { accountId: 'a', emailId: 'm1' },
    });
    expect(describeArrival({ accountId: 'a', count: 1, items: [item('m1', '', ' ')] })).toMatchObject({ title: 'New message', body: '(no subject)' });
  });

  it('groups several, with their senders', () => {
    const p = { accountId: 'a', count: 7, items: [item('1', 'Ann', 's'), item('2', 'Bob', 's'), item('3', 'Ann', 's'), item('4', 'Cy', 's'), item('5', 'Di', 's')] };
    expect(describeArrival(p)).toEqual({ title: '7 new messages', body: 'From Ann, Bob, Cy and 3 more', open: { accountId: 'a', emailId: '1' } });
    expect(describeArrival({ ...p, count: 3, items: p.items.slice(0, 3) }).body).toBe('From Ann, Bob');
  });
});

describe('themes', () => {
  it('applies the same dark tokens for a dark system and for a chosen dark theme', () => {
    const tokens = (css: string) => Object.fromEntries([...css.matchAll(/^\s*(--[\w-]+):\s*([^;]+);/gm)].map((m) => [m[1], m[2]!.trim()]));
    const styles = readFileSync(join(repoRoot, 'renderer/src/styles.css'), 'utf8');
    const media = /@media \(prefers-color-scheme: dark\) \{\s*:root:not\(\[data-theme='light'\]\) \{([^}]*)\}/.exec(styles)?.[1] ?? '';
    const chosen = /:root\[data-theme='dark'\] \{([^}]*)\}/.exec(readFileSync(join(repoRoot, 'renderer/src/theme.css'), 'utf8'))?.[1] ?? '';
    expect(Object.keys(tokens(media)).length).toBeGreaterThan(20);
    expect(tokens(chosen)).toEqual(tokens(media));
  });
});
