// Compose and send against a real Cyrus: drafts replace themselves, mail reaches another
// user exactly once (offline, across restarts, and when the answer to a submission is lost),
// replies thread, forwards carry the original, attachments round-trip, and undo means never sent.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, ComposeDraft, Params } from '../../shared/contract';
import { cyrusDir, cyrusEnv, freshUser } from '../support/cyrus';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/core-harness';
import { basic, jmap, serverMailboxes } from '../support/jmap-raw';

const using = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail', 'urn:ietf:params:jmap:submission'];

interface ServerMail {
  id: string;
  threadId: string;
  subject: string;
  messageId: string[] | null;
  inReplyTo: string[] | null;
  references: string[] | null;
  keywords: Record<string, boolean>;
  mailboxIds: Record<string, boolean>;
  bcc: { email: string }[] | null;
  attachments: { blobId: string; type: string; name: string | null; size: number }[];
  textBody: { partId: string; type: string }[];
  htmlBody: { partId: string; type: string }[];
  bodyValues: Record<string, { value: string }>;
}

/** Every email of a user, with what the tests look at. */
async function mailOf(user: string): Promise<ServerMail[]> {
  const res = await jmap(user, [
    ['Email/query', { accountId: user, limit: 500 }, 'q'],
    [
      'Email/get',
      {
        accountId: user,
        '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
        properties: ['id', 'threadId', 'subject', 'messageId', 'inReplyTo', 'references', 'keywords', 'mailboxIds', 'bcc', 'attachments', 'textBody', 'htmlBody', 'bodyValues'],
        fetchAllBodyValues: true,
      },
      'g',
    ],
  ]);
  return (res[1]![1] as { list: ServerMail[] }).list;
}

async function roleId(user: string, role: string): Promise<string> {
  const box = (await serverMailboxes(user)).list.find((m) => m.role === role);
  if (!box) throw new Error(`${user} has no ${role}`);
  return box.id;
}

/** Waits for a condition on the server (local delivery is quick, but not instantaneous). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * How many times a message went out to this address: the sendmail sink's envelopes. (The
 * recipient's mailbox cannot tell: Cyrus suppresses duplicate deliveries by Message-ID.)
 */
function submissionsTo(user: string): number {
  const dir = join(cyrusDir, 'outbox');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.envelope'))
    .filter((f) => readFileSync(join(dir, f), 'utf8').includes(`RCPT TO:<${user}>`)).length;
}

/** A message from one Cyrus user to another, sent with plain JMAP (not the client under test). */
async function rawSend(from: string, to: string, subject: string, text: string): Promise<string> {
  const drafts = await roleId(from, 'drafts');
  const sent = await roleId(from, 'sent');
  const messageId = `${randomBytes(6).toString('hex')}@raw.example`;
  await jmap(
    from,
    [
      ['Email/set', { accountId: from, create: { o: { mailboxIds: { [drafts]: true }, keywords: { $draft: true, $seen: true }, from: [{ name: 'Bea Sender', email: from }], to: [{ email: to }], subject, messageId: [messageId], bodyValues: { t: { value: text } }, textBody: [{ partId: 't', type: 'text/plain' }] } } }, '0'],
      ['EmailSubmission/set', { accountId: from, create: { s: { identityId: from, emailId: '#o' } }, onSuccessUpdateEmail: { '#s': { [`mailboxIds/${drafts}`]: null, [`mailboxIds/${sent}`]: true, 'keywords/$draft': null } } }, '1'],
    ],
    using,
  );
  return messageId;
}

let h: Harness;
let proxy: FaultProxy;
let a: string;
let account: AccountView;

beforeEach(async () => {
  proxy = await startFaultProxy(cyrusEnv().baseUrl);
  a = freshUser('compose');
  h = await startHarness();
  account = await h.addAccount({ email: a, secret: cyrusEnv().password, serverUrl: `${proxy.url}/jmap/` });
});

afterEach(async () => {
  await h.core.close();
  await proxy.close();
});

async function synced(): Promise<void> {
  const done = h.next('account.status', (p) => p.accountId === account.id);
  await h.call('sync.now', { accountId: account.id });
  const { status } = await done;
  if (status.state !== 'online') throw new Error(`sync ended ${status.state}: ${status.message}`);
}

