// Spell-check in compose: Chromium's spellchecker (Hunspell on Linux, the OS checker on
// Windows and macOS) in the user's languages, and the right-click menu with its suggestions.
import type { ContextMenuParams, MenuItemConstructorOptions } from 'electron';

/**
 * The spellchecker languages for the OS's preferred languages (e.g. ['de-AT', 'en-US']),
 * restricted to those Chromium has (setSpellCheckerLanguages throws on any other). A
 * language without its exact region falls back to the bare language, then to any region.
 */
export function spellCheckerLanguages(preferred: readonly string[], available: readonly string[], max = 3): string[] {
  const byLower = new Map(available.map((a) => [a.toLowerCase(), a]));
  const chosen: string[] = [];
  const add = (code: string | undefined): boolean => {
    if (!code || chosen.includes(code) || chosen.length >= max) return false;
    chosen.push(code);
    return true;
  };
  for (const raw of preferred) {
    // BCP 47 from the OS ('zh-Hans-CN', 'en_US.UTF-8' on some Linux setups): language and region only.
    const tag = raw.replace(/\..*$/, '').replace(/_/g, '-').toLowerCase();
    if (!tag) continue;
    const parts = tag.split('-');
    const lang = parts[0]!;
    const region = parts.slice(1).find((p) => /^[a-z]{2}$|^\d{3}$/.test(p));
    const exact = byLower.get(region ? `${lang}-${region}` : lang);
    if (exact) {
      add(exact);
      continue;
    }
    const bare = byLower.get(lang);
    if (bare) {
      add(bare);
      continue;
    }
    add(available.find((a) => a.toLowerCase().startsWith(`${lang}-`)));
  }
  if (chosen.length === 0) add(byLower.get('en-us'));
  return chosen;
}

export type EditContextParams = Pick<ContextMenuParams, 'misspelledWord' | 'dictionarySuggestions' | 'isEditable' | 'selectionText' | 'linkURL'> & {
  editFlags: Pick<ContextMenuParams['editFlags'], 'canCut' | 'canCopy' | 'canPaste' | 'canSelectAll'>;
};

export interface EditContextActions {
  replaceMisspelling(word: string): void;
  addToDictionary(word: string): void;
  copyText(text: string): void;
}

/** Links whose address may be copied: web and mail links, nothing that runs or reads files. */
function copyableLink(url: string): boolean {
  return /^(https?|mailto):/i.test(url) && url.length <= 8192;
}

/**
 * The right-click menu: spelling suggestions for a misspelled word, then the edit commands
 * the field allows, or Copy for selected text. Empty: show no menu.
 */
export function editContextMenuTemplate(params: EditContextParams, actions: EditContextActions, maxSuggestions = 5): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  const word = params.misspelledWord;
  if (params.isEditable && word) {
    const suggestions = params.dictionarySuggestions.slice(0, maxSuggestions);
    if (suggestions.length === 0) items.push({ id: 'no-suggestions', label: 'No Guesses Found', enabled: false });
    for (const suggestion of suggestions) {
      items.push({ id: `suggest:${suggestion}`, label: suggestion, click: () => actions.replaceMisspelling(suggestion) });
    }
    items.push({ type: 'separator' });
    items.push({ id: 'add-to-dictionary', label: 'Add to Dictionary', click: () => actions.addToDictionary(word) });
    items.push({ type: 'separator' });
  }
  if (params.isEditable) {
    items.push(
      { role: 'cut', enabled: params.editFlags.canCut },
      { role: 'copy', enabled: params.editFlags.canCopy },
      { role: 'paste', enabled: params.editFlags.canPaste },
      { type: 'separator' },
      { role: 'selectAll', enabled: params.editFlags.canSelectAll },
    );
  } else if (params.selectionText.trim()) {
    items.push({ role: 'copy', enabled: params.editFlags.canCopy });
  }
  if (params.linkURL && copyableLink(params.linkURL)) {
    if (items.length) items.push({ type: 'separator' });
    const link = params.linkURL;
    const label = /^mailto:/i.test(link) ? 'Copy Email Address' : 'Copy Link';
    const text = /^mailto:/i.test(link) ? decodeMailtoAddress(link) : link;
    items.push({ id: 'copy-link', label, click: () => actions.copyText(text) });
  }
  return items;
}

function decodeMailtoAddress(link: string): string {
  const address = link.replace(/^mailto:/i, '').split(/[?#]/, 1)[0] ?? '';
  try {
    return decodeURIComponent(address);
  } catch {
    return address;
  }
}
