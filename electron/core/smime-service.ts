// The app's S/MIME: the keystore (private keys sealed under a keychain key), the trust anchors
// (system roots plus the CAs the user trusts), the per-message result cache, and reading one
// message: its raw bytes from the server, readSmimeMessage with the user's keys, the status
// cached as JSON per (account, email) and the opened content kept in memory only.
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import type { ComposeDraft } from '../../shared/contract';
import type { CertificateView, DecryptedContentView, SignatureView, SmimeDefaults, SmimeStatusView } from '../../shared/smime-contract';
import { IpcError } from '../../shared/errors';
import type { AccountService } from './accounts/account-service';
import { fetchRawMessage } from './reading-handlers';
import type { SecretStore } from './secrets/secret-store';
import { ContentLru, parseDecrypted, type DecryptedContent } from './smime/app-content';
import { serverSmimeStatus } from './smime/app-server-status';
import type { StoredCertificate } from './smime/cert-store';
import type { RecipientKey } from './smime/decrypt';
import { SmimeKeystore } from './smime/keystore';
import { readHeaders, splitEntity } from './smime/mime-parts';
import { readPkcs12 } from './smime/pkcs12';
import { readSmimeMessage } from './smime/read-message';
import { SmimeResultCache } from './smime/result-cache';
import { TrustAnchors } from './smime/trust';
import type { SignerInfo, SmimeLayer, SmimeReadSummary, SmimeResult } from './smime/types';
import type { Db } from './store/db';
import type { EmailQueries } from './store/email-queries';

export interface SmimeServiceDeps {
  db: Db;
  secrets: SecretStore;
  accounts: AccountService;
  queries: EmailQueries;
  /** Largest message opened (the same cap as the source view). */
  maxRawBytes?: number;
  /** Memory for opened content. */
  contentBytes?: number;
}

const smimeTypes = /^application\/(x-)?pkcs7-(mime|signature)$/i;

export class SmimeService {
  readonly keystore: SmimeKeystore;
  private readonly results: SmimeResultCache;
  private readonly contents: ContentLru;
  private trust: TrustAnchors | null = null;
  /** Unsealed decryption keys by fingerprint, for this run only (never written anywhere). */
  private readonly keys = new Map<string, RecipientKey>();
  /** One read per message at a time: the badge and the body ask together. */
  private readonly reading = new Map<string, Promise<SmimeStatusView | null>>();

  constructor(private readonly deps: SmimeServiceDeps) {
    this.keystore = new SmimeKeystore(deps.db, deps.secrets);
    this.results = new SmimeResultCache(deps.db);
    this.contents = new ContentLru(deps.contentBytes ?? 64 * 1024 * 1024);
  }

  // ── Reading ─────────────────────────────────────────────────────────────

  /** The message's S/MIME status (cached after the first read), or null when it is not S/MIME. */
  async status(accountId: string, emailId: string, recheck = false): Promise<SmimeStatusView | null> {
    const key = `${accountId}\u0000${emailId}`;
    const cached = recheck ? null : this.results.get(accountId, emailId);
    if (cached) return this.view(cached.summary, cached.checkedAt, await this.server(accountId, emailId));
    const running = this.reading.get(key);
    if (running) return running;
    const read = this.read(accountId, emailId).finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    return read;
  }

  /** The opened inside of an encrypted or opaque-signed message. */
  async content(accountId: string, emailId: string): Promise<DecryptedContentView> {
    const c = await this.opened(accountId, emailId);
    return {
      subject: c.subject,
      text: c.text,
      html: c.html,
      attachments: c.attachments.map((a, index) => ({ index, name: a.name, type: a.type, size: a.data.length, cid: a.cid, inline: a.inline })),
    };
  }

  async attachment(accountId: string, emailId: string, index: number): Promise<{ name: string; type: string; size: number; base64: string }> {
    const a = (await this.opened(accountId, emailId)).attachments[index];
    if (!a) throw new IpcError({ code: 'not-found', message: 'This message has no such attachment.' });
    return { name: a.name, type: a.type, size: a.data.length, base64: a.data.toString('base64') };
  }

