// The messages being dragged from the list. dataTransfer cannot be read during dragover, so
// drop targets check this instead; the MIME type marks the drag as ours.
import type { EmailListItem } from '../../shared/contract';

export const dragType = 'application/x-meridian-emails';

let current: EmailListItem[] | null = null;

export function startDrag(event: DragEvent, items: EmailListItem[]): void {
  current = items;
  if (!event.dataTransfer) return;
  event.dataTransfer.effectAllowed = 'move';
  event.dataTransfer.setData(dragType, String(items.length));
  // Somewhere to drop that is not us (a text editor) gets the subjects.
  event.dataTransfer.setData('text/plain', items.map((i) => i.subject || '(no subject)').join('\n'));
}

export function endDrag(): void {
  current = null;
}

/** The dragged messages a target in this account could take, or null for none. */
export function draggedFor(event: DragEvent, accountId: string | null): EmailListItem[] | null {
  if (!current || !event.dataTransfer?.types.includes(dragType)) return null;
  const items = accountId === null ? current : current.filter((i) => i.accountId === accountId);
  const local = items.filter((i) => i.source === 'local');
  return local.length ? local : null;
}
