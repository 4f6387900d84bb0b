// A throwaway S/MIME PKI made by the real peer, `openssl`: root → intermediate → users, plus
// the certificates that must NOT be trusted (expired, wrong EKU, from an unknown root) and
// PKCS#12 files in the modern (PBES2/AES) and legacy (3DES keys, RC2-40 certificate bag) forms.
// Made once per test process, in a temporary directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PkiUser {
  /** The address in the certificate's rfc822Name SAN (and emailAddress attribute). */
  email: string;
  certPem: string;
  /** PKCS#8, unencrypted. */
  keyPem: string;
  certPath: string;
  keyPath: string;
  /** PKCS#12 in OpenSSL 3's default form (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256), password `p12pass`. */
  p12: Buffer;
  p12Path: string;
  /** PKCS#12 as `openssl pkcs12 -export -legacy` writes it (pbeWithSHA1And3-KeyTripleDES-CBC key, RC2-40 cert bag). */
  p12Legacy: Buffer;
  p12LegacyPath: string;
}

export interface TestPki {
  dir: string;
  rootPem: string;
  rootPath: string;
  intermediatePem: string;
  intermediatePath: string;
  /** RSA 2048. */
  alice: PkiUser;
  /** RSA 4096. */
  bob: PkiUser;
  /** EC P-256. */
  carol: PkiUser;
  /** EC P-384. */
  dave: PkiUser;
  /** RSA 2048, valid only in 2020. */
  expired: PkiUser;
  /** RSA 2048 with extendedKeyUsage serverAuth only (no emailProtection). */
  wrongEku: PkiUser;
  /** RSA 2048 issued by a root that is not in the trust set. */
  untrusted: PkiUser;
  untrustedRootPem: string;
  p12Password: string;
}

export const p12Password = 'p12pass';

const openssl = (cwd: string, args: string[]) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

let made: TestPki | null = null;

/** The PKI, created on first use (RSA 4096 key generation takes about a second). */
export function testPki(): TestPki {
  made ??= createPki(mkdtempSync(join(tmpdir(), 'meridian-pki-')));
  return made;
}

/** The intermediate CA of the PKI made, for issueUser. */
let issuingCa: CaFiles | null = null;

/**
 * A further user certified by the test PKI's intermediate, for an address known only at run
 * time (e.g. a fresh Cyrus user), with the same files and PKCS#12 forms as the others.
 */
export function issueUser(email: string, key: 'rsa2048' | 'ec-p256' = 'rsa2048'): PkiUser {
  const pki = testPki();
  const name = `user-${email.replace(/[^A-Za-z0-9]/g, '_')}`;
  const alg = key === 'rsa2048' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  return makeUser(pki.dir, name, email, alg, issuingCa!, 'emailProtection');
}

function createPki(dir: string): TestPki {
  const root = makeCa(dir, 'root', 'Meridian Test Root CA', null);
  const intermediate = makeCa(dir, 'intermediate', 'Meridian Test Intermediate CA', root);
  issuingCa = intermediate;
  const other = makeCa(dir, 'other-root', 'Unknown Root CA', null);
  const user = (name: string, key: string[], opts: { ca?: CaFiles; eku?: string; dates?: [string, string] } = {}) =>
    makeUser(dir, name, `${name}@example.test`, key, opts.ca ?? intermediate, opts.eku ?? 'emailProtection', opts.dates);
  const rsa = (bits: number) => ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`];
  const ec = (curve: string) => ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`];
  return {
    dir,
    rootPem: readFileSync(root.cert, 'utf8'),
    rootPath: root.cert,
    intermediatePem: readFileSync(intermediate.cert, 'utf8'),
    intermediatePath: intermediate.cert,
    alice: user('alice', rsa(2048)),
    bob: user('bob', rsa(4096)),
    carol: user('carol', ec('P-256')),
    dave: user('dave', ec('P-384')),
    expired: user('expired', rsa(2048), { dates: ['20200101000000Z', '20201231000000Z'] }),
    wrongEku: user('wrongeku', rsa(2048), { eku: 'serverAuth' }),
    untrusted: user('untrusted', rsa(2048), { ca: other }),
    untrustedRootPem: readFileSync(other.cert, 'utf8'),
    p12Password,
  };
}

