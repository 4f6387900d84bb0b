// The user's S/MIME keys and the certificates of others. Private keys are kept in SQLite only
// sealed (AES-256-GCM) under a 256-bit key that lives in the OS keychain (SecretStore), made on
// first use; a stolen database file alone yields no key.
//
// PKCS#12 chains: the leaf becomes 'own' (it has the key); the CA certificates that came with it
// are stored as 'contact', i.e. available to build chains and to send along when signing, but
// NOT as trust anchors ('ca'): a file from a stranger must not be able to add a root the app
// trusts. Trusting a root stays an explicit importCertificate(…, 'ca').
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store';
import type { Db } from '../store/db';
import { CertStore, type StoredCertificate } from './cert-store';
import { certFacts, certificateDers, chainFor, toPem } from './key-certificate';
import { readPkcs12 } from './pkcs12';
import { writePkcs12 } from './p12-export';

/** Name of the keychain entry holding the sealing key (base64 of 32 bytes). */
export const sealingKeyName = 'smime-key-encryption-key';
const sealVersion = 1;

export interface OwnIdentity {
  fingerprint: string;
  certificate: Buffer;
  /** Intermediates above the certificate, nearest first; the root is left out. */
  chain: Buffer[];
  /** PKCS#8 DER, unsealed: keep it only as long as needed. */
  privateKey: Buffer;
}

export class SmimeKeystore {
  readonly certs: CertStore;
  private sealingKey: Promise<Buffer> | null = null;

  constructor(db: Db, private readonly secrets: SecretStore, private readonly now: () => number = Date.now) {
    this.certs = new CertStore(db);
  }

  /** Imports a .p12/.pfx: its certificate (with key) as 'own', the chain as 'contact'. */
  async importPkcs12(bytes: Uint8Array, password: string): Promise<StoredCertificate> {
    const p12 = await readPkcs12(bytes, password);
    const leaf = certFacts(p12.certificate);
    const sealed = await this.seal(p12.privateKey, leaf.fingerprint);
    this.certs.put(leaf, 'own', this.now());
    this.certs.putSealedKey(leaf.fingerprint, sealed);
    for (const der of p12.chain) this.certs.put(certFacts(der), 'contact', this.now());
    return this.certs.get(leaf.fingerprint)!;
  }

  /** Imports certificates (PEM, possibly several, or one DER): trust anchors or other people's. */
  importCertificate(input: Buffer | string, kind: 'ca' | 'contact'): StoredCertificate[] {
    const ders = certificateDers(input);
    if (!ders.length) throw new Error('No certificate found in this file.');
    const facts = ders.map(certFacts);
    const notCa = facts.find((f) => kind === 'ca' && !f.isCa);
    if (notCa) throw new Error(`${notCa.subject} is not a CA certificate, so it cannot be trusted as one.`);
    for (const f of facts) this.certs.put(f, kind, this.now());
    return facts.map((f) => this.certs.get(f.fingerprint)!);
  }

  list(): StoredCertificate[] {
    return this.certs.list();
  }

  /** A certificate as a file: PEM text or DER. Private keys leave only via exportPkcs12. */
  export(fingerprint: string, format: 'pem' | 'der'): Buffer {
    const cert = this.certs.get(fingerprint);
    if (!cert) throw new Error('No such certificate.');
    return format === 'der' ? Buffer.from(cert.der) : Buffer.from(toPem(cert.der));
  }

  /** An own certificate with its key and chain as a new PKCS#12 (PBES2/AES-256) under a new password. */
  async exportPkcs12(fingerprint: string, password: string): Promise<Buffer> {
    const cert = this.certs.get(fingerprint);
    const sealed = this.certs.sealedKey(fingerprint.toLowerCase());
    if (!cert || !sealed) throw new Error('There is no private key for this certificate.');
    const key = await this.unseal(sealed, cert.fingerprint);
    return writePkcs12({ privateKey: key, certificate: cert.der, chain: chainFor(cert.der, this.certs.allDer(), true) }, password);
  }

  delete(fingerprint: string): boolean {
    return this.certs.delete(fingerprint);
  }

  /**
   * Certificates to encrypt to this address: own or contact, valid now, allowing
   * emailProtection, newest first. (Chain trust is the verifier's business, not checked here.)
   */
  certificatesFor(email: string): StoredCertificate[] {
    const now = this.now();
    return this.certs.forEmail(email).filter((c) => {
      if (c.kind === 'ca' || c.notBefore > now || c.notAfter < now) return false;
      const f = certFacts(c.der);
      return f.emailProtection && !f.isCa;
    });
  }

  /** The newest valid own certificate for this address, with its key; null if there is none. */
  async ownIdentity(email: string): Promise<OwnIdentity | null> {
    const own = this.certificatesFor(email).find((c) => c.kind === 'own' && c.hasPrivateKey);
    if (!own) return null;
    const sealed = this.certs.sealedKey(own.fingerprint);
    if (!sealed) return null;
    return {
      fingerprint: own.fingerprint,
      certificate: own.der,
      chain: chainFor(own.der, this.certs.allDer()),
      privateKey: await this.unseal(sealed, own.fingerprint),
    };
  }

  /**
   * Keeps the signer's certificate of a verified message, so replies can be encrypted to
   * them. Only end-entity certificates naming an address and allowing emailProtection.
   */
  collectSignerCertificate(der: Buffer): StoredCertificate | null {
    const f = certFacts(der);
    if (f.isCa || !f.emails.length || !f.emailProtection) return null;
    this.certs.put(f, 'contact', this.now());
    return this.certs.get(f.fingerprint);
  }

  /** version ‖ IV(12) ‖ tag(16) ‖ ciphertext; the fingerprint is bound in as associated data. */
  private async seal(plain: Buffer, fingerprint: string): Promise<Buffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv);
    cipher.setAAD(Buffer.from(`smime-private-key:${fingerprint}`));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([sealVersion]), iv, cipher.getAuthTag(), body]);
  }

  private async unseal(sealed: Buffer, fingerprint: string): Promise<Buffer> {
    if (sealed[0] !== sealVersion || sealed.length < 29) throw new Error('This private key was stored in a form this app does not know.');
    const decipher = createDecipheriv('aes-256-gcm', await this.key(), sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(`smime-private-key:${fingerprint}`));
    decipher.setAuthTag(sealed.subarray(13, 29));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
    } catch {
      throw new Error('The private key cannot be unlocked: the keychain entry that protects it has changed or is missing.');
    }
  }

  /** The sealing key from the keychain, created there on first use. */
  private key(): Promise<Buffer> {
    this.sealingKey ??= (async () => {
      const stored = await this.secrets.get(sealingKeyName);
      if (stored) {
        const key = Buffer.from(stored, 'base64');
        if (key.length === 32) return key;
        throw new Error(`The keychain entry ${sealingKeyName} is not a 256-bit key.`);
      }
      const key = randomBytes(32);
      await this.secrets.set(sealingKeyName, key.toString('base64'));
      return key;
    })().catch((err: unknown) => {
      this.sealingKey = null;
      throw err;
    });
    return this.sealingKey;
  }
}
