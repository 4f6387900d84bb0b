// The certificate tables (migration 6): one row per certificate, keyed by its SHA-256, and the
// addresses it names. Plain SQL; the rules (what is valid for whom) live in keystore.ts.
import type { Db } from '../store/db';
import type { CertFacts } from './key-certificate';

export type CertKind = 'own' | 'ca' | 'contact';

export interface StoredCertificate {
  fingerprint: string;
  der: Buffer;
  kind: CertKind;
  subject: string;
  issuer: string;
  notBefore: number;
  notAfter: number;
  addedAt: number;
  emails: string[];
  hasPrivateKey: boolean;
}

interface Row {
  fingerprint: string;
  der: Buffer;
  kind: CertKind;
  subject: string;
  issuer: string;
  not_before: number;
  not_after: number;
  added_at: number;
  emails: string | null;
  has_key: number;
}

const select = `
  SELECT c.*, (SELECT group_concat(email, ' ') FROM smime_certificate_email e WHERE e.fingerprint = c.fingerprint) AS emails,
         EXISTS (SELECT 1 FROM smime_private_key k WHERE k.fingerprint = c.fingerprint) AS has_key
  FROM smime_certificate c`;

export class CertStore {
  constructor(private readonly db: Db) {}

  /**
   * Adds a certificate, or raises its kind (contact < ca < own): a known certificate never
   * drops from 'own' (it has a key) or 'ca' (the user trusted it) because it arrived again.
   */
  put(facts: CertFacts, kind: CertKind, now = Date.now()): void {
    this.db.transaction(() => {
      const existing = this.db.prepare('SELECT kind FROM smime_certificate WHERE fingerprint = ?').get(facts.fingerprint) as { kind: CertKind } | undefined;
      if (existing) {
        if (rank(kind) > rank(existing.kind)) this.db.prepare('UPDATE smime_certificate SET kind = ? WHERE fingerprint = ?').run(kind, facts.fingerprint);
        return;
      }
      this.db
        .prepare('INSERT INTO smime_certificate (fingerprint, der, kind, subject, issuer, not_before, not_after, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(facts.fingerprint, facts.der, kind, facts.subject, facts.issuer, facts.notBefore, facts.notAfter, now);
      const addEmail = this.db.prepare('INSERT OR IGNORE INTO smime_certificate_email (email, fingerprint) VALUES (?, ?)');
      for (const email of facts.emails) addEmail.run(email, facts.fingerprint);
    })();
  }

  get(fingerprint: string): StoredCertificate | null {
    const row = this.db.prepare(`${select} WHERE c.fingerprint = ?`).get(fingerprint.toLowerCase()) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  list(): StoredCertificate[] {
    return (this.db.prepare(`${select} ORDER BY c.kind, c.subject, c.not_before DESC`).all() as Row[]).map(fromRow);
  }

  /** Certificates naming this address, newest first. */
  forEmail(email: string): StoredCertificate[] {
    const rows = this.db
      .prepare(`${select} WHERE c.fingerprint IN (SELECT fingerprint FROM smime_certificate_email WHERE email = ?) ORDER BY c.not_before DESC, c.added_at DESC`)
      .all(email.trim().toLowerCase()) as Row[];
    return rows.map(fromRow);
  }

  /** Every certificate's DER, as a pool to build chains from. */
  allDer(): Buffer[] {
    return (this.db.prepare('SELECT der FROM smime_certificate').all() as { der: Buffer }[]).map((r) => r.der);
  }

  /** Deletes a certificate; its addresses and sealed key go with it (ON DELETE CASCADE). */
  delete(fingerprint: string): boolean {
    return this.db.prepare('DELETE FROM smime_certificate WHERE fingerprint = ?').run(fingerprint.toLowerCase()).changes > 0;
  }

  putSealedKey(fingerprint: string, sealed: Buffer): void {
    this.db.prepare('INSERT OR REPLACE INTO smime_private_key (fingerprint, sealed) VALUES (?, ?)').run(fingerprint, sealed);
  }

  sealedKey(fingerprint: string): Buffer | null {
    const row = this.db.prepare('SELECT sealed FROM smime_private_key WHERE fingerprint = ?').get(fingerprint) as { sealed: Buffer } | undefined;
    return row?.sealed ?? null;
  }
}

function rank(kind: CertKind): number {
  return kind === 'own' ? 2 : kind === 'ca' ? 1 : 0;
}

function fromRow(r: Row): StoredCertificate {
  return {
    fingerprint: r.fingerprint,
    der: r.der,
    kind: r.kind,
    subject: r.subject,
    issuer: r.issuer,
    notBefore: r.not_before,
    notAfter: r.not_after,
    addedAt: r.added_at,
    emails: r.emails ? r.emails.split(' ') : [],
    hasPrivateKey: r.has_key === 1,
  };
}
