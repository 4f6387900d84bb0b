import type { MailboxView } from '../../shared/contract';

export interface MailboxNode {
  mailbox: MailboxView;
  children: MailboxNode[];
}

// Where people expect the special folders, top to bottom; everything else follows.
const roleOrder = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];

function roleRank(role: string | null): number {
  const i = role ? roleOrder.indexOf(role) : -1;
  return i === -1 ? roleOrder.length : i;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function compareMailboxes(a: MailboxView, b: MailboxView): number {
  return roleRank(a.role) - roleRank(b.role) || a.sortOrder - b.sortOrder || collator.compare(a.name, b.name);
}

/** Nests mailboxes by parentId; a mailbox whose parent is missing is shown at the top level. */
export function buildMailboxTree(mailboxes: readonly MailboxView[]): MailboxNode[] {
  const nodes = new Map<string, MailboxNode>();
  for (const mailbox of mailboxes) nodes.set(mailbox.id, { mailbox, children: [] });
  const roots: MailboxNode[] = [];
  for (const node of nodes.values()) {
    const parentId = node.mailbox.parentId;
    const parent = parentId !== null && parentId !== node.mailbox.id ? nodes.get(parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const sort = (list: MailboxNode[]): MailboxNode[] => {
    list.sort((a, b) => compareMailboxes(a.mailbox, b.mailbox));
    for (const node of list) sort(node.children);
    return list;
  };
  return sort(roots);
}

/** The mailbox to open when an account is first shown. */
export function defaultMailbox(mailboxes: readonly MailboxView[]): MailboxView | undefined {
  return mailboxes.find((m) => m.role === 'inbox') ?? [...mailboxes].sort(compareMailboxes)[0];
}
