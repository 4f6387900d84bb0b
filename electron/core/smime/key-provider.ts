// The keystore as the key source of compose-smime.ts: the sender's newest valid own identity,
// and for each recipient their newest valid certificate. What a recipient can read (OAEP, GCM)
// comes from the caller, who may know it from the SMIMECapabilities of their signed mail.
import type { SmimeKeys } from './compose-smime';
import type { EncryptRecipient } from './encrypt';
import type { SmimeKeystore } from './keystore';

export type KnownCapabilities = (email: string, fingerprint: string) => Pick<EncryptRecipient, 'oaep' | 'gcm'> | null;

export function keysFromKeystore(store: SmimeKeystore, known: KnownCapabilities = () => null): SmimeKeys {
  return {
    signer: async (email) => {
      const me = await store.ownIdentity(email);
      return me ? { certificate: me.certificate, chain: me.chain, privateKey: me.privateKey } : null;
    },
    recipient: (email) => {
      const cert = store.certificatesFor(email)[0];
      if (!cert) return null;
      return { email, certificate: cert.der, ...(known(email, cert.fingerprint) ?? {}) };
    },
  };
}
