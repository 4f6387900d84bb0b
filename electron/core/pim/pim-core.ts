// The calendar and contacts part of the core: the store, the outbox extension that carries
// their edits, the poll folded into each account pass, and the reminder timer.
import type { EventBus } from '../events';
import type { JmapClient } from '../jmap/client';
import { JmapAuthError, JmapNetworkError } from '../jmap/errors';
import type { Db } from '../store/db';
import type { SyncStateStore } from '../store/sync-state';
import type { PollExtension } from '../sync/account-sync';
import type { Outbox } from '../sync/outbox';
import { PimOutbox } from './pim-outbox';
import { PimStore } from './pim-store';
import { preparePim, type PimOutcome } from './pim-sync';
import { ReminderScheduler, reminderFilter } from './reminders';

export interface PimCoreDeps {
  db: Db;
  syncState: SyncStateStore;
  outbox: Outbox;
  events: EventBus;
  log?: (message: string) => void;
  /** Tests replace the reminder clock. */
  now?: () => number;
  /** The user's own addresses in an account (lower-case): an event they declined does not remind. */
  myAddresses?: (accountId: string) => Set<string>;
}

export interface PimCore {
  store: PimStore;
  /** What each account pass adds to its mail poll (and the first full fetch of each type). */
  poll(client: JmapClient, localId: string): Promise<PollExtension | null>;
  reminders: ReminderScheduler;
  close(): void;
}

export function createPimCore(deps: PimCoreDeps): PimCore {
  const store = new PimStore(deps.db);
  const log = deps.log ?? ((m: string) => console.warn(m));
  const reminders = new ReminderScheduler({
    // Its default source reads only events that have alerts, cheap enough for every pass.
    db: deps.db,
    ...(deps.now ? { now: deps.now } : {}),
    notify: (r) => deps.events.emit('calendar.reminder', { accountId: r.accountId, eventId: r.eventId, title: r.title, start: r.start, allDay: r.allDay, location: r.location ?? '' }),
    onError: (err) => log(`reminders: ${err instanceof Error ? err.message : String(err)}`),
    include: reminderFilter(store, deps.myAddresses),
  });
  const changed = (accountId: string, area: 'calendars' | 'contacts') => {
    deps.events.emit(area === 'calendars' ? 'calendars.changed' : 'contacts.changed', { accountId });
    if (area === 'calendars') reminders.reschedule();
  };
  deps.outbox.useExtension(new PimOutbox({ db: deps.db, pim: store, syncState: deps.syncState, changed }));
  const announce = (accountId: string, o: PimOutcome) => {
    if (o.calendarsChanged) changed(accountId, 'calendars');
    if (o.contactsChanged) changed(accountId, 'contacts');
  };
  const syncDeps = { db: deps.db, syncState: deps.syncState, pim: store, log };
  // Calendars and contacts must not stop mail: only "offline" and "bad password" end the pass.
  const tolerate = (err: unknown) => {
    if (err instanceof JmapNetworkError || err instanceof JmapAuthError) throw err;
    log(`calendar and contacts sync failed: ${err instanceof Error ? err.message : String(err)}`);
  };

  return {
    store,
    reminders,
    async poll(client, localId) {
      // Timers stall while the machine sleeps; a pass (one follows every wake) re-arms them.
      reminders.reschedule();
      try {
        const { outcome, poll } = await preparePim(client, syncDeps, localId);
        announce(localId, outcome);
        if (!poll) return null;
        return {
          using: poll.using,
          add: (batch) => {
            const apply = poll.add(batch);
            return async (result) => {
              try {
                announce(localId, await apply(result));
              } catch (err) {
                tolerate(err);
              }
            };
          },
        };
      } catch (err) {
        tolerate(err);
        return null;
      }
    },
    close: () => reminders.stop(),
  };
}

