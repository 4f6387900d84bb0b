// The pure parts of compose: the core's HTML allowlist, subjects, reply recipients, quoting.
import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeHtml } from '../../electron/core/mail/compose/html';
import { buildEmail, envelope } from '../../electron/core/mail/compose/message';
import { forwardSubject, quoteText, replyRecipients, replySubject, threadingHeaders, type Original } from '../../electron/core/mail/compose/quote';
import { suggestRecipients } from '../../electron/core/mail/compose/correspondents';
import { openDatabase } from '../../electron/core/store/db';
import { ComposeDraft } from '../../shared/contract';

describe('sanitizeHtml', () => {
  it('keeps basic formatting and drops everything active or remote', () => {
    expect(sanitizeHtml('<p>Hi <b>bold</b> <i>it</i> <u>u</u></p>')).toBe('<p>Hi <b>bold</b> <i>it</i> <u>u</u></p>');
    expect(sanitizeHtml('<p onclick="x()" style="color:red" class="c">a</p>')).toBe('<p>a</p>');
    expect(sanitizeHtml('<script>alert(1)</script>ok<style>p{}</style>')).toBe('ok');
    expect(sanitizeHtml('<img src="https://t.example/p.gif" onerror="x()">x')).toBe('x');
    expect(sanitizeHtml('<iframe src="x"><p>inner</p></iframe>after')).toBe('after');
    expect(sanitizeHtml('<svg><svg></svg><script>1</script></svg>text')).toBe('text');
  });

  it('keeps only web and mail links', () => {
    expect(sanitizeHtml('<a href="https://example.com/?a=1&amp;b=2">x</a>')).toBe('<a href="https://example.com/?a=1&amp;b=2">x</a>');
    expect(sanitizeHtml('<a href="mailto:a@b.c">m</a>')).toBe('<a href="mailto:a@b.c">m</a>');
    expect(sanitizeHtml('<a href="javascript:alert(1)">x</a>')).toBe('<a>x</a>');
    expect(sanitizeHtml('<a href="jav&#x09;ascript:alert(1)">x</a>')).toBe('<a>x</a>');
    expect(sanitizeHtml('<a href=" data:text/html,x">x</a>')).toBe('<a>x</a>');
  });

  it('emits well-formed markup from broken input', () => {
    expect(sanitizeHtml('<b><i>x</b> y')).toBe('<b><i>x</i></b> y');
    expect(sanitizeHtml('</p>a < b & c<ul><li>one')).toBe('a &lt; b &amp; c<ul><li>one</li></ul>');
    expect(sanitizeHtml('<blockquote type="cite" cite="x">q</blockquote>')).toBe('<blockquote type="cite">q</blockquote>');
    expect(sanitizeHtml('<font color="red">f</font><center>c</center>')).toBe('<span>f</span><div>c</div>');
    expect(sanitizeHtml('a<!-- <script>x</script> -->b&nbsp;c')).toBe('ab&nbsp;c');
  });

  it('derives a text alternative with quotes and lists', () => {
    const text = htmlToText('<p>Hello <b>world</b></p><ul><li>one</li><li>two</li></ul><blockquote>quoted</blockquote>');
    expect(text).toContain('Hello world');
    expect(text).toMatch(/\* one\n \* two/);
    expect(text).toContain('> quoted');
  });
});

describe('subjects', () => {
  it('never stacks prefixes', () => {
    expect(replySubject('Lunch')).toBe('Re: Lunch');
    expect(replySubject('Re: Lunch')).toBe('Re: Lunch');
    expect(replySubject('RE: re: Lunch')).toBe('Re: Lunch');
    expect(replySubject('Re[2]: Lunch')).toBe('Re: Lunch');
    expect(replySubject('AW: Lunch')).toBe('Re: Lunch');
    expect(replySubject('Fwd: Lunch')).toBe('Re: Fwd: Lunch');
    expect(forwardSubject('Lunch')).toBe('Fwd: Lunch');
    expect(forwardSubject('FW: Lunch')).toBe('Fwd: Lunch');
    expect(forwardSubject('Fwd: Fwd: Lunch')).toBe('Fwd: Lunch');
    expect(replySubject('')).toBe('Re:');
  });
});

const me = 'me@example.com';
function original(over: Partial<Original>): Original {
  return {
    from: [{ name: 'Ann', email: 'ann@example.com' }], to: [{ name: 'Me', email: me }], cc: [], replyTo: [], subject: 's', sentAt: 0,
    messageId: ['m3@x'], inReplyTo: ['m2@x'], references: ['m1@x', 'm2@x'], text: 'hi', html: null, ...over,
  };
}

