// The app's single-key shortcuts (Gmail style), in one table shared by the renderer and the
// Electron shell: the renderer's key handler (KeyboardShortcuts.svelte) acts on it and its
// help overlay (?) lists it; the shell's native menus show the same keys, and a menu click is
// replayed in the renderer as the action's keys, so a menu item and its shortcut cannot
// disagree. Keys are KeyboardEvent.key values; Shift is implied by the character ('#', '?',
// 'U'), and no shortcut uses Ctrl, Alt or Meta (those belong to the system).

export const actions = [
  'next',
  'previous',
  'extendNext',
  'extendPrevious',
  'open',
  'back',
  'toggleSelect',
  'escape',
  'archive',
  'delete',
  'spam',
  'move',
  'flag',
  'markUnread',
  'markRead',
  'compose',
  'reply',
  'replyAll',
  'forward',
  'search',
  'goInbox',
  'goMail',
  'goCalendar',
  'goContacts',
  'help',
] as const;
export type Action = (typeof actions)[number];

export type KeyGroup = 'Navigate' | 'Act on messages' | 'Write' | 'Go to';

export interface Binding {
  action: Action;
  /** Alternatives; each is one key, or keys pressed one after the other (["g", "i"]). */
  keys: readonly (readonly string[])[];
  label: string;
  group: KeyGroup;
}

export const keymap: readonly Binding[] = [
  { action: 'next', keys: [['j']], label: 'Next message', group: 'Navigate' },
  { action: 'previous', keys: [['k']], label: 'Previous message', group: 'Navigate' },
  { action: 'extendNext', keys: [['J']], label: 'Add the next message to the selection', group: 'Navigate' },
  { action: 'extendPrevious', keys: [['K']], label: 'Add the previous message to the selection', group: 'Navigate' },
  { action: 'open', keys: [['o'], ['Enter']], label: 'Open the message', group: 'Navigate' },
  { action: 'back', keys: [['u']], label: 'Back to the list', group: 'Navigate' },
  { action: 'toggleSelect', keys: [['x']], label: 'Select or deselect', group: 'Navigate' },
  { action: 'escape', keys: [['Escape']], label: 'End the search, or clear the selection', group: 'Navigate' },
  { action: 'archive', keys: [['e']], label: 'Archive', group: 'Act on messages' },
  { action: 'delete', keys: [['#'], ['Delete']], label: 'Delete', group: 'Act on messages' },
  { action: 'spam', keys: [['!']], label: 'Spam, or not spam in Junk', group: 'Act on messages' },
  { action: 'move', keys: [['v']], label: 'Move to a folder', group: 'Act on messages' },
  { action: 'flag', keys: [['s']], label: 'Flag or unflag', group: 'Act on messages' },
  { action: 'markUnread', keys: [['U']], label: 'Mark as unread', group: 'Act on messages' },
  { action: 'markRead', keys: [['I']], label: 'Mark as read', group: 'Act on messages' },
  { action: 'compose', keys: [['c']], label: 'New message', group: 'Write' },
  { action: 'reply', keys: [['r']], label: 'Reply', group: 'Write' },
  { action: 'replyAll', keys: [['a']], label: 'Reply all', group: 'Write' },
  { action: 'forward', keys: [['f']], label: 'Forward', group: 'Write' },
  { action: 'search', keys: [['/']], label: 'Search', group: 'Go to' },
  { action: 'goInbox', keys: [['g', 'i']], label: 'Inbox', group: 'Go to' },
  { action: 'goMail', keys: [['g', 'm']], label: 'Mail', group: 'Go to' },
  { action: 'goCalendar', keys: [['g', 'c']], label: 'Calendar', group: 'Go to' },
  { action: 'goContacts', keys: [['g', 'p']], label: 'Contacts (people)', group: 'Go to' },
  { action: 'help', keys: [['?']], label: 'Keyboard shortcuts', group: 'Go to' },
];

export const keyGroups: readonly KeyGroup[] = ['Navigate', 'Act on messages', 'Write', 'Go to'];

/** How a key is shown: "Shift+U" for a capital, names for the rest. */
export function keyLabel(key: string): string {
  if (/^[A-Z]$/.test(key)) return `Shift+${key}`;
  return key === 'Escape' ? 'Esc' : key;
}

export function bindingFor(action: Action): Binding {
  const binding = keymap.find((b) => b.action === action);
  if (!binding) throw new Error(`no key binding for ${action}`);
  return binding;
}

// ---- Native menus (the Electron shell) ----

export type MenuGroup = 'file' | 'message' | 'go' | 'help';

/**
 * Where each action appears in the native menus, with a menu-style label; null: keyboard
 * only. A Record, so a new action does not compile until it is placed (or left out) here.
 */
export const menuPlacement: Record<Action, { menu: MenuGroup; label: string } | null> = {
  compose: { menu: 'file', label: 'New Message' },
  reply: { menu: 'message', label: 'Reply' },
  replyAll: { menu: 'message', label: 'Reply All' },
  forward: { menu: 'message', label: 'Forward' },
  open: { menu: 'message', label: 'Open Message' },
  flag: { menu: 'message', label: 'Flag or Unflag' },
  markRead: { menu: 'message', label: 'Mark as Read' },
  markUnread: { menu: 'message', label: 'Mark as Unread' },
  archive: { menu: 'message', label: 'Archive' },
  move: { menu: 'message', label: 'Move to Folder…' },
  delete: { menu: 'message', label: 'Delete' },
  spam: { menu: 'message', label: 'Junk or Not Junk' },
  next: { menu: 'go', label: 'Next Message' },
  previous: { menu: 'go', label: 'Previous Message' },
  back: { menu: 'go', label: 'Back to List' },
  toggleSelect: { menu: 'go', label: 'Select or Deselect' },
  search: { menu: 'go', label: 'Search' },
  goInbox: { menu: 'go', label: 'Inbox' },
  goMail: { menu: 'go', label: 'Mail' },
  goCalendar: { menu: 'go', label: 'Calendar' },
  goContacts: { menu: 'go', label: 'Contacts' },
  help: { menu: 'help', label: 'Keyboard Shortcuts' },
  extendNext: null,
  extendPrevious: null,
  escape: null,
};

/** An Electron accelerator string for one KeyboardEvent.key. */
export function acceleratorForKey(key: string): string {
  if (/^[a-z]$/.test(key)) return key.toUpperCase();
  if (/^[A-Z]$/.test(key)) return `Shift+${key}`;
  if (key === 'Enter') return 'Return';
  return key;
}

/**
 * The accelerator a menu shows for an action: its first single-key alternative. Only shown,
 * never registered (a registered bare letter would be swallowed while typing). A sequence
 * like "g i" has no accelerator form, so its item shows none.
 */
export function acceleratorFor(action: Action): string | undefined {
  const single = bindingFor(action).keys.find((seq) => seq.length === 1);
  return single ? acceleratorForKey(single[0]!) : undefined;
}
