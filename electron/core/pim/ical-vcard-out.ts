// One JSContact card → vCard 3.0 or 4.0 text, through ical.js' jCard stringifier.
import { cardDisplayName, type ContactCard } from './model';
import type { JParams, JProp } from './ical-jcal';
import { stringifyComp } from './ical-jcal';

/** vCard N fields, in order (RFC 6350 §6.2.2, plus RFC 9554's secondary surname and generation). */
export const N_KINDS = ['surname', 'given', 'given2', 'title', 'credential', 'surname2', 'generation'] as const;
/** vCard ADR fields, in order, as RFC 9553 address component kinds. */
export const ADR_KINDS = ['postOfficeBox', 'apartment', 'name', 'locality', 'region', 'postcode', 'country'] as const;
/** TEL TYPE values → JSContact phone features. */
export const TEL_FEATURES: Record<string, string> = {
  cell: 'mobile',
  iphone: 'mobile',
  voice: 'voice',
  fax: 'fax',
  pager: 'pager',
  text: 'text',
  video: 'video',
  textphone: 'textphone',
};
const FEATURE_TYPES: Record<string, string> = { mobile: 'cell', voice: 'voice', fax: 'fax', pager: 'pager', text: 'text', video: 'video', textphone: 'textphone' };

type Rec = Record<string, unknown>;
type Version = '3.0' | '4.0';
const isRec = (v: unknown): v is Rec => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const entries = (v: unknown): Rec[] => (isRec(v) ? Object.values(v).filter(isRec) : []);

/** TYPE and PREF parameters for a contexts/pref-carrying entry; 3.0 writes preference as TYPE=pref. */
function typeParams(entry: Rec, version: Version, extraTypes: string[] = []): JParams {
  const types = [...extraTypes];
  const contexts = isRec(entry.contexts) ? entry.contexts : {};
  if (contexts.work) types.push(version === '3.0' ? 'WORK' : 'work');
  if (contexts.private) types.push(version === '3.0' ? 'HOME' : 'home');
  const params: JParams = {};
  const pref = typeof entry.pref === 'number' ? entry.pref : null;
  if (pref !== null && version === '3.0' && pref === 1) types.push('pref');
  if (pref !== null && version === '4.0') params.pref = String(pref);
  if (types.length) params.type = types.length === 1 ? (types[0] as string) : types;
  return params;
}

function dateValue(date: Rec, version: Version): { value: string; params: JParams; type: string } | null {
  if (typeof date.utc === 'string') return { value: date.utc, params: {}, type: version === '4.0' ? 'date-and-or-time' : 'date-time' };
  const y = typeof date.year === 'number' ? String(date.year).padStart(4, '0') : null;
  const m = typeof date.month === 'number' ? String(date.month).padStart(2, '0') : null;
  const d = typeof date.day === 'number' ? String(date.day).padStart(2, '0') : null;
  if (version === '3.0') {
    if (!m || !d) return y ? { value: `${y}-${m ?? '01'}-${d ?? '01'}`, params: {}, type: 'date' } : null;
    // Apple's convention for a birthday without a year.
    return y ? { value: `${y}-${m}-${d}`, params: {}, type: 'date' } : { value: `1604-${m}-${d}`, params: { 'x-apple-omit-year': '1604' }, type: 'date' };
  }
  const value = y ? [y, m, d].filter(Boolean).join('-') : `--${m ?? '-'}${d ? `-${d}` : ''}`;
  return { value, params: {}, type: 'date-and-or-time' };
}

const ANNIVERSARY_PROPS: Record<string, Record<Version, string>> = {
  birth: { '3.0': 'bday', '4.0': 'bday' },
  wedding: { '3.0': 'x-anniversary', '4.0': 'anniversary' },
  death: { '3.0': 'deathdate', '4.0': 'deathdate' },
};

function mediaProp(m: Rec, version: Version): JProp | null {
  const uri = str(m.uri);
  const kind = str(m.kind) ?? 'photo';
  if (!uri || !['photo', 'logo', 'sound'].includes(kind)) return null;
  const params: JParams = typeof m.pref === 'number' && version === '4.0' ? { pref: String(m.pref) } : {};
  const data = /^data:[a-z]+\/([a-z0-9.+-]+);base64,(.*)$/is.exec(uri);
  if (version === '3.0' && data?.[1] && data[2] !== undefined) return [kind, { ...params, encoding: 'b', type: data[1].toUpperCase() }, 'binary', data[2]];
  return [kind, version === '3.0' ? { ...params, value: 'uri' } : params, 'uri', uri];
}