describe('reply recipients', () => {
  const own = new Set([me]);
  it('replies to Reply-To when given, else the sender', () => {
    expect(replyRecipients(original({}), false, own)).toEqual({ to: [{ name: 'Ann', email: 'ann@example.com' }], cc: [] });
    expect(replyRecipients(original({ replyTo: [{ name: null, email: 'list@example.com' }] }), false, own).to).toEqual([{ name: null, email: 'list@example.com' }]);
  });

  it('reply-all adds the other recipients, never the user, and each address once', () => {
    const o = original({
      to: [{ name: 'Me', email: 'ME@example.com' }, { name: 'Bob', email: 'bob@example.com' }],
      cc: [{ name: null, email: 'carol@example.com' }, { name: 'Ann again', email: 'ann@example.com' }, { name: null, email: me }],
    });
    expect(replyRecipients(o, true, own)).toEqual({
      to: [{ name: 'Ann', email: 'ann@example.com' }, { name: 'Bob', email: 'bob@example.com' }],
      cc: [{ name: null, email: 'carol@example.com' }],
    });
  });

  it('replying to one of my own messages goes to its recipients', () => {
    const o = original({ from: [{ name: 'Me', email: me }], to: [{ name: 'Bob', email: 'bob@example.com' }] });
    expect(replyRecipients(o, false, own).to).toEqual([{ name: 'Bob', email: 'bob@example.com' }]);
  });
});

describe('threading and quoting', () => {
  it('builds References from the parent chain and the parent', () => {
    expect(threadingHeaders(original({}))).toEqual({ inReplyTo: ['m3@x'], references: ['m1@x', 'm2@x', 'm3@x'] });
    expect(threadingHeaders(original({ references: [] }))).toEqual({ inReplyTo: ['m3@x'], references: ['m2@x', 'm3@x'] });
    const long = Array.from({ length: 30 }, (_, i) => `r${i}@x`);
    const refs = threadingHeaders(original({ references: long })).references;
    expect(refs).toHaveLength(20);
    expect(refs[0]).toBe('r0@x');
    expect(refs.at(-1)).toBe('m3@x');
  });

  it('quotes each line, deepening existing quotes', () => {
    expect(quoteText('a\n\n> b\nc\n')).toBe('> a\n>\n>> b\n> c');
  });
});

describe('the outgoing email', () => {
  const draft = ComposeDraft.parse({
    identityId: 'i', to: [{ name: 'B', email: 'b@x.org' }, { name: 'B again', email: 'B@x.org' }], bcc: [{ name: null, email: 'secret@x.org' }],
    subject: 'S', html: '<p>Hi <b>b</b><script>x</script></p>', attachments: [{ blobId: 'G1', name: 'f.pdf', type: 'application/pdf', size: 3 }],
  });
  it('carries sanitized HTML with a text alternative, and Bcc only in drafts', () => {
    const sent = buildEmail(draft, { name: 'Me', email: me }, { mailboxId: 'd', messageId: 'id@x', includeBcc: false });
    expect(sent).toMatchObject({
      to: [{ name: 'B', email: 'b@x.org' }],
      messageId: ['id@x'],
      keywords: { $draft: true, $seen: true },
      bodyValues: { text: { value: 'Hi b' }, html: { value: '<p>Hi <b>b</b></p>' } },
      attachments: [{ blobId: 'G1', type: 'application/pdf', name: 'f.pdf', disposition: 'attachment' }],
    });
    expect(sent.bcc).toBeUndefined();
    expect(buildEmail(draft, { name: null, email: me }, { mailboxId: 'd', messageId: 'id@x', includeBcc: true }).bcc).toEqual([{ name: null, email: 'secret@x.org' }]);
    expect(envelope(draft, { name: null, email: me })).toEqual({ mailFrom: { email: me }, rcptTo: [{ email: 'b@x.org' }, { email: 'secret@x.org' }] });
  });
});

describe('recipient suggestions', () => {
  it('ranks people the user wrote to above people who only wrote, and never suggests the user', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO account (id, name, email, username, auth_kind, session_url, jmap_account_id, session_json, created_at) VALUES ('a', 'A', 'me@example.com', 'me', 'basic', 's', 'j', null, 0)").run();
    const insert = db.prepare("INSERT INTO email (account_id, id, thread_id, received_at, from_json, to_json, cc_json) VALUES ('a', ?, 't', ?, ?, ?, '[]')");
    const json = (list: { name: string | null; email: string }[]) => JSON.stringify(list);
    const now = Date.now();
    // Sam wrote three times; Sally was written to once; a newsletter once, long ago.
    for (let i = 0; i < 3; i++) insert.run(`s${i}`, now - i, json([{ name: 'Sam Writer', email: 'sam@example.com' }]), json([{ name: null, email: me }]));
    insert.run('out', now, json([{ name: null, email: 'ME@example.com' }]), json([{ name: 'Sally Friend', email: 'sally@example.com' }]));
    insert.run('news', now - 400 * 86_400_000, json([{ name: 'Sa News', email: 'news@sa.example' }]), json([{ name: null, email: me }]));
    expect(suggestRecipients(db, 'a', 'sa', 10).map((s) => s.email)).toEqual(['sally@example.com', 'sam@example.com', 'news@sa.example']);
    expect(suggestRecipients(db, 'a', 'WRITER', 10)).toEqual([{ name: 'Sam Writer', email: 'sam@example.com' }]);
    expect(suggestRecipients(db, 'a', 'me@', 10)).toEqual([]);
    expect(suggestRecipients(db, 'a', '%', 10)).toEqual([]);
    db.close();
  });
});
