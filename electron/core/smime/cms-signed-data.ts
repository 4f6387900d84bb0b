// ContentInfo and SignedData decoded by walking the asn1js tree directly. pkijs' schema-driven
// SignedData decoder checks every embedded certificate against the full X.509 schema, which
// costs more than the whole verification; here certificates stay DER (they are parsed once,
// cached, when needed) and only the SignerInfos go through pkijs.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { octetStringBytes, parseBer } from './cms-asn1';

export interface ContentInfo {
  contentType: string;
  /** The [0] EXPLICIT content. */
  content: asn1js.AsnType;
}

export interface SignedDataParts {
  eContentType: string;
  /** The encapsulated content, or null for a detached signature. */
  eContent: Uint8Array | null;
  /** DER of each X.509 certificate in the certificates field (other choices are skipped). */
  certificates: Uint8Array[];
  signerInfos: pkijs.SignerInfo[];
}

const isContext = (node: asn1js.AsnType | undefined, n: number) => node?.idBlock.tagClass === 3 && node.idBlock.tagNumber === n;

function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  const value = (node?.valueBlock as unknown as { value?: unknown } | undefined)?.value;
  if (!node?.idBlock.isConstructed || !Array.isArray(value)) throw new Error(`${what} is malformed`);
  return value as asn1js.AsnType[];
}

/** ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY }. */
export function readContentInfo(cms: Uint8Array): ContentInfo {
  const root = parseBer(cms, 'The S/MIME structure');
  if (!(root instanceof asn1js.Sequence)) throw new Error('The S/MIME structure is not a ContentInfo');
  const [type, wrapped] = children(root, 'ContentInfo');
  if (!(type instanceof asn1js.ObjectIdentifier)) throw new Error('ContentInfo lacks its content type');
  if (!isContext(wrapped, 0)) throw new Error('ContentInfo lacks its content');
  const [content] = children(wrapped, 'ContentInfo content');
  if (!content) throw new Error('ContentInfo content is empty');
  return { contentType: type.valueBlock.toString(), content };
}

/**
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
 *   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
 */
export function readSignedData(node: asn1js.AsnType): SignedDataParts {
  if (!(node instanceof asn1js.Sequence)) throw new Error('SignedData is not a SEQUENCE');
  const items = children(node, 'SignedData');
  const encap = items[2];
  if (!(encap instanceof asn1js.Sequence)) throw new Error('SignedData lacks encapContentInfo');
  const [eType, eWrapped] = children(encap, 'encapContentInfo');
  if (!(eType instanceof asn1js.ObjectIdentifier)) throw new Error('encapContentInfo lacks its type');
  let eContent: Uint8Array | null = null;
  if (eWrapped) {
    if (!isContext(eWrapped, 0)) throw new Error('encapContentInfo is malformed');
    const [octets] = children(eWrapped, 'eContent');
    if (!octets) throw new Error('eContent is empty');
    eContent = octetStringBytes(octets);
  }
  let i = 3;
  const certificates: Uint8Array[] = [];
  if (isContext(items[i], 0)) {
    for (const c of children(items[i], 'certificates')) {
      // Only plain Certificate (a SEQUENCE); attribute certificates and others are tagged.
      if (c instanceof asn1js.Sequence) certificates.push(new Uint8Array(c.valueBeforeDecodeView));
    }
    i++;
  }
  if (isContext(items[i], 1)) i++;
  const set = items[i];
  if (!(set instanceof asn1js.Set) || i !== items.length - 1) throw new Error('SignedData lacks signerInfos');
  const signerInfos = set.valueBlock.value.map((schema) => new pkijs.SignerInfo({ schema }));
  return { eContentType: eType.valueBlock.toString(), eContent, certificates, signerInfos };
}
