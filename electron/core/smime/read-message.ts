// readSmimeMessage: what the reading pane calls with a message's raw RFC 5322 bytes (the JMAP
// blob). It peels S/MIME layers from the outside in until it reaches ordinary MIME:
//
//   multipart/signed (protocol application/pkcs7-signature)  → verify detached, go into part 1
//   application/pkcs7-mime, signed-data (opaque)              → verify, go into the eContent
//   application/pkcs7-mime, enveloped / authEnveloped-data    → decrypt, go into the plaintext
//
// Result:
//   summary.layers     every layer, outermost first, each with its own typed result
//   summary.signature  the least favourable signature result (null when nothing is signed)
//   summary.encrypted  the outermost decryption outcome (null when nothing is encrypted)
//   content.raw        the innermost MIME entity (headers + body) to render, or null when a
//                      layer could not be opened. For an untouched, non-S/MIME message it is
//                      the input itself. It may be decrypted plaintext: keep it in memory only.
// `summary` is plain JSON (cache it with SmimeResultCache, send it over IPC); `content` is not.
// Never throws and never hangs on hostile input: every failure is a typed 'error'.
import { decryptEnveloped, type RecipientKey } from './decrypt';
import { decodedBody, findSignedParts, readHeaders, splitEntity } from './mime-parts';
import type { TrustAnchors } from './trust';
import { verifySignedData } from './verify';
import { worseResult, type DecryptResult, type SmimeLayer, type SmimeReadSummary, type SmimeResult } from './types';
import { readContentInfo } from './cms-signed-data';
import { oid } from './cms-asn1';

export interface ReadSmimeOptions {
  /** The From address of the message (addr-spec); a signature must name it. */
  fromAddress: string;
  trust: TrustAnchors;
  /** The user's decryption keys. */
  keys: RecipientKey[];
  /** For signatures without signingTime; defaults to the clock. */
  now?: Date;
}

export interface SmimeReadResult extends SmimeReadSummary {
  content: { raw: Uint8Array } | null;
}

/** Layers deeper than this are refused (a guard against recursion bombs). */
const maxLayers = 6;

const pkcs7Mime = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const pkcs7Signature = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);

export async function readSmimeMessage(raw: Uint8Array, opts: ReadSmimeOptions): Promise<SmimeReadResult> {
  const layers: SmimeLayer[] = [];
  let entity: Uint8Array | null = raw;
  try {
    for (let depth = 0; entity; depth++) {
      const next = await peel(entity, opts, layers, depth);
      if (next === 'done') break;
      entity = next;
    }
  } catch (e) {
    // Unexpected failure while peeling: report it on the layer being opened, show nothing.
    layers.push({ kind: 'signed', form: 'opaque', result: { status: 'error', message: `Unreadable S/MIME message: ${(e as Error).message}` } });
    entity = null;
  }
  return { ...summarise(layers), content: entity ? { raw: entity } : null };
}

/** Opens one layer: returns the inner entity, 'done' when `entity` is plain MIME, or null when the layer failed. */
async function peel(entity: Uint8Array, opts: ReadSmimeOptions, layers: SmimeLayer[], depth: number): Promise<Uint8Array | null | 'done'> {
  const { header, body } = splitEntity(entity);
  const { contentType } = await readHeaders(header);
  const smimeType = (contentType.params['smime-type'] ?? '').toLowerCase();
  const isSigned = contentType.type === 'multipart/signed' && isSmimeProtocol(contentType.params.protocol);
  const isP7m = pkcs7Mime.has(contentType.type) || (contentType.type === 'application/octet-stream' && /\.p7m$/i.test(contentType.params.name ?? ''));
  if (!isSigned && !isP7m) return 'done';
  if (smimeType === 'certs-only') return 'done';
  if (depth >= maxLayers) {
    layers.push({ kind: 'signed', form: 'opaque', result: { status: 'error', message: 'Too many nested S/MIME layers' } });
    return null;
  }
  if (isSigned) {
    const parts = findSignedParts(body, contentType.params.boundary ?? '');
    if (!parts) {
      layers.push({ kind: 'signed', form: 'detached', result: { status: 'error', message: 'Malformed multipart/signed message (its parts could not be found)' } });
      return null;
    }
    let cms: Uint8Array;
    try {
      cms = await decodedBody(parts.signature);
    } catch {
      layers.push({ kind: 'signed', form: 'detached', result: { status: 'error', message: 'The signature part could not be decoded' } });
      return parts.signed;
    }
    const { result } = verifySignedData(cms, parts.signed, opts);
    layers.push({ kind: 'signed', form: 'detached', result });
    // The signed part is shown even when the signature fails; the result says how far to trust it.
    return parts.signed;
  }
  let cms: Uint8Array;
  try {
    cms = await decodedBody(entity);
  } catch {
    layers.push(errorLayer(smimeType, 'The S/MIME part could not be decoded'));
    return null;
  }
  let contentTypeOid: string;
  try {
    contentTypeOid = readContentInfo(cms).contentType;
  } catch (e) {
    layers.push(errorLayer(smimeType, `Unreadable S/MIME structure: ${(e as Error).message}`));
    return null;
  }
  if (contentTypeOid === oid.signedData) {
    const { result, content } = verifySignedData(cms, null, opts);
    layers.push({ kind: 'signed', form: 'opaque', result });
    return content;
  }
  if (contentTypeOid === oid.envelopedData || contentTypeOid === oid.authEnvelopedData) {
    const form = contentTypeOid === oid.envelopedData ? 'enveloped' : 'auth-enveloped';
    const out = decryptEnveloped(cms, opts.keys);
    if (!out.ok) {
      layers.push({ kind: 'encrypted', form, result: { status: 'error', message: out.message } });
      return null;
    }
    layers.push({
      kind: 'encrypted',
      form,
      result: { status: 'decrypted', algorithm: out.algorithm, keyTransport: out.keyTransport, recipientFingerprint: out.recipientFingerprint },
    });
    return out.content;
  }
  layers.push(errorLayer(smimeType, `Unsupported S/MIME content (CMS type ${contentTypeOid})`));
  return null;
}

function isSmimeProtocol(protocol: string | undefined): boolean {
  return protocol !== undefined && pkcs7Signature.has(protocol.toLowerCase());
}

function errorLayer(smimeType: string, message: string): SmimeLayer {
  if (/enveloped/.test(smimeType)) return { kind: 'encrypted', form: smimeType.startsWith('auth') ? 'auth-enveloped' : 'enveloped', result: { status: 'error', message } };
  return { kind: 'signed', form: 'opaque', result: { status: 'error', message } };
}

/** Layers → the two headline results. */
export function summarise(layers: SmimeLayer[]): SmimeReadSummary {
  let signature: SmimeResult | null = null;
  let encrypted: DecryptResult | null = null;
  for (const layer of layers) {
    if (layer.kind === 'signed') signature = signature ? worseResult(signature, layer.result) : layer.result;
    else encrypted ??= layer.result;
  }
  return { signature, encrypted, layers };
}
