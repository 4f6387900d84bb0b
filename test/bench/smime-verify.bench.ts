// bench: verify a signed 100 KB message (goal < 20 ms after warm-up), made by `openssl cms`.
// Times readSmimeMessage end to end (header parse, boundary scan, base64, CMS decode, digest,
// signature, chain to the anchor) and verifySignedData alone.
//   npx tsx test/bench/smime-verify.bench.ts [--runs 200]
import { readSmimeMessage } from '../../electron/core/smime/read-message';
import { verifySignedData } from '../../electron/core/smime/verify';
import { findSignedParts, splitEntity, parseContentType } from '../../electron/core/smime/mime-parts';
import { asMessage, cmsOf, opensslSign, trustFor } from '../support/smime-messages';
import { testPki, type PkiUser } from '../support/smime-pki';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 200;

const pki = testPki();
const trust = trustFor(pki); // Node's ~140 roots plus the test root, as in the app
const line = 'The quick brown fox jumps over the lazy dog, again and again, for the benchmark. 0123456789\r\n';
const body = line.repeat(Math.ceil((100 * 1024) / line.length));
const entity = Buffer.from(`Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${body}`);

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, min ${s[0]!.toFixed(2)} ms`;
}

/** Wall-clock and CPU milliseconds per run (CPU time is what a loaded machine cannot inflate). */
async function time(fn: () => Promise<unknown> | unknown): Promise<{ wall: number[]; cpu: number[] }> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up: JIT, root store, certificate cache
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall, cpu };
}

const report = (r: { wall: number[]; cpu: number[] }) => `wall ${stats(r.wall)}; CPU p50 ${stats(r.cpu).split(',')[0]!.slice(4)}`;

async function bench(label: string, user: PkiUser, opaque: boolean): Promise<void> {
  const message = asMessage(opensslSign(user, entity, { certfile: pki.intermediatePath, opaque }), user.email);
  const first = await readSmimeMessage(message, { fromAddress: user.email, trust, keys: [] });
  if (first.signature?.status !== 'valid') throw new Error(`${label}: expected valid, got ${JSON.stringify(first.signature)}`);
  const full = await time(() => readSmimeMessage(message, { fromAddress: user.email, trust, keys: [] }));
  let cms: Uint8Array;
  let detached: Uint8Array | null = null;
  const { header, body: outer } = splitEntity(message);
  if (opaque) {
    cms = cmsOf(Buffer.concat([Buffer.from('X: y\r\n\r\n'), Buffer.from(outer)]));
  } else {
    const contentType = Buffer.from(header).toString('latin1').match(/^Content-Type: (.*)$/im)?.[1];
    const parts = findSignedParts(outer, parseContentType(contentType).params.boundary ?? '')!;
    detached = parts.signed;
    cms = cmsOf(Buffer.from(parts.signature));
  }
  const core = await time(() => verifySignedData(cms, detached, { fromAddress: user.email, trust }));
  console.log(`${label} (${(message.length / 1024).toFixed(0)} KB)\n  readSmimeMessage:  ${report(full)}\n  verifySignedData:  ${report(core)}`);
}

console.log(`S/MIME verify, ${runs} runs after 20 warm-up runs (goal: < 20 ms); load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
await bench('RSA 2048, SHA-256, detached', pki.alice, false);
await bench('RSA 2048, SHA-256, opaque', pki.alice, true);
await bench('RSA 4096, SHA-256, detached', pki.bob, false);
await bench('ECDSA P-256, SHA-256, detached', pki.carol, false);
await bench('ECDSA P-384, SHA-256, detached', pki.dave, false);
