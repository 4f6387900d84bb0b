// Addresses as people type and paste them: "Ann <ann@x.org>", "ann@x.org", several at once.
import type { Address } from '../format';

const emailPattern = /^[^\s@<>,;]+@[^\s@<>,;]+$/;

export function isEmail(s: string): boolean {
  return emailPattern.test(s.trim());
}

/** Splits on commas and semicolons outside quotes and angle brackets. */
function split(input: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angled = false;
  for (const ch of input) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angled = true;
    else if (ch === '>' && !quoted) angled = false;
    if ((ch === ',' || ch === ';' || ch === '\n') && !quoted && !angled) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

export interface ParsedAddress extends Address {
  /** False when what was typed is not an email address; shown as an error, never sent. */
  valid: boolean;
}

export function parseOne(part: string): ParsedAddress {
  const angle = /^(.*?)<([^<>]+)>\s*$/.exec(part);
  if (angle) {
    const name = angle[1]!.trim().replace(/^"(.*)"$/, '$1').trim();
    const email = angle[2]!.trim();
    return { name: name || null, email, valid: isEmail(email) };
  }
  const email = part.trim().replace(/^mailto:/i, '');
  return { name: null, email, valid: isEmail(email) };
}

export function parseAddresses(input: string): ParsedAddress[] {
  return split(input).map(parseOne);
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.email.trim().toLowerCase() === b.email.trim().toLowerCase();
}
