// How dates, sizes and addresses read in the list and the reading pane.

/** The shape of EmailListItem['from'][number]. */
export interface Address {
  name: string | null;
  email: string;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Today: the time; this year: "Nov 3"; older (or future years): "2025-11-03". */
export function formatListDate(ms: number, now: Date = new Date()): string {
  const d = new Date(ms);
  if (d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate()) {
    return timeFormat.format(d);
  }
  if (d.getFullYear() === now.getFullYear()) return dayFormat.format(d);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function formatFullDate(ms: number): string {
  return fullFormat.format(new Date(ms));
}

export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) {
    const kb = bytes / 1024;
    return `${kb < 10 ? Math.max(0.1, Math.round(kb * 10) / 10) : Math.round(kb)} KB`;
  }
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb)} MB`;
}

/** The name people recognise: the display name, else the address. */
export function displayName(address: Address | undefined): string {
  if (!address) return '';
  return address.name?.trim() || address.email;
}

export function senderLabel(from: readonly Address[]): string {
  if (from.length === 0) return '(no sender)';
  return from.map(displayName).join(', ');
}

export function addressList(list: readonly Address[]): string {
  return list.map((a) => (a.name?.trim() ? `${a.name.trim()} <${a.email}>` : a.email)).join(', ');
}

export function initials(address: Address | undefined): string {
  const label = displayName(address);
  const words = label.replace(/[<>"@.].*$/, '').split(/[\s_-]+/).filter(Boolean);
  const letters = (words.length > 1 ? [words[0], words.at(-1)] : [label]).map((w) => w?.[0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** A stable hue per sender, so the same person keeps the same avatar colour. */
export function hueOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % 360;
}

const count = new Intl.NumberFormat();

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count.format(n)} ${n === 1 ? one : many}`;
}

/** A name for an attachment that has none: what it is, so the chip still says something. */
export function attachmentLabel(a: { name: string | null; type: string }): string {
  const name = a.name?.trim();
  if (name) return name;
  if (a.type.startsWith('image/')) return 'Inline image';
  if (/^(text\/calendar|application\/ics)\b/i.test(a.type)) return 'invitation.ics';
  return 'Unnamed attachment';
}