export function cardToVCard(card: ContactCard, version: Version): string {
  const v3 = version === '3.0';
  const props: JProp[] = [
    ['version', {}, 'text', version],
    ['prodid', {}, v3 ? 'text' : 'unknown', '-//Meridian Mail//EN'],
    ['uid', {}, 'text', card.uid],
    ['fn', {}, 'text', card.name?.full ?? cardDisplayName(card)],
  ];
  if (card.kind !== 'individual') props.push(v3 ? ['x-addressbookserver-kind', {}, 'unknown', card.kind] : ['kind', {}, 'text', card.kind]);
  const comps = card.name?.components ?? [];
  if (comps.length || v3) {
    const fields = N_KINDS.map((k) => comps.filter((c) => c.kind === k).map((c) => c.value));
    const used = fields.slice(0, comps.some((c) => c.kind === 'surname2' || c.kind === 'generation') && !v3 ? 7 : 5);
    props.push(['n', {}, 'text', used.map((f) => (f.length > 1 ? f : (f[0] ?? '')))]);
  }
  for (const e of entries(card.emails)) {
    if (str(e.address)) props.push(['email', typeParams(e, version, v3 ? ['INTERNET'] : []), 'text', e.address]);
  }
  for (const p of entries(card.phones)) {
    const number = str(p.number);
    if (!number) continue;
    const features = isRec(p.features) ? Object.keys(p.features).filter((f) => (p.features as Rec)[f]) : [];
    const featureTypes = features.map((f) => FEATURE_TYPES[f]).filter((t): t is string => !!t).map((t) => (v3 ? t.toUpperCase() : t));
    const isUri = number.startsWith('tel:');
    props.push(['tel', typeParams(p, version, featureTypes), v3 ? 'phone-number' : isUri ? 'uri' : 'text', v3 && isUri ? number.slice(4) : number]);
  }
  for (const a of entries(card.addresses)) {
    const components = Array.isArray(a.components) ? a.components.filter(isRec) : [];
    const fields = ADR_KINDS.map((k) => components.filter((c) => c.kind === k && typeof c.value === 'string').map((c) => c.value as string));
    const params = typeParams(a, version);
    if (!v3 && str(a.full)) params.label = a.full as string;
    props.push(['adr', params, 'text', fields.map((f) => (f.length > 1 ? f : (f[0] ?? '')))]);
  }
  for (const o of entries(card.organizations)) {
    const units = Array.isArray(o.units) ? o.units.filter(isRec).map((u) => str(u.name) ?? '') : [];
    props.push(['org', {}, 'text', units.length ? [str(o.name) ?? '', ...units] : (str(o.name) ?? '')]);
  }
  for (const t of entries(card.titles)) if (str(t.name)) props.push([t.kind === 'role' ? 'role' : 'title', {}, 'text', t.name]);
  for (const n of entries(card.notes)) if (str(n.note)) props.push(['note', {}, 'text', n.note]);
  for (const a of entries(card.anniversaries)) {
    const names = ANNIVERSARY_PROPS[str(a.kind) ?? ''];
    const date = isRec(a.date) ? dateValue(a.date, version) : null;
    if (names && date) props.push([names[version], date.params, date.type, date.value]);
  }
  const nicknames = entries(card.nicknames).map((n) => str(n.name)).filter((n): n is string => !!n);
  if (nicknames.length) props.push(['nickname', {}, 'text', ...nicknames]);
  for (const l of entries(card.links)) if (str(l.uri)) props.push(['url', typeParams(l, version), 'uri', l.uri]);
  for (const s of entries(card.onlineServices)) {
    if (!str(s.uri)) continue;
    const params = typeParams(s, version);
    if (str(s.service)) params['x-service-type'] = s.service as string;
    props.push(['impp', params, 'uri', s.uri]);
  }
  for (const m of entries(card.media)) {
    const prop = mediaProp(m, version);
    if (prop) props.push(prop);
  }
  const keywords = isRec(card.keywords) ? Object.keys(card.keywords).filter((k) => (card.keywords as Rec)[k]) : [];
  if (keywords.length) props.push(['categories', {}, 'text', ...keywords]);
  for (const member of Object.keys(card.members ?? {}).filter((m) => card.members?.[m])) {
    const uri = member.includes(':') ? member : `urn:uuid:${member}`;
    props.push([v3 ? 'x-addressbookserver-member' : 'member', {}, v3 ? 'unknown' : 'uri', uri]);
  }
  if (str(card.updated)) props.push(['rev', {}, v3 ? 'date-time' : 'timestamp', card.updated]);
  for (const extra of Array.isArray(card.vCardProps) ? card.vCardProps : []) {
    if (Array.isArray(extra) && typeof extra[0] === 'string' && isRec(extra[1]) && typeof extra[2] === 'string') props.push(extra as JProp);
  }
  return stringifyComp(['vcard', props, []]);
}
