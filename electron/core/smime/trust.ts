// Trust anchors (Node's bundled Mozilla roots plus CAs the user imported) and path building
// from a signer certificate up to one of them, with the purpose checks S/MIME needs.
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { fingerprintOf, isValidAt, parseCertificateCached, type CertificateInfo, type ParsedCertificate } from './certificate';
import { oid } from './cms-asn1';

export interface TrustOptions {
  /** DER certificates the user chose to trust as roots. */
  userCas?: Uint8Array[];
  /** DER certificates that may serve as intermediates (e.g. collected from earlier messages). */
  intermediates?: Uint8Array[];
  /** Include the Mozilla roots bundled with Node (default true; tests turn it off). */
  systemRoots?: boolean;
}

export interface PathResult {
  /** Leaf first; ends at the anchor when trusted, else wherever building stopped. */
  chain: ParsedCertificate[];
  trusted: boolean;
  /** Why the path is not trusted (null when trusted). */
  problem: string | null;
}

/** A certificate known to the store; parsed with pkijs only once it ends up in a path. */
interface Candidate {
  x509: X509Certificate;
  der: Uint8Array;
  fingerprint: string;
  parsed?: ParsedCertificate;
}

const maxDepth = 8;
/** Issuer signature checks per path search: hostile messages can carry many look-alike CAs. */
const maxSignatureChecks = 32;
/** CMS certificates considered as issuers (real messages carry a handful). */
const maxExtraCertificates = 50;
let systemRootCandidates: Candidate[] | null = null;

/** Node's roots parsed once per process (about 140 certificates, a few milliseconds). */
function systemRoots(): Candidate[] {
  systemRootCandidates ??= rootCertificates.flatMap((pem) => {
    try {
      const x509 = new X509Certificate(pem);
      return [{ x509, der: new Uint8Array(x509.raw), fingerprint: fingerprintOf(x509.raw) }];
    } catch {
      return [];
    }
  });
  return systemRootCandidates;
}

function candidate(der: Uint8Array): Candidate | null {
  try {
    return { x509: new X509Certificate(der), der, fingerprint: fingerprintOf(der) };
  } catch {
    return null;
  }
}

function parsedOf(c: Candidate): ParsedCertificate {
  c.parsed ??= parseCertificateCached(c.der);
  return c.parsed;
}

/**
 * What a signer's certificate is checked against. Cheap to construct (Node's roots are parsed
 * once per process); make a new one when the user's CAs or the intermediate pool change.
 */
export class TrustAnchors {
  private readonly anchorsBySubject = new Map<string, Candidate[]>();
  private readonly anchorFingerprints = new Set<string>();
  private readonly poolBySubject = new Map<string, Candidate[]>();

  constructor(opts: TrustOptions = {}) {
    const anchors = [...(opts.systemRoots === false ? [] : systemRoots()), ...(opts.userCas ?? []).flatMap((d) => candidate(d) ?? [])];
    for (const a of anchors) {
      this.anchorFingerprints.add(a.fingerprint);
      push(this.anchorsBySubject, a.x509.subject, a);
    }
    for (const d of opts.intermediates ?? []) {
      const c = candidate(d);
      if (c) push(this.poolBySubject, c.x509.subject, c);
    }
  }

  isAnchor(fingerprint: string): boolean {
    return this.anchorFingerprints.has(fingerprint);
  }

  /**
   * Builds a path from leaf to an anchor. Issuers come from the anchors, the pool and `extra`
   * (the CMS certificates field, already parsed); each link must pass OpenSSL's issuer check (names, key
   * identifiers, keyCertSign) and its signature must verify. Anchors are tried first.
   */
  buildPath(leaf: ParsedCertificate, extra: ParsedCertificate[] = []): PathResult {
    const extraBySubject = new Map<string, Candidate[]>();
    for (const parsed of extra.slice(0, maxExtraCertificates)) {
      push(extraBySubject, parsed.x509.subject, { x509: parsed.x509, der: parsed.der, fingerprint: parsed.info.fingerprint, parsed });
    }
    const start: Candidate = { x509: leaf.x509, der: leaf.der, fingerprint: leaf.info.fingerprint, parsed: leaf };
    let best: Candidate[] = [start];
    let budget = maxSignatureChecks;
    const walk = (path: Candidate[]): Candidate[] | null => {
      const last = path[path.length - 1]!;
      if (this.anchorFingerprints.has(last.fingerprint)) return path;
      if (path.length > best.length) best = path;
      if (path.length > maxDepth) return null;
      const issuerName = last.x509.issuer;
      const options = [
        ...(this.anchorsBySubject.get(issuerName) ?? []),
        ...(extraBySubject.get(issuerName) ?? []),
        ...(this.poolBySubject.get(issuerName) ?? []),
      ];
      for (const next of options) {
        if (path.some((p) => p.fingerprint === next.fingerprint)) continue;
        if (!last.x509.checkIssued(next.x509)) continue;
        if (budget-- <= 0) return null;
        let signed = false;
        try {
          signed = last.x509.verify(next.x509.publicKey);
        } catch {
          signed = false;
        }
        if (!signed) continue;
        const found = walk([...path, next]);
        if (found) return found;
      }
      return null;
    };
    const found = walk([start]);
    const chain = (found ?? best).map(parsedOf);
    if (!found) return { chain, trusted: false, problem: untrustedReason(chain) };
    const caProblem = issuerProblem(chain);
    return caProblem ? { chain, trusted: false, problem: caProblem } : { chain, trusted: true, problem: null };
  }
}

