// What the Electron shell asks of this window: a native menu or tray command (ui.command),
// and a new message from a mailto: link (ui.compose). The browser host never sends these.
import type { EventPayload } from '../../shared/contract';
import { bindingFor, type Action } from '../../shared/keymap';
import type { Transport } from '../../shared/transport';
import { parseAddresses } from './compose/address';
import type { Composer } from './compose/compose-state.svelte';
import { plainToHtml } from './compose/editor-html';
import { messageOf, type MailState } from './mail-state.svelte';
import type { Toasts } from './toasts.svelte';

/**
 * Runs a menu command as its key presses, through the very handler the keyboard reaches, so a
 * menu item can never do something other than its shortcut ("g i" is sent as g, then i).
 */
export function replayCommand(action: Action, target: EventTarget = window): void {
  const keys = bindingFor(action).keys[0] ?? [];
  for (const key of keys) {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey: /^[A-Z]$/.test(key), bubbles: true, cancelable: true }));
  }
}

async function accountsLoaded(mail: MailState, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!mail.loaded && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

/**
 * A new message with the link's fields, from the account in view: the core's own new-message
 * draft (identity, signature) with the link's recipients, subject and body put in.
 */
export async function composeFromLink(
  fields: EventPayload<'ui.compose'>,
  deps: { transport: Transport; mail: MailState; composer: Composer; toasts: Toasts },
): Promise<void> {
  const { transport, mail, composer, toasts } = deps;
  await accountsLoaded(mail);
  const accountId = composer.defaultAccount();
  if (!accountId) {
    toasts.error('Add an account to write the message from this email link.');
    return;
  }
  try {
    const prepared = await transport.request('compose.prepare', { accountId, mode: 'new' });
    const addresses = (list: string[]) => parseAddresses(list.join(', ')).map(({ name, email }) => ({ name, email }));
    const base = prepared.draft;
    const draft = {
      ...base,
      to: addresses(fields.to),
      cc: addresses(fields.cc),
      bcc: addresses(fields.bcc),
      subject: fields.subject,
      // The link's text goes above whatever the new draft starts with (a signature).
      text: fields.body ? `${fields.body}\n${base.text}` : base.text,
      html: base.html === null ? null : fields.body ? plainToHtml(fields.body) + base.html : base.html,
    };
    await composer.open({ restore: { accountId: prepared.accountId, draftId: null, draft } });
  } catch (err) {
    toasts.error(`Could not start the message: ${messageOf(err)}`);
  }
}

export function listenToShell(deps: { transport: Transport; mail: MailState; composer: Composer; toasts: Toasts }): () => void {
  const offs = [
    deps.transport.on('ui.command', ({ command }) => replayCommand(command)),
    deps.transport.on('ui.compose', (fields) => void composeFromLink(fields, deps)),
  ];
  return () => offs.forEach((off) => off());
}