  private async opened(accountId: string, emailId: string): Promise<DecryptedContent> {
    const key = `${accountId}\u0000${emailId}`;
    const hit = this.contents.get(key);
    if (hit) return hit;
    // Evicted (or never read this run): open it again; only the status is cached on disk.
    const status = await this.status(accountId, emailId, true);
    const again = this.contents.get(key);
    if (again) return again;
    if (!status) throw new IpcError({ code: 'not-found', message: 'This message is not signed or encrypted with S/MIME.' });
    const why = status.encrypted?.status === 'error' ? status.encrypted.message : status.signature?.status === 'error' ? status.signature.message : null;
    throw new IpcError({ code: 'invalid-params', message: why ?? 'This message holds no protected content to open.' });
  }

  private async read(accountId: string, emailId: string): Promise<SmimeStatusView | null> {
    if (!this.deps.accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
    const detail = this.deps.queries.detail(accountId, emailId);
    if (!detail) throw new IpcError({ code: 'not-found', message: 'This message is no longer here.' });
    // With the body synced, the stored parts say whether there is S/MIME at all (no download).
    if (detail.bodyStatus !== 0 && !storedSmimePart(detail.attachments)) return null;
    const raw = await fetchRawMessage(this.deps, accountId, emailId, this.deps.maxRawBytes);
    if (!(await isSmime(raw))) return null;
    const result = await readSmimeMessage(raw, {
      fromAddress: detail.item.from[0]?.email ?? '',
      trust: this.anchors(),
      keys: await this.decryptionKeys(),
    });
    const checkedAt = Date.now();
    this.results.put(accountId, emailId, result, checkedAt);
    const opaque = result.layers.some((l) => l.kind === 'encrypted' || l.form === 'opaque');
    if (result.content && opaque) this.contents.put(`${accountId}\u0000${emailId}`, await parseDecrypted(result.content.raw));
    // A verified signer can be written to in encrypted mail from now on.
    if (result.signature?.status === 'valid' && result.signature.signer.certificateDer) {
      try {
        this.keystore.collectSignerCertificate(Buffer.from(result.signature.signer.certificateDer, 'base64'));
      } catch {
        // An unusual certificate that verified but cannot be stored: nothing to encrypt to.
      }
    }
    return this.view(result, checkedAt, await this.server(accountId, emailId));
  }

  /** RFC 9219: the server's own verdict, when it offers one; a failure there is not ours to show. */
  private async server(accountId: string, emailId: string): Promise<SmimeStatusView['server']> {
    try {
      const { client, jmapAccountId } = await this.deps.accounts.clientFor(accountId);
      return await serverSmimeStatus(client, jmapAccountId, emailId);
    } catch {
      return null;
    }
  }

  private view(summary: SmimeReadSummary, checkedAt: number, server: SmimeStatusView['server']): SmimeStatusView {
    return {
      signature: summary.signature ? signatureView(summary.signature) : null,
      encrypted: summary.encrypted,
      layers: summary.layers.map((l): SmimeStatusView['layers'][number] => (l.kind === 'signed' ? { ...l, result: signatureView(l.result) } : layerCopy(l))),
      server,
      checkedAt,
    };
  }

  private anchors(): TrustAnchors {
    if (!this.trust) {
      const all = this.keystore.list();
      this.trust = new TrustAnchors({
        userCas: all.filter((c) => c.kind === 'ca').map((c) => new Uint8Array(c.der)),
        // Chains that came with PKCS#12 files and certificates of correspondents: intermediates, never anchors.
        intermediates: all.filter((c) => c.kind !== 'ca').map((c) => new Uint8Array(c.der)),
      });
    }
    return this.trust;
  }

  /** Every own certificate's key, unsealed once per run through the keystore's PKCS#12 export. */
  private async decryptionKeys(): Promise<RecipientKey[]> {
    const own = this.keystore.list().filter((c) => c.kind === 'own' && c.hasPrivateKey);
    const out: RecipientKey[] = [];
    for (const c of own) {
      let key = this.keys.get(c.fingerprint);
      if (!key) {
        try {
          // The keystore hands a key out only inside a PKCS#12; a one-off password wraps it here.
          const password = randomBytes(24).toString('base64');
          const p12 = await readPkcs12(await this.keystore.exportPkcs12(c.fingerprint, password), password);
          const privateKey: KeyObject = createPrivateKey({ key: p12.privateKey, format: 'der', type: 'pkcs8' });
          key = { certificateDer: new Uint8Array(c.der), privateKey };
          this.keys.set(c.fingerprint, key);
        } catch {
          continue; // a key the keychain can no longer unlock decrypts nothing
        }
      }
      out.push(key);
    }
    return out;
  }

  /** New keys or anchors can change every verdict: forget them all. */
  private changed(): void {
    this.trust = null;
    this.keys.clear();
    this.results.clear();
    this.contents.clear();
  }

  // ── Certificates ────────────────────────────────────────────────────────

  certificates(): CertificateView[] {
    return this.keystore.list().map(certificateView);
  }

  async importPkcs12(bytes: Buffer, password: string): Promise<CertificateView[]> {
    let leaf: StoredCertificate;
    try {
      leaf = await this.keystore.importPkcs12(bytes, password);
    } catch (err) {
      throw new IpcError({ code: 'invalid-params', message: (err as Error).message || 'This file could not be read as PKCS#12.' });
    }
    this.changed();
    return [certificateView(leaf)];
  }

  importCertificates(bytes: Buffer, kind: 'ca' | 'contact'): CertificateView[] {
    let added: StoredCertificate[];
    try {
      added = this.keystore.importCertificate(bytes, kind);
    } catch (err) {
      throw new IpcError({ code: 'invalid-params', message: (err as Error).message || 'No certificate found in this file.' });
    }
    this.changed();
    return added.map(certificateView);
  }

  exportCertificate(fingerprint: string, format: 'pem' | 'der'): { filename: string; type: string; base64: string } {
    const cert = this.keystore.list().find((c) => c.fingerprint === fingerprint);
    if (!cert) throw new IpcError({ code: 'not-found', message: 'No such certificate.' });
    const data = this.keystore.export(fingerprint, format);
    const base = (cert.emails[0] ?? /CN=([^,]+)/.exec(cert.subject)?.[1] ?? 'certificate').replace(/[^\w.@-]+/g, '_').slice(0, 80);
    return format === 'pem'
      ? { filename: `${base}.pem`, type: 'application/x-pem-file', base64: data.toString('base64') }
      : { filename: `${base}.cer`, type: 'application/pkix-cert', base64: data.toString('base64') };
  }

  deleteCertificate(fingerprint: string): boolean {
    const deleted = this.keystore.delete(fingerprint);
    if (deleted) this.changed();
    return deleted;
  }

  // ── Composing ───────────────────────────────────────────────────────────

  /** The addresses (as given) without a usable certificate to encrypt to. */
  missingCertificates(addresses: string[]): string[] {
    const seen = new Set<string>();
    return addresses.filter((a) => {
      const k = a.trim().toLowerCase();
      if (!k || seen.has(k)) return false;
      seen.add(k);
      return this.keystore.certificatesFor(k).length === 0;
    });
  }

  canSign(email: string): boolean {
    return this.keystore.certificatesFor(email.trim().toLowerCase()).some((c) => c.kind === 'own' && c.hasPrivateKey);
  }

  /** Refuses a send that cannot be signed or encrypted, naming every address that lacks a certificate. */
  checkSend(draft: ComposeDraft, from: { email: string }): void {
    if (draft.smime.sign && !this.canSign(from.email)) {
      throw new IpcError({ code: 'invalid-params', message: `Cannot sign: there is no certificate with a private key for ${from.email}. Import one in Settings → Security.` });
    }
    if (!draft.smime.encrypt) return;
    // The sender too: the Sent copy is encrypted to them, or they could not read it.
    const missing = this.missingCertificates([...draft.to, ...draft.cc, ...draft.bcc].map((a) => a.email).concat(from.email));
    const named = missing.map((e) => (e.toLowerCase() === from.email.toLowerCase() ? `${e} (you)` : e));
    if (named.length) throw new IpcError({ code: 'invalid-params', message: `Cannot encrypt: no certificate for ${named.join(', ')}.` });
  }

  defaults(accountId: string, identityId: string): SmimeDefaults {
    const row = this.deps.db
      .prepare('SELECT sign, encrypt FROM smime_identity_default WHERE account_id = ? AND identity_id = ?')
      .get(accountId, identityId) as { sign: number; encrypt: number } | undefined;
    return { sign: row?.sign === 1, encrypt: row?.encrypt === 1 };
  }

  setDefaults(accountId: string, identityId: string, d: SmimeDefaults): SmimeDefaults {
    if (!this.deps.accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
    this.deps.db
      .prepare(
        'INSERT INTO smime_identity_default (account_id, identity_id, sign, encrypt) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, identity_id) DO UPDATE SET sign = excluded.sign, encrypt = excluded.encrypt',
      )
      .run(accountId, identityId, d.sign ? 1 : 0, d.encrypt ? 1 : 0);
    return this.defaults(accountId, identityId);
  }
}

/** Whether the stored attachment list (JSON) has an S/MIME part. */
function storedSmimePart(attachmentsJson: string): boolean {
  try {
    const list = JSON.parse(attachmentsJson) as unknown;
    return Array.isArray(list) && list.some((a) => typeof a === 'object' && a !== null && smimeTypes.test(String((a as { type?: unknown }).type ?? '')));
  } catch {
    return true; // unknown: look at the message itself
  }
}

/** The top-level Content-Type decides: multipart/signed or pkcs7-mime (or a .p7m octet stream). */
async function isSmime(raw: Uint8Array): Promise<boolean> {
  const { contentType: ct } = await readHeaders(splitEntity(raw).header);
  if (ct.type === 'multipart/signed') return /pkcs7-signature/i.test(ct.params.protocol ?? '');
  return /^application\/(x-)?pkcs7-mime$/.test(ct.type) || (ct.type === 'application/octet-stream' && /\.p7m$/i.test(ct.params.name ?? ''));
}

/** The signer without its certificate bytes (kept in the cache only to collect it). */
function signerView(s: SignerInfo): Omit<SignerInfo, 'certificateDer'> {
  const { certificateDer: _der, ...rest } = s;
  return rest;
}

function signatureView(r: SmimeResult): SignatureView {
  switch (r.status) {
    case 'valid':
      return { status: 'valid', signer: signerView(r.signer) };
    case 'valid-but-untrusted':
      return { status: 'valid-but-untrusted', reason: r.reason, signer: signerView(r.signer) };
    case 'invalid':
      return r.signer ? { status: 'invalid', problem: r.problem, detail: r.detail, signer: signerView(r.signer) } : { status: 'invalid', problem: r.problem, detail: r.detail };
    case 'error':
      return { status: 'error', message: r.message };
  }
}

function layerCopy(l: Extract<SmimeLayer, { kind: 'encrypted' }>): SmimeStatusView['layers'][number] {
  return { kind: 'encrypted', form: l.form, result: l.result };
}

function certificateView(c: StoredCertificate): CertificateView {
  return { fingerprint: c.fingerprint, kind: c.kind, subject: c.subject, issuer: c.issuer, emails: c.emails, notBefore: c.notBefore, notAfter: c.notAfter, hasPrivateKey: c.hasPrivateKey };
}
