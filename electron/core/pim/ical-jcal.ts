// A typed view of ical.js' jCal/jCard arrays (RFC 7265 / RFC 7095). ical.js hands back `any`;
// everything read from it goes through these guards so malformed input cannot surprise us.
import ICAL from 'ical.js';

export type JParams = Record<string, string | string[]>;
/** [name, params, valueType, ...values] */
export type JProp = [string, JParams, string, ...unknown[]];
/** [name, properties, subcomponents] */
export type JComp = [string, JProp[], JComp[]];

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function asComp(v: unknown, depth: number): JComp | null {
  if (depth > 20 || !Array.isArray(v) || v.length < 3 || typeof v[0] !== 'string' || !Array.isArray(v[1]) || !Array.isArray(v[2])) return null;
  const props: JProp[] = [];
  for (const p of v[1] as unknown[]) {
    if (Array.isArray(p) && p.length >= 3 && typeof p[0] === 'string' && isObj(p[1]) && typeof p[2] === 'string') props.push(p as JProp);
  }
  const comps: JComp[] = [];
  for (const c of v[2] as unknown[]) {
    const comp = asComp(c, depth + 1);
    if (comp) comps.push(comp);
  }
  return [v[0], props, comps];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Parses iCalendar or vCard text into top-level components; throws a clear Error if it is not one.
 * A broken structure (a line without ":", a component that never ends) fails the file; a bad value
 * (RRULE:FREQ=SOMETIMES) costs only its property, reported in `problems`, so one odd event does
 * not lose a whole calendar.
 */
export function parseJCal(text: string, what: string, problems?: string[]): JComp[] {
  let raw: unknown;
  try {
    raw = ICAL.parse(text);
  } catch (e) {
    if (!problems || e instanceof ICAL.parse.ParserError) throw new Error(`not ${what} file: ${message(e)}`);
    try {
      raw = ICAL.parse(withoutBadProperties(text, what, problems));
    } catch (again) {
      throw new Error(`not ${what} file: ${message(again)}`);
    }
  }
  // ical.js returns one component, or an array of them when the text holds several.
  const list: unknown[] = Array.isArray(raw) && typeof raw[0] === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  return list.map((c) => asComp(c, 0)).filter((c): c is JComp => c !== null);
}

/** The text without the content lines ical.js cannot read on their own (RFC 5545 §3.1 unfolding). */
function withoutBadProperties(text: string, what: string, problems: string[]): string {
  const lines: string[] = [];
  for (const physical of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(physical) && lines.length) lines[lines.length - 1] += physical.slice(1);
    else lines.push(physical);
  }
  const design = ICAL.design.getDesignSet(what === 'a vCard' ? 'vcard' : 'vevent');
  return lines
    .filter((line) => {
      if (!line.trim() || /^(BEGIN|END):/i.test(line)) return true;
      try {
        ICAL.parse.property(line, design);
        return true;
      } catch (e) {
        problems.push(`Left out a property that could not be read (${message(e)}): ${line.slice(0, 80)}`);
        return false;
      }
    })
    .join('\r\n');
}

type DesignSet = Parameters<typeof ICAL.stringify.component>[1];
let vcard4Design: DesignSet | null = null;

/**
 * ical.js writes vCard 4.0 URI values as escaped text, which turns "data:image/png;base64,…" into
 * "base64\,…" that other readers keep literally. Our own copy of its design set writes URIs raw.
 */
function designFor(comp: JComp): DesignSet {
  const first = comp[1][0];
  if (comp[0] !== 'vcard' || !first || first[0] !== 'version' || first[3] !== '4.0') return undefined as unknown as DesignSet;
  if (!vcard4Design) {
    const base = ICAL.design.getDesignSet('vcard') as unknown as { value: Record<string, unknown> };
    vcard4Design = { ...base, value: { ...base.value, uri: {} } } as unknown as DesignSet;
  }
  return vcard4Design;
}

/** The component as text, CRLF-terminated (ical.js leaves the last line open). */
export function stringifyComp(comp: JComp): string {
  return `${ICAL.stringify.component(comp, designFor(comp))}\r\n`;
}

export const propsNamed = (comp: JComp, name: string): JProp[] => comp[1].filter((p) => p[0] === name);
export const firstProp = (comp: JComp, name: string): JProp | undefined => comp[1].find((p) => p[0] === name);
export const subs = (comp: JComp, name: string): JComp[] => comp[2].filter((c) => c[0] === name);

/** The property's first value as text (structured values are joined back with ';'). */
export function textOf(p: JProp | undefined): string | null {
  if (!p) return null;
  const v = p[3];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map((x) => (Array.isArray(x) ? x.join(',') : String(x))).join(';');
  return null;
}

export const firstText = (comp: JComp, name: string): string | null => textOf(firstProp(comp, name));

/** All the property's values as strings (multi-valued properties such as CATEGORIES, EXDATE). */
export function valuesOf(p: JProp): string[] {
  return p.slice(3).flatMap((v) => (typeof v === 'string' ? [v] : typeof v === 'number' ? [String(v)] : []));
}

/** A parameter as a list of values; ical.js gives a string or an array. */
export function param(p: JProp, name: string): string[] {
  const v = p[1][name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** TYPE values, lowercased; vCard 3.0 writers send both TYPE=a,b and TYPE=a;TYPE=b. */
export const typesOf = (p: JProp): string[] => param(p, 'type').flatMap((t) => t.split(',')).map((t) => t.trim().toLowerCase()).filter(Boolean);

export const param1 = (p: JProp, name: string): string | null => param(p, name)[0] ?? null;