function push(map: Map<string, Candidate[]>, key: string, value: Candidate): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function untrustedReason(chain: ParsedCertificate[]): string {
  const top = chain[chain.length - 1]!;
  const selfSigned = top.info.selfIssued && top.x509.checkIssued(top.x509);
  if (selfSigned && chain.length === 1) return `The certificate is self-signed and not trusted ("${top.info.subject}")`;
  if (selfSigned) return `Unknown root: "${top.info.subject}" is not a trusted certificate authority`;
  return `Incomplete chain: the issuer "${top.info.issuer}" of "${top.info.subject}" was not found`;
}

/** Every certificate above the leaf must be a CA within its path length, fit for e-mail. */
function issuerProblem(chain: ParsedCertificate[]): string | null {
  for (const c of chain) {
    const unknown = c.info.unhandledCriticalExtensions;
    if (unknown.length > 0) return `"${c.info.subject}" has critical extensions this app cannot check (${unknown.join(', ')})`;
  }
  for (let i = 1; i < chain.length; i++) {
    const info = chain[i]!.info;
    if (!info.isCA) return `"${info.subject}" is not a certificate authority (basicConstraints)`;
    // Intermediates between the leaf and this CA (self-issued ones don't count, RFC 5280 §6.1.4).
    const below = chain.slice(1, i).filter((c) => !c.info.selfIssued).length;
    if (info.pathLength !== null && below > info.pathLength) return `"${info.subject}" allows at most ${info.pathLength} intermediate(s) below it`;
    if (i < chain.length - 1 && ekuProblem(info)) return `The intermediate "${info.subject}" is not allowed to issue e-mail certificates (extended key usage)`;
  }
  return null;
}

function ekuProblem(info: CertificateInfo): string | null {
  const eku = info.extendedKeyUsage;
  if (eku === null || eku.includes(oid.emailProtection) || eku.includes(oid.anyExtendedKeyUsage)) return null;
  return `The certificate's extended key usage (EKU) does not include e-mail protection (has: ${eku.map(ekuName).join(', ') || 'none'})`;
}

/** Why the certificate may not sign e-mail, or null when it may. */
export function signingPurposeProblem(info: CertificateInfo): string | null {
  const eku = ekuProblem(info);
  if (eku) return eku;
  const ku = info.keyUsage;
  if (ku && !ku.digitalSignature && !ku.nonRepudiation) return 'The certificate\'s key usage allows neither digitalSignature nor nonRepudiation';
  return null;
}

/** Why the certificate may not receive encrypted e-mail, or null when it may. */
export function encryptionPurposeProblem(info: CertificateInfo): string | null {
  const eku = ekuProblem(info);
  if (eku) return eku;
  const ku = info.keyUsage;
  const wanted = info.publicKey.algorithm === 'EC' ? ku?.keyAgreement : ku?.keyEncipherment;
  if (ku && !wanted) return `The certificate's key usage does not allow ${info.publicKey.algorithm === 'EC' ? 'keyAgreement' : 'keyEncipherment'}`;
  return null;
}

/** The first certificate in the chain that was not valid at `at`, with how. */
export function validityProblem(chain: ParsedCertificate[], at: Date): { cert: CertificateInfo; detail: string } | null {
  for (const c of chain) {
    if (isValidAt(c.info, at)) continue;
    const early = at.getTime() < Date.parse(c.info.notBefore);
    const when = at.toISOString();
    return {
      cert: c.info,
      detail: early
        ? `"${c.info.subject}" was not yet valid at ${when} (valid from ${c.info.notBefore})`
        : `"${c.info.subject}" had expired at ${when} (valid until ${c.info.notAfter})`,
    };
  }
  return null;
}

const ekuNames: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  [oid.emailProtection]: 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

function ekuName(o: string): string {
  return ekuNames[o] ?? o;
}