async function newDraft(patch: Partial<ComposeDraft>): Promise<Params<'compose.send'>['draft']> {
  const { draft } = await h.call('compose.prepare', { accountId: account.id, mode: 'new' });
  return { ...draft, ...patch };
}

/** Sends and waits until the server has accepted it. */
async function send(draft: Params<'compose.send'>['draft'], draftId: string | null = null): Promise<number> {
  const sent = h.next('compose.sent', (p) => p.accountId === account.id, 20_000);
  const { actionId } = await h.call('compose.send', { accountId: account.id, draft, draftId, undoMs: 0 });
  await sent;
  return actionId;
}

async function localInbox() {
  return (await h.call('emails.list', { accountId: account.id, role: 'inbox', limit: 100 })).items;
}

describe('compose', () => {
  it('saves a draft and replaces it on each save, so only the latest version is on the server', async () => {
    const draft = await newDraft({ to: [{ name: 'Someone', email: 'someone@example.com' }], bcc: [{ name: null, email: 'hidden@example.com' }], subject: 'Plans v1', html: '<p>First <b>try</b></p>' });
    const first = await h.call('compose.saveDraft', { accountId: account.id, draft });
    const second = await h.call('compose.saveDraft', { accountId: account.id, draft: { ...draft, subject: 'Plans v2' }, replaceId: first.draftId });
    expect(second.draftId).not.toBe(first.draftId);
    const drafts = await roleId(a, 'drafts');
    const inDrafts = (await mailOf(a)).filter((e) => e.mailboxIds[drafts]);
    expect(inDrafts).toHaveLength(1);
    expect(inDrafts[0]).toMatchObject({ id: second.draftId, subject: 'Plans v2', keywords: { $draft: true, $seen: true } });
    // A draft keeps its Bcc (only a sent message must not carry it) and has both bodies.
    expect(inDrafts[0]!.bcc).toEqual([{ name: null, email: 'hidden@example.com' }]);
    expect(inDrafts[0]!.htmlBody[0]!.type).toBe('text/html');
    expect(inDrafts[0]!.textBody[0]!.type).toBe('text/plain');

    // Reopening it gives back what was saved.
    await synced();
    const reopened = await h.call('compose.prepare', { accountId: account.id, mode: 'draft', emailId: second.draftId });
    expect(reopened.draftId).toBe(second.draftId);
    expect(reopened.draft).toMatchObject({ subject: 'Plans v2', to: [{ name: 'Someone', email: 'someone@example.com' }], bcc: [{ email: 'hidden@example.com' }] });
    expect(reopened.draft.html).toContain('<b>try</b>');
  });

  it('sends to another user: it arrives in their Inbox, and the sender keeps a copy in Sent without $draft', async () => {
    const b = freshUser('rcpt');
    const hidden = freshUser('bcc');
    const subject = `Hello ${randomBytes(3).toString('hex')}`;
    const draft = await newDraft({
      to: [{ name: 'Bee', email: b }],
      bcc: [{ name: null, email: hidden }],
      subject,
      html: '<p>Hi <b>there</b>, <a href="javascript:alert(1)">x</a><img src="https://tracker.example/p.gif"><script>alert(1)</script></p>',
    });
    const saved = await h.call('compose.saveDraft', { accountId: account.id, draft });
    await send(draft, saved.draftId);

    const received = await eventually(() => mailOf(b), (l) => l.some((e) => e.subject === subject));
    const mail = received.find((e) => e.subject === subject)!;
    expect(mail.mailboxIds[await roleId(b, 'inbox')]).toBe(true);
    const html = mail.bodyValues[mail.htmlBody[0]!.partId]!.value;
    expect(html).toContain('<b>there</b>');
    expect(html).not.toMatch(/script|javascript|img|tracker/i);
    expect(mail.bodyValues[mail.textBody[0]!.partId]!.value).toContain('Hi there');
    // Bcc recipients get it, but nobody sees them.
    expect(mail.bcc).toBeNull();
    expect((await eventually(() => mailOf(hidden), (l) => l.length > 0)).map((e) => e.subject)).toEqual([subject]);

    const mine = await mailOf(a);
    const sentBox = await roleId(a, 'sent');
    const copy = mine.find((e) => e.subject === subject)!;
    expect(copy.mailboxIds).toEqual({ [sentBox]: true });
    expect(copy.keywords.$draft).toBeUndefined();
    expect(mine.some((e) => e.id === saved.draftId)).toBe(false); // the draft is gone
    expect(await h.call('compose.queued', {})).toEqual([]);

    // The Sent copy reaches the local store, and B becomes a suggested recipient.
    await synced();
    const sentItems = (await h.call('emails.list', { accountId: account.id, role: 'sent' })).items;
    expect(sentItems.map((e) => e.subject)).toContain(subject);
    const suggestions = await h.call('compose.suggestRecipients', { accountId: account.id, query: b.slice(0, 6) });
    expect(suggestions.map((s) => s.email)).toContain(b);
  });

  it('replies with In-Reply-To and References, threading with the original in the other account', async () => {
    const b = freshUser('peer');
    const subject = `Question ${randomBytes(3).toString('hex')}`;
    const originalId = await rawSend(b, a, subject, 'Can you help?\n> quoted before');
    await eventually(async () => (await synced(), localInbox()), (l) => l.some((e) => e.subject === subject));
    const original = (await localInbox()).find((e) => e.subject === subject)!;

    const { draft } = await h.call('compose.prepare', { accountId: account.id, mode: 'reply', emailId: original.id });
    expect(draft.to).toEqual([{ name: 'Bea Sender', email: b }]);
    expect(draft.subject).toBe(`Re: ${subject}`);
    expect(draft.inReplyTo).toEqual([originalId]);
    expect(draft.references).toEqual([originalId]);
    expect(draft.text).toMatch(/wrote:\n> Can you help\?\n>> quoted before/);
    expect(draft.html).toContain('<blockquote type="cite">');
    expect(draft.origin).toEqual({ emailId: original.id, kind: 'reply' });
    // Replying again to a reply does not stack prefixes.
    await send({ ...draft, html: `<p>Sure.</p>${draft.html}` });

    const theirs = await eventually(() => mailOf(b), (l) => l.some((e) => e.subject === `Re: ${subject}`));
    const reply = theirs.find((e) => e.subject === `Re: ${subject}`)!;
    const sentOriginal = theirs.find((e) => e.subject === subject)!;
    expect(reply.inReplyTo).toEqual([originalId]);
    expect(reply.references).toEqual([originalId]);
    expect(reply.threadId).toBe(sentOriginal.threadId);
    // The original is marked answered.
    const mine = await eventually(() => mailOf(a), (l) => l.some((e) => e.id === original.id && e.keywords.$answered));
    expect(mine.find((e) => e.id === original.id)!.keywords.$answered).toBe(true);

    const again = await h.call('compose.prepare', { accountId: account.id, mode: 'replyAll', emailId: original.id });
    expect(again.draft.to).toEqual([{ name: 'Bea Sender', email: b }]); // never the user's own address
    expect(again.draft.cc).toEqual([]);
  });

  it('forwards as an attachment, carrying the original as message/rfc822', async () => {
    const b = freshUser('orig');
    const c = freshUser('fwd');
    const subject = `Report ${randomBytes(3).toString('hex')}`;
    await rawSend(b, a, subject, 'The numbers are in.');
    await eventually(async () => (await synced(), localInbox()), (l) => l.some((e) => e.subject === subject));
    const original = (await localInbox()).find((e) => e.subject === subject)!;
    const { draft } = await h.call('compose.prepare', { accountId: account.id, mode: 'forwardAsAttachment', emailId: original.id });
    expect(draft.subject).toBe(`Fwd: ${subject}`);
    expect(draft.attachments).toMatchObject([{ type: 'message/rfc822', name: `${subject}.eml` }]);
    await send({ ...draft, to: [{ name: null, email: c }] });
    const got = await eventually(() => mailOf(c), (l) => l.length > 0);
    expect(got[0]!.subject).toBe(`Fwd: ${subject}`);
    expect(got[0]!.attachments.map((x) => x.type)).toEqual(['message/rfc822']);
    expect((await mailOf(a)).find((e) => e.id === original.id)!.keywords.$forwarded).toBe(true);

    // Inline forward: the original below its headers.
    const inline = await h.call('compose.prepare', { accountId: account.id, mode: 'forward', emailId: original.id });
    expect(inline.draft.text).toContain('---------- Forwarded message ----------');
    expect(inline.draft.text).toContain('The numbers are in.');
  });

  it('uploads an attachment in chunks with progress, and the recipient gets the same bytes', async () => {
    const b = freshUser('file');
    const bytes = randomBytes(1_300_000);
    const { uploadId, chunkBytes } = await h.call('compose.uploadBegin', { accountId: account.id, name: 'data.bin', type: 'application/octet-stream', size: bytes.length });
    const phases: string[] = [];
    const off = h.core.onEvent((e) => {
      if (e.event === 'compose.uploadProgress' && e.payload.uploadId === uploadId) phases.push(e.payload.phase);
    });
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      await h.call('compose.uploadChunk', { uploadId, offset, base64: bytes.subarray(offset, offset + chunkBytes).toString('base64') });
    }
    const attachment = await h.call('compose.uploadFinish', { uploadId });
    off();
    expect(attachment).toMatchObject({ name: 'data.bin', size: bytes.length });
    expect(phases[0]).toBe('uploading');
    expect(phases.at(-1)).toBe('done');
    expect(phases.filter((p) => p === 'uploading').length).toBeGreaterThan(2);

    const subject = `File ${randomBytes(3).toString('hex')}`;
    await send(await newDraft({ to: [{ name: null, email: b }], subject, html: null, text: 'See attached.', attachments: [attachment] }));
    const mail = (await eventually(() => mailOf(b), (l) => l.length > 0))[0]!;
    expect(mail.htmlBody.every((p) => p.type === 'text/plain')).toBe(true); // plain text only
    const part = mail.attachments[0]!;
    expect(part.name).toBe('data.bin');
    const res = await fetch(new URL(`/jmap/download/${encodeURIComponent(b)}/${part.blobId}/data.bin`, cyrusEnv().baseUrl), { headers: { Authorization: basic(b, cyrusEnv().password) } });
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('holds a send for the undo window; undo within it means it is never sent and the draft is back', async () => {
    const b = freshUser('undo');
    const subject = `Oops ${randomBytes(3).toString('hex')}`;
    const draft = await newDraft({ to: [{ name: null, email: b }], subject, html: '<p>Not meant to go</p>' });
    const { draftId } = await h.call('compose.saveDraft', { accountId: account.id, draft });
    await synced();
    const inDrafts = async () => (await h.call('emails.list', { accountId: account.id, role: 'drafts' })).items.map((e) => e.id);
    expect(await inDrafts()).toEqual([draftId]);

    const { actionId, sendAt } = await h.call('compose.send', { accountId: account.id, draft, draftId, undoMs: 1500 });
    expect(sendAt).toBeGreaterThan(Date.now());
    expect(await inDrafts()).toEqual([]); // leaves Drafts while it is being sent
    expect(await h.call('compose.queued', {})).toMatchObject([{ actionId, subject, status: 'pending', attempts: 0 }]);
    await synced(); // a sync inside the window does not send it
    expect(await mailOf(b)).toEqual([]);

    const undone = await h.call('compose.undoSend', { actionId });
    expect(undone).toMatchObject({ undone: true, accountId: account.id, draftId, draft: { subject } });
    expect(await inDrafts()).toEqual([draftId]);
    await new Promise((r) => setTimeout(r, 2000));
    await synced();
    expect(await mailOf(b)).toEqual([]);
    expect(submissionsTo(b)).toBe(0);
    expect(await h.call('compose.queued', {})).toEqual([]);
    expect(await inDrafts()).toEqual([draftId]);
    expect(await h.call('compose.undoSend', { actionId })).toMatchObject({ undone: false });

    // Without undo, it goes by itself once the window ends.
    const sent = h.next('compose.sent', (p) => p.accountId === account.id, 15_000);
    const second = await h.call('compose.send', { accountId: account.id, draft, draftId, undoMs: 1000 });
    await sent;
    expect((await eventually(() => mailOf(b), (l) => l.length > 0)).map((e) => e.subject)).toEqual([subject]);
    expect(await h.call('compose.undoSend', { actionId: second.actionId })).toMatchObject({ undone: false, reason: 'It has already been sent.' });
  });

  it('queues a send while the server is unreachable and sends it exactly once after a restart', async () => {
    const b = freshUser('later');
    const subject = `Offline ${randomBytes(3).toString('hex')}`;
    const draft = await newDraft({ to: [{ name: null, email: b }], subject, html: '<p>Written on a plane</p>' });
    proxy.set('drop');
    const { actionId } = await h.call('compose.send', { accountId: account.id, draft, undoMs: 0 });
    await synced().catch(() => {});
    expect(await h.call('compose.queued', {})).toMatchObject([{ actionId, subject, status: 'pending' }]);

    h = await h.restart();
    await synced().catch(() => {});
    expect(await h.call('compose.queued', {})).toMatchObject([{ actionId, subject, status: 'pending' }]);
    expect(await mailOf(b)).toEqual([]);

    proxy.set('pass');
    await synced();
    await synced();
    expect(await h.call('compose.queued', {})).toEqual([]);
    const got = await eventually(() => mailOf(b), (l) => l.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    expect((await mailOf(b)).map((e) => e.subject)).toEqual([subject]);
    expect(got).toHaveLength(1);
    expect(submissionsTo(b)).toBe(1);
  });

  it('sends exactly once when the answer to the submission is lost and the app restarts', async () => {
    const b = freshUser('once');
    const subject = `Once ${randomBytes(3).toString('hex')}`;
    // The server gets each request whole and acts on it; the answers are cut in half.
    const draft = await newDraft({ to: [{ name: null, email: b }], subject, html: '<p>Only one, please</p>' });
    proxy.setPicker((req) => (req.method === 'POST' ? 'truncate' : 'pass'));
    const { actionId } = await h.call('compose.send', { accountId: account.id, draft, undoMs: 0 });
    await eventually(() => mailOf(b), (l) => l.length > 0);
    expect((await h.call('compose.queued', {})).find((q) => q.actionId === actionId)?.attempts).toBeGreaterThan(0);
    expect(submissionsTo(b)).toBe(1); // the first attempt did reach the server

    h = await h.restart(); // as if the app had crashed not knowing whether it was sent
    proxy.set('pass');
    const sent = h.next('compose.sent', (p) => p.actionId === actionId, 20_000);
    await h.call('sync.now', { accountId: account.id });
    await sent;
    await synced();
    expect(await h.call('compose.queued', {})).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    expect((await mailOf(b)).map((e) => e.subject)).toEqual([subject]);
    expect(submissionsTo(b)).toBe(1);
    const sentBox = await roleId(a, 'sent');
    expect((await mailOf(a)).filter((e) => e.subject === subject).map((e) => e.mailboxIds)).toEqual([{ [sentBox]: true }]);
  });

  it('refuses a message without recipients, reports a refused send, and gives it back to edit', async () => {
    const draft = await newDraft({ subject: 'Refused' });
    await expect(h.call('compose.send', { accountId: account.id, draft, undoMs: 0 })).rejects.toThrow(/at least one recipient/);
    const failed = h.next('outbox.failed', (p) => p.accountId === account.id);
    const bogus = { blobId: 'G0000000000000000000000000000000000000000', name: 'gone.txt', type: 'text/plain', size: 4 };
    const { actionId } = await h.call('compose.send', { accountId: account.id, draft: { ...draft, to: [{ name: null, email: freshUser('never') }], attachments: [bogus] }, undoMs: 0 });
    expect((await failed).message).toMatch(/^could not send "Refused"/);
    expect(await h.call('compose.queued', {})).toMatchObject([{ actionId, status: 'failed', subject: 'Refused' }]);
    expect(await h.call('compose.undoSend', { actionId })).toMatchObject({ undone: true, draft: { subject: 'Refused' } });
    expect(await h.call('compose.queued', {})).toEqual([]);
  });
});
