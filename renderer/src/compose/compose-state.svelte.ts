// The compose window's state: one message being written at a time (opening another saves and
// closes the current one), its autosave, its attachments' uploads, and the sends still in the
// outbox (in their undo window, waiting to be online, or refused). Only this file talks to the
// core about compose.
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { ComposeAttachment, ComposeDraft, ComposeMode, IdentityView, Params, QueuedSendView } from '../../../shared/contract';
import { IpcError } from '../../../shared/errors';
import type { Transport } from '../../../shared/transport';
import type { Address } from '../format';
import { messageOf, type MailState } from '../mail-state.svelte';
import type { Toasts } from '../toasts.svelte';
import { isEmail, parseAddresses, type ParsedAddress } from './address';
import { htmlToPlain, isBlank, plainToHtml, sanitizeForEditor } from './editor-html';

/** How long after the last keystroke a draft is saved. */
const autosaveMs = 2000;
/** After a failed save (e.g. offline), the next try. */
const retryMs = 15_000;
const undoKey = 'meridian.undoSendSeconds';
const plainKey = 'meridian.composePlain';
export const undoChoices = [0, 5, 10, 20, 30] as const;

type DraftInput = Params<'compose.send'>['draft'];

export interface AttachmentItem {
  key: string;
  name: string;
  size: number;
  type: string;
  state: 'uploading' | 'done' | 'failed';
  /** 0…1: the bytes handed to the app, then to the server. */
  progress: number;
  error: string | null;
  uploadId: string | null;
  attachment: ComposeAttachment | null;
}

let nextKey = 1;

function readNumber(key: string, fallback: number): number {
  try {
    const v = localStorage.getItem(key);
    return v === null || Number.isNaN(Number(v)) ? fallback : Number(v);
  } catch {
    return fallback;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or storage full: the choice lasts for this window only.
  }
}

export class ComposeSession {
  readonly id = nextKey++;
  accountId = $state('');
  draftId = $state<string | null>(null);
  identityId = $state('');
  to = $state<ParsedAddress[]>([]);
  cc = $state<ParsedAddress[]>([]);
  bcc = $state<ParsedAddress[]>([]);
  /** Text typed in a recipient field but not yet made a token; Send takes it too. */
  pending = $state<{ to: string; cc: string; bcc: string }>({ to: '', cc: '', bcc: '' });
  showCc = $state(false);
  showBcc = $state(false);
  subject = $state('');
  plain = $state(false);
  /** The editor's content in rich mode; the editor is uncontrolled and starts from `seed`. */
  html = '';
  text = $state('');
  seed = $state('');
  /** Bumped when the editor must start over from `seed` (plain/rich switch, restore). */
  seedVersion = $state(0);
  attachments = $state<AttachmentItem[]>([]);
  saveState = $state<'new' | 'saving' | 'saved' | 'failed'>('new');
  savedAt = $state<number | null>(null);
  saveError = $state<string | null>(null);
  sending = $state(false);
  error = $state<string | null>(null);
  /** Send was pressed with an empty subject: asking first. */
  confirmEmptySubject = $state(false);
  /** S/MIME for this message; smimeChosen once the user (or a restored send) set it, so identity defaults stop applying. */
  smime = $state<{ sign: boolean; encrypt: boolean }>({ sign: false, encrypt: false });
  smimeChosen = $state(false);
  readonly mode: ComposeMode;
  inReplyTo: string[] = [];
  references: string[] = [];
  origin: ComposeDraft['origin'] = null;
  private revision = 0;
  private savedRevision = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> | null = null;
  closed = false;

  constructor(
    private readonly transport: Transport,
    mode: ComposeMode,
    accountId: string,
    draftId: string | null,
    draft: ComposeDraft,
    plain: boolean,
  ) {
    this.mode = mode;
    this.accountId = accountId;
    this.draftId = draftId;
    this.identityId = draft.identityId;
    this.to = draft.to.map((a) => ({ ...a, valid: isEmail(a.email) }));
    this.cc = draft.cc.map((a) => ({ ...a, valid: isEmail(a.email) }));
    this.bcc = draft.bcc.map((a) => ({ ...a, valid: isEmail(a.email) }));
    this.showCc = this.cc.length > 0;
    this.showBcc = this.bcc.length > 0;
    this.subject = draft.subject;
    this.inReplyTo = draft.inReplyTo;
    this.references = draft.references;
    this.origin = draft.origin;
    this.smime = { ...draft.smime };
    this.smimeChosen = draft.smime.sign || draft.smime.encrypt;
    this.attachments = draft.attachments.map((a) => ({
      key: `a${nextKey++}`, name: a.name, size: a.size, type: a.type, state: 'done', progress: 1, error: null, uploadId: null, attachment: a,
    }));
    // A saved draft keeps its kind; a new message (which comes with both) the preferred one.
    this.plain = draft.html === null ? true : mode !== 'draft' ? plain : false;
    this.text = draft.text;
    if (!this.plain) this.setSeed(sanitizeForEditor(draft.html ?? ''));
    if (draftId) {
      this.saveState = 'saved';
      this.savedAt = Date.now();
    }
  }

