// The native application menu, built from the shared keymap so that each item shows the
// key the renderer really handles. Single-key accelerators are displayed but not
// registered: registered, they would swallow those letters while the user types.
import type { MenuItemConstructorOptions } from 'electron';
import { acceleratorFor, menuPlacement, type Action, type MenuGroup } from '../../shared/keymap';

export interface AppMenuActions {
  /** A renderer action: sent to the window as 'ui.command' and run there as its keys. */
  command(action: Action): void;
  checkMail(): void;
}

export interface AppMenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  /** Unpackaged: reload and developer tools are offered. */
  isDev: boolean;
  actions: AppMenuActions;
}

/** Menu order is menuPlacement's order (Reply before Archive), not the keymap's. */
const placedActions = Object.keys(menuPlacement) as Action[];

function commandItems(group: MenuGroup, actions: AppMenuActions): MenuItemConstructorOptions[] {
  return placedActions.flatMap((action): MenuItemConstructorOptions[] => {
    const place = menuPlacement[action];
    if (place?.menu !== group) return [];
    const accelerator = acceleratorFor(action);
    return [
      {
        id: action,
        label: place.label,
        ...(accelerator ? { accelerator, registerAccelerator: false } : {}),
        click: () => actions.command(action),
      },
    ];
  });
}

export function appMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const { platform, appName, isDev, actions } = options;
  const mac = platform === 'darwin';
  const message = commandItems('message', actions);
  const go = commandItems('go', actions);

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    // macOS: the first menu is the app's own, named after it, with Quit at its end.
    template.push({
      label: appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push({
    id: 'menu-file',
    label: mac ? 'File' : '&File',
    submenu: [
      ...commandItems('file', actions),
      { type: 'separator' },
      // A real shortcut (with a modifier, as in Apple Mail), handled here: it needs no renderer state.
      { id: 'check-mail', label: 'Check Mail', accelerator: 'CmdOrCtrl+Shift+N', click: () => actions.checkMail() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  // The standard roles: without an Edit menu, macOS has no copy and paste shortcuts in inputs.
  template.push({
    id: 'menu-edit',
    label: mac ? 'Edit' : '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { role: 'selectAll' },
    ],
  });
  template.push({
    id: 'menu-view',
    label: mac ? 'View' : '&View',
    submenu: [
      ...(isDev ? [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  template.push({ id: 'menu-message', label: mac ? 'Message' : '&Message', submenu: message });
  template.push({ id: 'menu-go', label: mac ? 'Go' : '&Go', submenu: go });
  template.push({
    role: 'windowMenu',
    submenu: mac
      ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'close' }],
  });
  // role 'help' gives macOS its search field in this menu.
  template.push({ id: 'menu-help', role: 'help', label: mac ? 'Help' : '&Help', submenu: commandItems('help', actions) });
  return template;
}

/** Every item in a template, depth first (for tests and lookups). */
export function flattenMenu(template: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  const out: MenuItemConstructorOptions[] = [];
  for (const entry of template) {
    out.push(entry);
    if (Array.isArray(entry.submenu)) out.push(...flattenMenu(entry.submenu));
  }
  return out;
}
