// New-mail notifications in the browser (the headless host). Inside Electron the shell shows
// them natively and tells us which message a click should open (ui.openMessage). Permission
// is only ever asked for from a click on "Enable notifications", and a refusal is final here.
import type { EventPayload } from '../../shared/contract';
import { describeArrival } from '../../shared/mail-notification';
import { describeReminder } from '../../shared/reminder-notification';
import type { Transport } from '../../shared/transport';

const storageKey = 'meridian.notifications';
export type NotifyPermission = NotificationPermission | 'unsupported';

function supported(): boolean {
  return typeof window.Notification === 'function';
}

export class Notifier {
  /** Electron's shell notifies; this window only opens what was clicked. */
  readonly native = !!window.jmapBridge;
  permission = $state<NotifyPermission>(supported() ? Notification.permission : 'unsupported');
  /** The user's own switch, on top of the browser's permission. */
  wanted = $state(readWanted());
  readonly active = $derived(this.native || (this.wanted && this.permission === 'granted'));

  /** Call from a click: browsers only ask for permission on a user gesture. */
  async enable(): Promise<void> {
    this.setWanted(true);
    if (this.native || !supported() || this.permission !== 'default') return;
    try {
      this.permission = await Notification.requestPermission();
    } catch {
      this.permission = Notification.permission;
    }
  }

  disable(): void {
    this.setWanted(false);
  }

  /** Subscribes to new mail (and, in Electron, to clicks on the shell's notifications). */
  listen(transport: Transport, open: (accountId: string, emailId: string) => void): () => void {
    const offs = [
      transport.on('mail.arrived', (payload) => this.show(payload, open)),
      transport.on('calendar.reminder', (payload) => this.remind(payload)),
      transport.on('ui.openMessage', ({ accountId, emailId }) => open(accountId, emailId)),
    ];
    // The permission can change in the browser's site settings meanwhile.
    const recheck = (): void => {
      if (supported()) this.permission = Notification.permission;
    };
    window.addEventListener('focus', recheck);
    return () => {
      offs.forEach((off) => off());
      window.removeEventListener('focus', recheck);
    };
  }

  private show(payload: EventPayload<'mail.arrived'>, open: (accountId: string, emailId: string) => void): void {
    if (this.native || !this.wanted || !supported() || Notification.permission !== 'granted') return;
    const text = describeArrival(payload);
    // One notification per account at a time: a newer batch replaces the older one.
    const n = new Notification(text.title, { body: text.body, tag: `mail-${payload.accountId}` });
    n.addEventListener('click', () => {
      window.focus();
      if (text.open) open(text.open.accountId, text.open.emailId);
      n.close();
    });
  }

  /** A calendar alert, in host mode (Electron's shell shows its own). */
  private remind(payload: EventPayload<'calendar.reminder'>): void {
    if (this.native || !this.wanted || !supported() || Notification.permission !== 'granted') return;
    const text = describeReminder(payload);
    const n = new Notification(text.title, { body: text.body, tag: `reminder-${payload.eventId}-${payload.start}` });
    n.addEventListener('click', () => {
      window.focus();
      n.close();
    });
  }

  private setWanted(on: boolean): void {
    this.wanted = on;
    try {
      localStorage.setItem(storageKey, on ? 'on' : 'off');
    } catch {
      // Private mode or storage full: the choice lasts for this window only.
    }
  }
}

function readWanted(): boolean {
  try {
    // On unless turned off: the browser's permission is the real gate.
    return localStorage.getItem(storageKey) !== 'off';
  } catch {
    return true;
  }
}

/** One per window. */
export const notifier = new Notifier();
