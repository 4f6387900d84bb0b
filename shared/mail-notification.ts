// The words of a new-mail notification, shared by the Electron shell and the browser host.
import type { EventPayload } from './contract';

export interface NotificationText {
  title: string;
  body: string;
  /** The message a click opens: the newest one. */
  open: { accountId: string; emailId: string } | null;
}

export function describeArrival(p: EventPayload<'mail.arrived'>): NotificationText {
  const first = p.items[0];
  const open = first ? { accountId: p.accountId, emailId: first.id } : null;
  if (p.count === 1 && first) {
    return { title: first.from || 'New message', body: first.subject.trim() || '(no subject)', open };
  }
  const senders = [...new Set(p.items.map((i) => i.from).filter(Boolean))];
  const shown = senders.slice(0, 3).join(', ');
  const more = p.count - p.items.filter((i) => senders.slice(0, 3).includes(i.from)).length;
  return {
    title: `${p.count} new messages`,
    body: shown ? `From ${shown}${more > 0 ? ` and ${more} more` : ''}` : '',
    open,
  };
}
