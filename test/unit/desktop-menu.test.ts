import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { events } from '../../shared/contract';
import { acceleratorFor, acceleratorForKey, actions, keymap, menuPlacement } from '../../shared/keymap';
import { keymap as rendererKeymap } from '../../renderer/src/keymap';
import { appMenuTemplate, flattenMenu } from '../../electron/shell/app-menu';

const root = join(__dirname, '..', '..');

/** The `case '…':` labels of a renderer component's switch statements. */
function caseLabels(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(/case\s+'((?:[^'\\]|\\.)+)'\s*:/g)].map((m) => m[1]!);
}

function build(platform: NodeJS.Platform, isDev = false) {
  const menuActions = { command: vi.fn(), checkMail: vi.fn() };
  const template = appMenuTemplate({ platform, appName: 'Meridian Mail', isDev, actions: menuActions });
  return { template, items: flattenMenu(template), actions: menuActions };
}

function click(item: MenuItemConstructorOptions | undefined): void {
  (item?.click as (() => void) | undefined)?.();
}

describe('one keymap for the renderer and the native menus', () => {
  it('is the very table the renderer reads (no copy)', () => {
    expect(rendererKeymap).toBe(keymap);
  });

  it('binds every action exactly once, and the renderer’s key handler runs every action', () => {
    expect(keymap.map((b) => b.action).sort()).toEqual([...actions].sort());
    // KeyboardShortcuts.svelte turns keys into actions through the table, then switches on the action.
    const handled = new Set(caseLabels('renderer/src/KeyboardShortcuts.svelte'));
    for (const action of actions) expect(handled.has(action), action).toBe(true);
  });

  it('the contract’s ui.command takes every action and nothing else', () => {
    for (const command of actions) expect(events['ui.command'].safeParse({ command }).success).toBe(true);
    expect(events['ui.command'].safeParse({ command: 'app.quit' }).success).toBe(false);
  });

  it('turns keys into Electron accelerators', () => {
    expect(acceleratorForKey('c')).toBe('C');
    expect(acceleratorForKey('U')).toBe('Shift+U');
    expect(acceleratorForKey('#')).toBe('#');
    expect(acceleratorForKey('?')).toBe('?');
    expect(acceleratorForKey('Delete')).toBe('Delete');
    expect(acceleratorForKey('Enter')).toBe('Return');
    expect(acceleratorFor('open')).toBe('O');
    expect(acceleratorFor('delete')).toBe('#');
    expect(acceleratorFor('markUnread')).toBe('Shift+U');
    // A sequence has no accelerator form.
    expect(acceleratorFor('goInbox')).toBeUndefined();
  });
});

describe.each(['darwin', 'win32', 'linux'] as const)('application menu on %s', (platform) => {
  it('shows every placed action with the renderer’s key, displayed but not registered', () => {
    const { items, actions: menu } = build(platform);
    for (const action of actions) {
      const place = menuPlacement[action];
      const item = items.find((i) => i.id === action);
      if (!place) {
        expect(item, action).toBeUndefined();
        continue;
      }
      expect(item, action).toBeDefined();
      expect(item!.label).toBe(place.label);
      expect(item!.accelerator).toBe(acceleratorFor(action));
      // Registered, a bare letter would be swallowed while typing a message.
      if (item!.accelerator) expect(item!.registerAccelerator).toBe(false);
      click(item);
      expect(menu.command).toHaveBeenLastCalledWith(action);
    }
  });

  it('registers only accelerators with a modifier, and none twice', () => {
    const { items } = build(platform);
    const accelerators = items.filter((i) => i.accelerator).map((i) => String(i.accelerator));
    expect(new Set(accelerators).size).toBe(accelerators.length);
    for (const item of items.filter((i) => i.accelerator && i.registerAccelerator !== false)) {
      expect(String(item.accelerator)).toMatch(/^(CmdOrCtrl|CommandOrControl|Cmd|Ctrl|Alt|Option)\+/);
    }
  });

  it('checks mail from the menu', () => {
    const { items, actions } = build(platform);
    const check = items.find((i) => i.id === 'check-mail');
    expect(check?.accelerator).toBe('CmdOrCtrl+Shift+N');
    click(check);
    expect(actions.checkMail).toHaveBeenCalledTimes(1);
  });

  it('has the standard edit roles (macOS needs them for copy and paste in fields)', () => {
    const roles = build(platform).items.map((i) => i.role);
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']) expect(roles).toContain(role);
  });

  it('offers reload and developer tools only unpackaged', () => {
    expect(build(platform, false).items.map((i) => i.role)).not.toContain('toggleDevTools');
    expect(build(platform, false).items.map((i) => i.role)).not.toContain('reload');
    expect(build(platform, true).items.map((i) => i.role)).toContain('toggleDevTools');
  });
});

describe('menu conventions', () => {
  it('macOS: the app menu comes first, named after the app, with About, Services, Hide and Quit', () => {
    const { template } = build('darwin');
    const appMenu = template[0]!;
    expect(appMenu.label).toBe('Meridian Mail');
    const roles = (appMenu.submenu as MenuItemConstructorOptions[]).map((i) => i.role);
    expect(roles).toEqual(expect.arrayContaining(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']));
    expect(roles.at(-1)).toBe('quit');
    // Quit lives only in the app menu; File ends with Close Window.
    const file = template.find((t) => t.id === 'menu-file')!.submenu as MenuItemConstructorOptions[];
    expect(file.map((i) => i.role)).not.toContain('quit');
    expect(file.at(-1)!.role).toBe('close');
    const windowMenu = template.find((t) => t.role === 'windowMenu')!.submenu as MenuItemConstructorOptions[];
    expect(windowMenu.map((i) => i.role)).toContain('front');
    expect(template.map((t) => t.label ?? t.role)).toEqual(['Meridian Mail', 'File', 'Edit', 'View', 'Message', 'Go', 'windowMenu', 'Help']);
    const message = template.find((t) => t.id === 'menu-message')!.submenu as MenuItemConstructorOptions[];
    expect(message.slice(0, 3).map((i) => i.label)).toEqual(['Reply', 'Reply All', 'Forward']);
  });

  it.each(['win32', 'linux'] as const)('%s: no app menu; File ends with Quit; menus have mnemonics', (platform) => {
    const { template } = build(platform);
    expect(template[0]!.id).toBe('menu-file');
    const file = template[0]!.submenu as MenuItemConstructorOptions[];
    expect(file.at(-1)!.role).toBe('quit');
    expect(template.filter((t) => t.label).every((t) => t.label!.startsWith('&'))).toBe(true);
    expect(flattenMenu(template).map((i) => i.role)).not.toContain('about');
  });
});