  get dirty(): boolean {
    return this.revision !== this.savedRevision;
  }

  get uploading(): boolean {
    return this.attachments.some((a) => a.state === 'uploading');
  }

  /** Anything worth keeping as a draft. */
  get hasContent(): boolean {
    const body = this.plain ? this.text.trim() !== '' : !isBlank(this.html);
    return body || this.subject.trim() !== '' || this.to.length + this.cc.length + this.bcc.length > 0 || this.attachments.length > 0;
  }

  private setSeed(html: string): void {
    this.seed = html;
    this.html = html;
    this.seedVersion++;
  }

  /** Something changed: save a little after typing stops. */
  touch(): void {
    this.revision++;
    this.error = null;
    this.schedule(autosaveMs);
  }

  setHtml(html: string): void {
    this.html = html;
    this.touch();
  }

  /** Switches between rich and plain text, converting what is written. */
  setPlain(plain: boolean, editor: HTMLElement | null): void {
    if (plain === this.plain) return;
    if (plain) {
      const holder = document.createElement('div');
      holder.innerHTML = sanitizeForEditor(editor?.innerHTML ?? this.html);
      this.text = htmlToPlain(holder);
    } else {
      this.setSeed(plainToHtml(this.text));
    }
    this.plain = plain;
    store(plainKey, plain ? '1' : '0');
    this.touch();
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save();
    }, ms);
  }

  draft(): DraftInput {
    const clean = (list: ParsedAddress[]) => list.filter((a) => a.valid).map((a) => ({ name: a.name, email: a.email.trim() }));
    return {
      identityId: this.identityId,
      to: clean(this.to),
      cc: clean(this.cc),
      bcc: clean(this.bcc),
      subject: this.subject,
      html: this.plain ? null : this.html,
      text: this.plain ? this.text : '',
      inReplyTo: this.inReplyTo,
      references: this.references,
      attachments: this.attachments.flatMap((a) => (a.state === 'done' && a.attachment ? [a.attachment] : [])),
      origin: this.origin,
      smime: { sign: this.smime.sign, encrypt: this.smime.encrypt },
    };
  }

  /** Saves now if anything changed; one save at a time, the latest content last. */
  async save(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.saving) {
      await this.saving;
      if (this.dirty) return this.save();
      return;
    }
    if (!this.dirty || (!this.hasContent && !this.draftId)) return;
    const revision = this.revision;
    this.saveState = 'saving';
    this.saving = (async () => {
      try {
        const { draftId } = await this.transport.request('compose.saveDraft', { accountId: this.accountId, draft: this.draft(), replaceId: this.draftId });
        this.draftId = draftId;
        this.savedRevision = revision;
        this.saveState = 'saved';
        this.savedAt = Date.now();
        this.saveError = null;
      } catch (err) {
        this.saveState = 'failed';
        this.saveError = err instanceof IpcError && err.code === 'server-unreachable' ? 'Offline — the draft will be saved when the connection is back' : messageOf(err);
        this.schedule(retryMs);
      } finally {
        this.saving = null;
      }
    })();
    await this.saving;
  }

  /** Stops autosaving; waits for a save in flight. */
  async settle(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.saving) await this.saving;
  }

  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // ---- attachments -------------------------------------------------------------------

  async attach(files: Iterable<File>): Promise<void> {
    await Promise.all([...files].map((f) => this.upload(f)));
  }

  private async upload(file: File): Promise<void> {
    const item: AttachmentItem = {
      key: `a${nextKey++}`, name: file.name || 'attachment', size: file.size, type: file.type || 'application/octet-stream',
      state: 'uploading', progress: 0, error: null, uploadId: null, attachment: null,
    };
    this.attachments = [...this.attachments, item];
    const update = (patch: Partial<AttachmentItem>) => {
      this.attachments = this.attachments.map((a) => (a.key === item.key ? { ...a, ...patch } : a));
    };
    try {
      const { uploadId, chunkBytes } = await this.transport.request('compose.uploadBegin', { accountId: this.accountId, name: item.name, type: item.type, size: file.size });
      update({ uploadId });
      for (let offset = 0; offset < file.size || (offset === 0 && file.size === 0); offset += chunkBytes) {
        if (!this.attachments.some((a) => a.key === item.key)) {
          void this.transport.request('compose.uploadCancel', { uploadId }).catch(() => {});
          return; // removed meanwhile
        }
        const chunk = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
        await this.transport.request('compose.uploadChunk', { uploadId, offset, base64: toBase64(chunk) });
        update({ progress: (Math.min(file.size, offset + chunkBytes) / Math.max(1, file.size)) * 0.5 });
        if (file.size === 0) break;
      }
      const attachment = await this.transport.request('compose.uploadFinish', { uploadId });
      if (!this.attachments.some((a) => a.key === item.key)) return;
      update({ state: 'done', progress: 1, attachment, uploadId: null });
      this.touch();
    } catch (err) {
      update({ state: 'failed', error: messageOf(err), uploadId: null });
    }
  }

  /** Server-side progress of an upload: the second half of the bar. */
  uploadProgress(uploadId: string, sent: number, total: number): void {
    this.attachments = this.attachments.map((a) => (a.uploadId === uploadId && a.state === 'uploading' ? { ...a, progress: 0.5 + (sent / Math.max(1, total)) * 0.5 } : a));
  }

  removeAttachment(key: string): void {
    const item = this.attachments.find((a) => a.key === key);
    if (item?.uploadId) void this.transport.request('compose.uploadCancel', { uploadId: item.uploadId }).catch(() => {});
    this.attachments = this.attachments.filter((a) => a.key !== key);
    this.touch();
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export type OpenRequest =
  | { mode: ComposeMode; accountId: string; emailId?: string }
  | { restore: { accountId: string; draftId: string | null; draft: ComposeDraft } };

export class Composer {
  session = $state.raw<ComposeSession | null>(null);
  expanded = $state(false);
  opening = $state(false);
  readonly identities = new SvelteMap<string, IdentityView[]>();
  queued = $state.raw<QueuedSendView[]>([]);
  undoSeconds = $state(readNumber(undoKey, 10));
  /** Set by the panel, so "c" on an open composer focuses it instead of replacing it. */
  focus: () => void = () => {};

  constructor(
    private readonly transport: Transport,
    private readonly mail: MailState,
    private readonly toasts: Toasts,
  ) {}

  listen(): () => void {
    void this.refreshQueued();
    const offs = [
      this.transport.on('outbox.changed', () => void this.refreshQueued()),
      this.transport.on('compose.sent', () => {
        void this.refreshQueued();
        this.toasts.info('Message sent');
      }),
      this.transport.on('compose.uploadProgress', ({ uploadId, phase, sent, total }) => {
        if (phase === 'uploading') this.session?.uploadProgress(uploadId, sent, total);
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  suggest(accountId: string, query: string): Promise<Address[]> {
    return this.transport.request('compose.suggestRecipients', { accountId, query });
  }

  setUndoSeconds(seconds: number): void {
    this.undoSeconds = seconds;
    store(undoKey, String(seconds));
  }

  /** The account a new message is written from: the one in view, else the first. */
  defaultAccount(): string | null {
    return this.mail.selection?.accountId ?? this.mail.accounts[0]?.id ?? null;
  }

  async identitiesOf(accountId: string): Promise<IdentityView[]> {
    const known = this.identities.get(accountId);
    if (known?.length) return known;
    const list = await this.transport.request('identities.list', { accountId });
    this.identities.set(accountId, list);
    return list;
  }

  async open(request: OpenRequest): Promise<void> {
    if (this.opening) return;
    this.opening = true;
    try {
      await this.closeCurrent();
      let accountId: string;
      let draftId: string | null;
      let draft: ComposeDraft;
      let mode: ComposeMode;
      if ('restore' in request) {
        ({ accountId, draftId, draft } = request.restore);
        mode = 'draft';
      } else {
        const prepared = await this.transport.request('compose.prepare', request);
        ({ accountId, draftId, draft } = prepared);
        mode = request.mode;
      }
      const session = new ComposeSession(this.transport, mode, accountId, draftId, draft, readNumber(plainKey, 0) === 1);
      // A restored send is a draft again: it must be saved if the user closes it unchanged.
      if ('restore' in request) session.touch();
      this.session = session;
      void this.identitiesOf(accountId).catch(() => {});
    } catch (err) {
      this.toasts.error(`Could not start the message: ${messageOf(err)}`);
    } finally {
      this.opening = false;
    }
  }

  /** Closes the composer, keeping what was written as a draft. */
  async closeCurrent(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.session = null;
    await s.settle();
    if (s.dirty && (s.hasContent || s.draftId)) await s.save();
    if (s.saveState === 'failed') this.toasts.error(`The draft could not be saved: ${s.saveError ?? 'unknown error'}`);
    else if (s.draftId) this.toasts.info('Draft saved');
    s.stop();
  }

  /** Closes the composer and deletes its draft. */
  async discard(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.session = null;
    s.stop();
    await s.settle();
    for (const a of s.attachments) if (a.uploadId) void this.transport.request('compose.uploadCancel', { uploadId: a.uploadId }).catch(() => {});
    if (s.draftId) {
      try {
        await this.transport.request('compose.discardDraft', { accountId: s.accountId, draftId: s.draftId });
      } catch (err) {
        this.toasts.error(`Could not delete the draft: ${messageOf(err)}`);
        return;
      }
    }
    this.toasts.info(s.draftId ? 'Draft discarded' : 'Message discarded');
  }

  /** Sends the open message, after checks; it waits in the outbox for the undo window. */
  async send(force = false): Promise<void> {
    const s = this.session;
    if (!s || s.sending) return;
    for (const field of ['to', 'cc', 'bcc'] as const) {
      if (s.pending[field].trim()) {
        s[field] = [...s[field], ...parseAddresses(s.pending[field])];
        s.pending = { ...s.pending, [field]: '' };
      }
    }
    const all = [...s.to, ...s.cc, ...s.bcc];
    const invalid = all.filter((a) => !a.valid);
    if (invalid.length) {
      s.error = `Not an email address: ${invalid.map((a) => a.email).join(', ')}`;
      return;
    }
    if (!all.length) {
      s.error = 'Add at least one recipient.';
      return;
    }
    if (s.uploading) {
      s.error = 'Wait for the attachments to finish uploading.';
      return;
    }
    if (s.attachments.some((a) => a.state === 'failed')) {
      s.error = 'Remove the attachments that failed to upload, or attach them again.';
      return;
    }
    if (!s.subject.trim() && !force) {
      s.confirmEmptySubject = true;
      return;
    }
    s.confirmEmptySubject = false;
    s.sending = true;
    s.error = null;
    try {
      await s.settle();
      const { actionId } = await this.transport.request('compose.send', {
        accountId: s.accountId,
        draft: s.draft(),
        draftId: s.draftId,
        undoMs: this.undoSeconds * 1000,
      });
      s.stop();
      if (this.session === s) this.session = null;
      await this.refreshQueued();
      // Nothing to undo when the window is zero; the status still shows it until it is sent.
      if (!this.queued.some((q) => q.actionId === actionId)) this.toasts.info('Message sent');
    } catch (err) {
      s.error = `Could not send: ${messageOf(err)}`;
    } finally {
      s.sending = false;
    }
  }

  /** Takes a send back and reopens it, if the server has not got it yet. */
  async undo(actionId: number): Promise<void> {
    try {
      const res = await this.transport.request('compose.undoSend', { actionId });
      await this.refreshQueued();
      if (!res.undone || !res.draft || !res.accountId) {
        this.toasts.error(`Too late to undo: ${res.reason ?? 'it has been sent'}`);
        return;
      }
      await this.open({ restore: { accountId: res.accountId, draftId: res.draftId, draft: res.draft } });
    } catch (err) {
      this.toasts.error(`Could not undo: ${messageOf(err)}`);
    }
  }

  async refreshQueued(): Promise<void> {
    try {
      this.queued = await this.transport.request('compose.queued', {});
    } catch (err) {
      console.warn('compose.queued failed', err);
    }
  }

  /** Whether the account of a queued send can reach its server now. */
  online(accountId: string): boolean {
    const state = this.mail.accounts.find((a) => a.id === accountId)?.status.state;
    return state === 'online' || state === 'connecting';
  }
}

const key = Symbol('composer');

export function setComposer(composer: Composer): void {
  setContext(key, composer);
}

export function getComposer(): Composer {
  const composer = getContext<Composer | undefined>(key);
  if (!composer) throw new Error('Composer is not in context');
  return composer;
}