interface CaFiles {
  name: string;
  cert: string;
  key: string;
  /** The CA's chain above it (PEM files), for PKCS#12 bundles. */
  chain: string[];
}

/** The `openssl ca` configuration of one CA, written on first use; its serial file then counts on. */
function caConfig(dir: string, ca: CaFiles): string {
  const home = join(dir, `${ca.name}-db`);
  const conf = join(home, 'ca.cnf');
  if (existsSync(conf)) return conf;
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'index.txt'), '');
  // Random high bits keep serials unique across test runs' PKIs; an even digit count is what openssl reads.
  writeFileSync(join(home, 'serial'), `${(Math.floor(Math.random() * 0xefffff) + 0x100000).toString(16)}00\n`);
  writeFileSync(
    conf,
    [
      '[ca]',
      'default_ca = this',
      '[this]',
      `dir = ${home}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      `certificate = ${ca.cert}`,
      `private_key = ${ca.key}`,
      'default_md = sha256',
      'default_days = 3650',
      'policy = any',
      'unique_subject = no',
      'copy_extensions = none',
      '[any]',
      'commonName = supplied',
      'emailAddress = optional',
      'organizationName = optional',
      '',
    ].join('\n'),
  );
  return conf;
}

function makeCa(dir: string, name: string, cn: string, parent: CaFiles | null): CaFiles {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, '[v3]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n');
  if (!parent) {
    openssl(dir, ['req', '-x509', '-new', '-key', key, '-subj', `/O=Meridian Tests/CN=${cn}`, '-days', '3650', '-sha256', '-config', ext, '-extensions', 'v3', '-out', cert]);
    return { name, cert, key, chain: [] };
  }
  const csr = join(dir, `${name}.csr`);
  openssl(dir, ['req', '-new', '-key', key, '-subj', `/O=Meridian Tests/CN=${cn}`, '-out', csr]);
  openssl(dir, ['ca', '-batch', '-config', caConfig(dir, parent), '-in', csr, '-out', cert, '-extfile', ext, '-extensions', 'v3', '-notext']);
  return { name, cert, key, chain: [parent.cert, ...parent.chain] };
}

function makeUser(dir: string, name: string, email: string, keyAlg: string[], ca: CaFiles, eku: string, dates?: [string, string]): PkiUser {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  const csr = join(dir, `${name}.csr`);
  openssl(dir, ['genpkey', ...keyAlg, '-out', keyPath]);
  openssl(dir, ['req', '-new', '-key', keyPath, '-subj', `/O=Meridian Tests/CN=${name}/emailAddress=${email}`, '-out', csr]);
  const ext = join(dir, `${name}.ext`);
  const usage = keyAlg.includes('EC') ? 'digitalSignature, keyAgreement' : 'digitalSignature, keyEncipherment';
  writeFileSync(
    ext,
    `[v3]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, ${usage}\nextendedKeyUsage = ${eku}\nsubjectAltName = email:${email}\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n`,
  );
  const period = dates ? ['-startdate', dates[0], '-enddate', dates[1]] : [];
  openssl(dir, ['ca', '-batch', '-config', caConfig(dir, ca), '-in', csr, '-out', certPath, '-extfile', ext, '-extensions', 'v3', '-notext', ...period]);
  const chainPath = join(dir, `${name}-chain.pem`);
  writeFileSync(chainPath, [ca.cert, ...ca.chain].map((p) => readFileSync(p, 'utf8')).join(''));
  const p12Path = join(dir, `${name}.p12`);
  const p12LegacyPath = join(dir, `${name}-legacy.p12`);
  const p12 = ['pkcs12', '-export', '-inkey', keyPath, '-in', certPath, '-certfile', chainPath, '-name', name, '-passout', `pass:${p12Password}`];
  openssl(dir, [...p12, '-out', p12Path]);
  openssl(dir, [...p12, '-legacy', '-out', p12LegacyPath]);
  return {
    email,
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
    certPath,
    keyPath,
    p12: readFileSync(p12Path),
    p12Path,
    p12Legacy: readFileSync(p12LegacyPath),
    p12LegacyPath,
  };
}
