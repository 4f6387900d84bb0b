// vCard 3.0 / 4.0 ↔ the client's JSContact cards (RFC 9555), through ical.js' jCard. What has no
// JSContact home is kept verbatim in vCardProps (RFC 9555 §3.3.1) so exporting gives it back.
import type { ContactCard } from './model';
import type { JComp, JProp } from './ical-jcal';
import { firstText, param1, parseJCal, textOf, typesOf, valuesOf } from './ical-jcal';
import { ADR_KINDS, cardToVCard, N_KINDS, TEL_FEATURES } from './ical-vcard-out';

export const MAX_VCARD_BYTES = 16 * 1024 * 1024;
/** Larger photos are dropped (with a problem entry): a contact list is no place for them. */
export const MAX_VCARD_MEDIA_BYTES = 1024 * 1024;

export interface VCardParseOptions {
  addressBookIds?: Record<string, boolean>;
  maxBytes?: number;
}

export interface ParsedVCards {
  cards: ContactCard[];
  problems: string[];
}

type Rec = Record<string, unknown>;

export function parseVCards(text: string, opts: VCardParseOptions = {}): ParsedVCards {
  if (typeof text !== 'string') throw new Error('not a vCard file: expected text');
  const limit = opts.maxBytes ?? MAX_VCARD_BYTES;
  if (Buffer.byteLength(text, 'utf8') > limit) throw new Error(`vCard file too large: over ${Math.round(limit / 1024 / 1024)} MB`);
  const clean = text.replace(/^\uFEFF/, '');
  if (!/^\s*BEGIN:VCARD/i.test(clean)) throw new Error('not a vCard file: it does not start with BEGIN:VCARD');
  if (/^VERSION:\s*2\.1\s*$/im.test(clean)) throw new Error('vCard 2.1 is not supported: export the contacts as vCard 3.0 or 4.0');
  const problems: string[] = [];
  const comps = parseJCal(clean, 'a vCard', problems).filter((c) => c[0] === 'vcard');
  if (!comps.length) throw new Error('not a vCard file: no VCARD found');
  const cards: ContactCard[] = [];
  for (const comp of comps) {
    try {
      cards.push(cardFromVCard(comp, problems, opts.addressBookIds ?? {}));
    } catch (e) {
      problems.push(`A contact could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { cards, problems };
}

export function toVCard(cards: ContactCard[], version: '3.0' | '4.0'): string {
  return cards.map((c) => cardToVCard(c, version)).join('');
}

/** Each structured component (N, ADR, ORG) as its list of values. */
function structured(p: JProp): string[][] {
  const v = p[3];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []).filter((s) => s !== ''));
}

function contextsOf(types: string[]): Rec {
  const contexts: Record<string, boolean> = {};
  if (types.includes('work')) contexts.work = true;
  if (types.includes('home')) contexts.private = true;
  return Object.keys(contexts).length ? { contexts } : {};
}

function prefOf(p: JProp, types: string[]): Rec {
  const n = Number.parseInt(param1(p, 'pref') ?? '', 10);
  if (n >= 1 && n <= 100) return { pref: n };
  return types.includes('pref') ? { pref: 1 } : {};
}

const MEDIA_KINDS: Record<string, string> = { photo: 'photo', logo: 'logo', sound: 'sound' };

function mediaUri(p: JProp, version: string): string | null {
  const value = textOf(p)?.replace(/\s+/g, '');
  if (!value) return null;
  const encoding = param1(p, 'encoding')?.toLowerCase();
  if (version !== '4.0' && (encoding === 'b' || encoding === 'base64')) {
    const sub = typesOf(p).find((t) => /^[a-z0-9.+-]+$/.test(t) && t !== 'pref')?.replace(/^image\//, '') ?? 'jpeg';
    const top = p[0] === 'sound' ? 'audio' : 'image';
    return `data:${top}/${sub};base64,${value}`;
  }
  return value;
}

/** BDAY-style values as a JSContact PartialDate or Timestamp. */
function dateOf(p: JProp): Rec | null {
  const v = textOf(p)?.trim() ?? '';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) return { '@type': 'Timestamp', utc: v.replace(/\.\d+/, '') };
  const omitYear = param1(p, 'x-apple-omit-year');
  const m = /^(\d{4}|--)-?(\d{2})?-?(\d{2})?(?:T.*)?$/.exec(v.replace(/^(\d{4})(\d{2})(\d{2})/, '$1-$2-$3'));
  if (!m) return null;
  const date: Rec = { '@type': 'PartialDate' };
  if (m[1] !== '--' && m[1] !== omitYear) date.year = Number(m[1]);
  if (m[2]) date.month = Number(m[2]);
  if (m[3]) date.day = Number(m[3]);
  return Object.keys(date).length > 1 ? date : null;
}

/** Adds an entry under the next free id ("e1", "e2", …); counts are kept so big cards stay linear. */
function add(card: ContactCard, counts: Map<string, number>, field: string, prefix: string, value: Rec): void {
  const n = (counts.get(field) ?? 0) + 1;
  counts.set(field, n);
  const map = ((card[field] as Record<string, Rec> | undefined) ?? {}) as Record<string, Rec>;
  map[`${prefix}${n}`] = value;
  card[field] = map;
}

const ANNIVERSARIES: Record<string, string> = { 'bday': 'birth', 'anniversary': 'wedding', 'x-anniversary': 'wedding', 'deathdate': 'death' };
const IGNORED = new Set(['version', 'prodid']);

function cardFromVCard(comp: JComp, problems: string[], addressBookIds: Record<string, boolean>): ContactCard {
  const version = firstText(comp, 'version') ?? '3.0';
  const uid = firstText(comp, 'uid')?.trim() || `urn:uuid:${crypto.randomUUID()}`;
  const fn = firstText(comp, 'fn')?.trim() ?? '';
  const label = fn || uid;
  const kindText = (firstText(comp, 'kind') ?? firstText(comp, 'x-addressbookserver-kind') ?? '').toLowerCase();
  const card: ContactCard = {
    '@type': 'Card',
    version: '1.0',
    id: uid,
    uid,
    kind: kindText === 'group' || kindText === 'org' ? kindText : 'individual',
    addressBookIds: { ...addressBookIds },
  };
  if (version !== '3.0' && version !== '4.0') problems.push(`Contact "${label}" is vCard ${version}; it was read as vCard 3.0.`);
  const name: NonNullable<ContactCard['name']> = {};
  if (fn) name.full = fn;
  const extra: JProp[] = [];
  const counts = new Map<string, number>();
  const keywords: Record<string, boolean> = {};
  const members: Record<string, boolean> = {};

  for (const p of comp[1]) {
    const prop = p[0];
    const types = typesOf(p);
    switch (prop) {
      case 'uid':
      case 'fn':
      case 'kind':
      case 'x-addressbookserver-kind':
        break;
      case 'n': {
        const components = structured(p).flatMap((values, i) => {
          const kind = N_KINDS[i];
          return kind ? values.map((value) => ({ kind, value })) : [];
        });
        // JSContact orders components for display; vCard's N is surname-first.
        const order = ['title', 'given', 'given2', 'surname', 'surname2', 'generation', 'credential'];
        components.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
        if (components.length) name.components = components;
        break;
      }
      case 'email': {
        const address = textOf(p)?.trim();
        if (address) add(card, counts, 'emails', 'e', { address, ...contextsOf(types), ...prefOf(p, types) });
        break;
      }
      case 'tel': {
        const number = textOf(p)?.trim();
        if (!number) break;
        const features: Record<string, boolean> = {};
        for (const t of types) {
          const f = TEL_FEATURES[t];
          if (f) features[f] = true;
        }
        add(card, counts, 'phones', 'p', { number, ...(Object.keys(features).length ? { features } : {}), ...contextsOf(types), ...prefOf(p, types) });
        break;
      }
      case 'adr': {
        const components = structured(p).flatMap((values, i) => {
          const kind = ADR_KINDS[i];
          return kind ? values.map((value) => ({ kind, value })) : [];
        });
        const full = param1(p, 'label');
        if (components.length || full) add(card, counts, 'addresses', 'a', { ...(components.length ? { components } : {}), ...(full ? { full } : {}), ...contextsOf(types), ...prefOf(p, types) });
        break;
      }
      case 'org': {
        const [orgName, ...units] = structured(p).map((v) => v.join(','));
        const unitList = units.filter(Boolean).map((u) => ({ name: u }));
        if (orgName || unitList.length) add(card, counts, 'organizations', 'o', { name: orgName ?? '', ...(unitList.length ? { units: unitList } : {}) });
        break;
      }
      case 'title':
      case 'role': {
        const value = textOf(p)?.trim();
        if (value) add(card, counts, 'titles', 't', { name: value, kind: prop });
        break;
      }
      case 'note': {
        const note = textOf(p);
        if (note) add(card, counts, 'notes', 'n', { note });
        break;
      }
      case 'bday':
      case 'anniversary':
      case 'x-anniversary':
      case 'deathdate': {
        const date = dateOf(p);
        if (date) add(card, counts, 'anniversaries', 'y', { kind: ANNIVERSARIES[prop], date });
        else {
          problems.push(`Contact "${label}": the date "${textOf(p) ?? ''}" in ${prop.toUpperCase()} was kept as it is.`);
          extra.push(p);
        }
        break;
      }
      case 'nickname':
        for (const n of valuesOf(p).map((x) => x.trim()).filter(Boolean)) add(card, counts, 'nicknames', 'k', { name: n });
        break;
      case 'url': {
        const uri = textOf(p)?.trim();
        if (uri) add(card, counts, 'links', 'l', { uri, ...contextsOf(types), ...prefOf(p, types) });
        break;
      }
      case 'impp': {
        const uri = textOf(p)?.trim();
        const service = param1(p, 'x-service-type');
        if (uri) add(card, counts, 'onlineServices', 's', { uri, ...(service ? { service } : {}), ...contextsOf(types), ...prefOf(p, types) });
        break;
      }
      case 'photo':
      case 'logo':
      case 'sound': {
        const uri = mediaUri(p, version);
        if (!uri) break;
        const bytes = uri.startsWith('data:') ? Math.floor(((uri.length - uri.indexOf(',') - 1) * 3) / 4) : uri.length;
        if (bytes > MAX_VCARD_MEDIA_BYTES) {
          problems.push(`Contact "${label}": its ${prop} (${(bytes / 1024 / 1024).toFixed(1)} MB) is over 1 MB and was left out.`);
          break;
        }
        add(card, counts, 'media', 'm', { kind: MEDIA_KINDS[prop], uri, ...prefOf(p, types) });
        break;
      }
      case 'categories': {
        const list = valuesOf(p).map((k) => k.trim()).filter(Boolean);
        for (const k of list) keywords[k] = true;
        break;
      }
      case 'member':
      case 'x-addressbookserver-member': {
        const raw = textOf(p)?.trim();
        // Apple's 3.0 groups point at "urn:uuid:<UID>" while the member's own UID is the bare value.
        const member = raw && prop === 'x-addressbookserver-member' ? raw.replace(/^urn:uuid:/i, '') : raw;
        if (member) members[member] = true;
        break;
      }
      case 'rev': {
        const v = textOf(p)?.trim() ?? '';
        if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) card.updated = v.replace(/\.\d+/, '');
        else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) card.updated = `${v}T00:00:00Z`;
        break;
      }
      default:
        if (!IGNORED.has(prop)) extra.push(p);
    }
  }
  if (name.full || name.components) card.name = name;
  if (Object.keys(keywords).length) card.keywords = keywords;
  if (Object.keys(members).length) card.members = members;
  if (extra.length) card.vCardProps = structuredClone(extra);
  return card;
}
