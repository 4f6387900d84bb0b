import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OnlineWatcher } from '../../electron/shell/online-watch';
import { secureWebPreferences } from '../../electron/shell/security';
import { editContextMenuTemplate, spellCheckerLanguages, type EditContextParams } from '../../electron/shell/spellcheck';

// A slice of what Chromium's Hunspell offers on Linux (session.availableSpellCheckerLanguages).
const available = ['af', 'bg', 'de-DE', 'en-AU', 'en-CA', 'en-GB', 'en-US', 'es', 'es-419', 'fr', 'pt-BR', 'pt-PT', 'sv', 'zh'];

describe('spellCheckerLanguages', () => {
  it('is on in every window the shell builds', () => {
    expect(secureWebPreferences('/p.cjs').spellcheck).toBe(true);
  });

  it.each([
    [['en-GB'], ['en-GB']],
    [['en-US', 'fr-FR'], ['en-US', 'fr']],
    [['de-AT'], ['de-DE']],
    [['pt'], ['pt-BR']],
    [['pt-PT', 'pt-BR'], ['pt-PT', 'pt-BR']],
    [['es-MX'], ['es']],
    [['zh-Hans-CN'], ['zh']],
    [['en_GB.UTF-8'], ['en-GB']],
    [['sv-SE', 'sv-FI', 'en-US', 'de-DE', 'fr'], ['sv', 'en-US', 'de-DE']],
  ])('%j → %j', (preferred, expected) => {
    expect(spellCheckerLanguages(preferred, available)).toEqual(expected);
  });

  it('never names a language Chromium lacks (setSpellCheckerLanguages would throw)', () => {
    expect(spellCheckerLanguages(['tlh', 'xx-YY'], available)).toEqual(['en-US']);
    expect(spellCheckerLanguages(['tlh'], ['de-DE'])).toEqual([]);
    expect(spellCheckerLanguages([], [])).toEqual([]);
  });
});

function params(over: Partial<EditContextParams> = {}): EditContextParams {
  return {
    misspelledWord: '',
    dictionarySuggestions: [],
    isEditable: false,
    selectionText: '',
    linkURL: '',
    editFlags: { canCut: false, canCopy: false, canPaste: false, canSelectAll: false },
    ...over,
  };
}

function actions() {
  return { replaceMisspelling: vi.fn(), addToDictionary: vi.fn(), copyText: vi.fn() };
}

function click(item: MenuItemConstructorOptions | undefined): void {
  (item?.click as (() => void) | undefined)?.();
}

describe('editContextMenuTemplate', () => {
  it('offers the spellchecker’s suggestions for a misspelled word, then Add to Dictionary and the edit commands', () => {
    const a = actions();
    const menu = editContextMenuTemplate(
      params({
        isEditable: true,
        misspelledWord: 'recieve',
        dictionarySuggestions: ['receive', 'relieve', 'reprieve', 'recieved', 'deceive', 'receiver', 'reweave'],
        editFlags: { canCut: true, canCopy: true, canPaste: true, canSelectAll: true },
      }),
      a,
    );
    expect(menu.map((i) => i.label ?? i.role ?? i.type)).toEqual([
      'receive',
      'relieve',
      'reprieve',
      'recieved',
      'deceive',
      'separator',
      'Add to Dictionary',
      'separator',
      'cut',
      'copy',
      'paste',
      'separator',
      'selectAll',
    ]);
    click(menu[1]);
    expect(a.replaceMisspelling).toHaveBeenCalledWith('relieve');
    click(menu.find((i) => i.id === 'add-to-dictionary'));
    expect(a.addToDictionary).toHaveBeenCalledWith('recieve');
  });

  it('says when there are no guesses', () => {
    const menu = editContextMenuTemplate(params({ isEditable: true, misspelledWord: 'qwxz' }), actions());
    expect(menu[0]).toMatchObject({ label: 'No Guesses Found', enabled: false });
    expect(menu.some((i) => i.id === 'add-to-dictionary')).toBe(true);
  });

  it('follows the field’s edit flags', () => {
    const menu = editContextMenuTemplate(params({ isEditable: true, editFlags: { canCut: false, canCopy: false, canPaste: true, canSelectAll: true } }), actions());
    expect(menu.find((i) => i.role === 'cut')?.enabled).toBe(false);
    expect(menu.find((i) => i.role === 'paste')?.enabled).toBe(true);
  });

  it('has only Copy for selected text in a message, and nothing for a plain click', () => {
    const menu = editContextMenuTemplate(params({ selectionText: 'hello', editFlags: { canCut: false, canCopy: true, canPaste: false, canSelectAll: true } }), actions());
    expect(menu).toEqual([{ role: 'copy', enabled: true }]);
    expect(editContextMenuTemplate(params(), actions())).toEqual([]);
  });

  it('copies web and mail links only, never opening them', () => {
    const a = actions();
    const web = editContextMenuTemplate(params({ linkURL: 'https://example.com/a?b' }), a);
    expect(web.map((i) => i.label)).toEqual(['Copy Link']);
    click(web[0]);
    expect(a.copyText).toHaveBeenCalledWith('https://example.com/a?b');
    const mail = editContextMenuTemplate(params({ linkURL: 'mailto:ann%40x@example.org?subject=x' }), a);
    click(mail[0]);
    expect(a.copyText).toHaveBeenLastCalledWith('ann@x@example.org');
    for (const linkURL of ['javascript:alert(1)', 'file:///etc/passwd', 'ms-msdt:/id x', 'data:text/html,x']) {
      expect(editContextMenuTemplate(params({ linkURL }), a)).toEqual([]);
    }
  });
});

describe('OnlineWatcher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('syncs on the offline → online edge only', () => {
    vi.useFakeTimers();
    const states = [true, true, false, false, true, true, false, true];
    let i = 0;
    const onOnline = vi.fn();
    const watcher = new OnlineWatcher({ isOnline: () => states[Math.min(i++, states.length - 1)]!, onOnline, intervalMs: 5000 });
    watcher.start();
    vi.advanceTimersByTime(5000 * (states.length - 1));
    expect(onOnline).toHaveBeenCalledTimes(2);
    expect(watcher.isOnline).toBe(true);
    watcher.stop();
    vi.advanceTimersByTime(60_000);
    expect(onOnline).toHaveBeenCalledTimes(2);
  });

  it('does not fire at start, even when starting online', () => {
    vi.useFakeTimers();
    const onOnline = vi.fn();
    const watcher = new OnlineWatcher({ isOnline: () => true, onOnline });
    watcher.start();
    vi.advanceTimersByTime(30_000);
    expect(onOnline).not.toHaveBeenCalled();
    watcher.stop();
  });

  it('can be asked to look at once (e.g. after resume)', () => {
    let online = false;
    const onOnline = vi.fn();
    const watcher = new OnlineWatcher({ isOnline: () => online, onOnline, intervalMs: 1e9 });
    watcher.start();
    online = true;
    watcher.check();
    expect(onOnline).toHaveBeenCalledTimes(1);
    watcher.stop();
  });
});
