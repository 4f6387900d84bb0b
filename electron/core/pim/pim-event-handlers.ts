// Calendars and events: listing (recurrences expanded over the asked range), the editor's
// detail, and edits of a series or of one occurrence through the outbox.
import type { CalendarView, EditScope, EventDetail, EventDraft, OccurrenceView } from '../../../shared/pim-contract';
import { IpcError } from '../../../shared/errors';
import type { Handlers } from '../dispatch';
import { instanceOf } from './ical-overrides';
import { parseICalendar, toICalendar } from './icalendar';
import type { CalendarEvent } from './model';
import type { PimContext } from './pim-context';
import { applyEventDraft, eventToDraft, locationOf, newEvent, occurrenceOverride, participantEmail, withOverride } from './pim-drafts';
import { expandAll } from './recurrence';

type EventHandlers = Pick<
  Handlers,
  'calendars.list' | 'calendars.setVisible' | 'events.list' | 'events.get' | 'events.save' | 'events.reschedule' | 'events.delete' | 'events.import' | 'events.export'
>;

const EVENT = 'CalendarEvent';

export function eventHandlers(ctx: PimContext): EventHandlers {
  const { pim } = ctx;

  const calendar = (accountId: string, calendarId: string) => {
    const c = pim.calendars(accountId).find((x) => x.id === calendarId);
    if (!c) throw new IpcError({ code: 'not-found', message: 'No such calendar.' });
    return c;
  };
  const writable = (accountId: string, calendarId: string) => {
    if (!calendar(accountId, calendarId).mayWrite) throw new IpcError({ code: 'invalid-params', message: 'This calendar is read-only.' });
  };
  const stored = (accountId: string, eventId: string): CalendarEvent => {
    ctx.requireAccount(accountId);
    const e = pim.event(accountId, ctx.resolve(accountId, eventId));
    if (!e) throw new IpcError({ code: 'not-found', message: 'This event is no longer here.' });
    return e;
  };
  const calendarOf = (e: CalendarEvent) => Object.keys(e.calendarIds).find((k) => e.calendarIds[k]) ?? '';
  const update = (accountId: string, before: CalendarEvent, after: CalendarEvent) => ctx.queue(accountId, { kind: 'pim.update', type: EVENT, id: before.id, before, after });
  /** The series with one occurrence's override replaced by `patch(current override, occurrence)`. */
  const editOccurrence = (e: CalendarEvent, recurrenceId: string, patch: (existing: Record<string, unknown>, occurrence: CalendarEvent) => Record<string, unknown>) => {
    if (!e.recurrenceRules?.length && !e.recurrenceOverrides?.[recurrenceId]) {
      throw new IpcError({ code: 'invalid-params', message: 'This event does not repeat: edit the whole event.' });
    }
    const existing = e.recurrenceOverrides?.[recurrenceId] ?? {};
    return withOverride(e, recurrenceId, patch(existing, instanceOf(e, recurrenceId, existing)));
  };
  const isSeries = (scope: EditScope): scope is 'series' => scope === 'series';
  /** Inviting people makes the user the organizer unless the draft names one (servers require one). */
  const withOrganizer = (d: EventDraft, accountId: string): EventDraft => {
    if (!d.participants.length || d.participants.some((p) => p.role === 'owner')) return d;
    const account = ctx.accounts.list().find((x) => x.id === accountId);
    const identity = ctx.identities.list(accountId)[0];
    const email = identity?.email ?? account?.email;
    if (!email) return d;
    const mine = d.participants.find((p) => p.email.toLowerCase() === email.toLowerCase());
    const others = d.participants.filter((p) => p !== mine);
    return { ...d, participants: [{ name: mine?.name || identity?.name || account?.name || '', email, role: 'owner', status: 'accepted' }, ...others] };
  };

  return {
    'calendars.list': async () => {
      const out: CalendarView[] = [];
      for (const accountId of ctx.accounts.ids()) {
        for (const c of pim.calendars(accountId)) out.push({ accountId, id: c.id, name: c.name, color: c.color, isVisible: c.isVisible, mayWrite: c.mayWrite });
      }
      return out;
    },

    'calendars.setVisible': async ({ accountId, calendarId, visible }) => {
      ctx.requireAccount(accountId);
      calendar(accountId, calendarId);
      ctx.queue(accountId, { kind: 'pim.calendarVisible', calendarId, visible });
      return { ok: true };
    },

    'events.list': async ({ from, to }) => {
      const out: OccurrenceView[] = [];
      for (const accountId of ctx.accounts.ids()) {
        const visible = new Set(pim.calendars(accountId).filter((c) => c.isVisible).map((c) => c.id));
        const events = pim.events(accountId).filter((e) => Object.keys(e.calendarIds).some((id) => e.calendarIds[id] && visible.has(id)));
        if (!events.length) continue;
        const pending = ctx.pending(accountId);
        const mine = ctx.myAddresses(accountId);
        for (const o of expandAll(events, { from: new Date(from), to: new Date(to) })) {
          const e = o.event;
          out.push({
            accountId,
            eventId: o.eventId,
            calendarId: calendarOf(e),
            recurrenceId: o.recurrenceId,
            title: e.title,
            start: o.start.toISOString(),
            end: o.end.toISOString(),
            allDay: o.allDay,
            timeZone: e.timeZone,
            location: locationOf(e),
            recurring: o.recurrenceId !== null,
            status: e.status === 'tentative' || e.status === 'cancelled' ? e.status : 'confirmed',
            myStatus: myStatus(e, mine),
            pending: pending.has(o.eventId),
          });
        }
      }
      return out.sort((a, b) => a.start.localeCompare(b.start));
    },

    'events.get': async ({ accountId, eventId }) => {
      const e = stored(accountId, eventId);
      const cal = pim.calendars(accountId).find((c) => c.id === calendarOf(e));
      const detail: EventDetail = {
        accountId,
        eventId: e.id,
        uid: e.uid,
        draft: eventToDraft(e),
        excluded: Object.entries(e.recurrenceOverrides ?? {}).filter(([, p]) => p.excluded === true).map(([rid]) => rid).sort(),
        mayWrite: cal?.mayWrite ?? true,
        pending: ctx.pending(accountId).has(e.id),
      };
      return detail;
    },

    'events.save': async ({ accountId, eventId, draft: asked, scope }) => {
      ctx.requireAccount(accountId);
      const draft = withOrganizer(asked, accountId);
      writable(accountId, draft.calendarId);
      if (eventId === null) {
        const e = newEvent(draft);
        const actionId = ctx.queue(accountId, { kind: 'pim.create', type: EVENT, localId: e.id, object: e });
        return { eventId: e.id, queued: actionId };
      }
      const before = stored(accountId, eventId);
      const after = isSeries(scope)
        ? applyEventDraft(before, draft, eventToDraft(before))
        : editOccurrence(before, scope.recurrenceId, (existing, occurrence) =>
            occurrenceOverride(before, scope.recurrenceId, applyEventDraft(occurrence, { ...draft, recurrence: null }, { ...eventToDraft(occurrence), recurrence: null }), existing),
          );
      return { eventId: before.id, queued: update(accountId, before, after) };
    },

    'events.reschedule': async ({ accountId, eventId, scope, start, duration }) => {
      const before = stored(accountId, eventId);
      const when = (e: CalendarEvent) => (e.showWithoutTime ? { start: `${start.slice(0, 10)}T00:00:00`, duration } : { start, duration });
      const after = isSeries(scope) ? { ...before, ...when(before) } : editOccurrence(before, scope.recurrenceId, (existing, occurrence) => ({ ...existing, ...when(occurrence) }));
      return { queued: update(accountId, before, after) };
    },

    'events.delete': async ({ accountId, eventId, scope }) => {
      const before = stored(accountId, eventId);
      if (isSeries(scope)) return { queued: ctx.queue(accountId, { kind: 'pim.destroy', type: EVENT, id: before.id, title: before.title }) };
      return { queued: update(accountId, before, editOccurrence(before, scope.recurrenceId, () => ({ excluded: true }))) };
    },

    'events.import': async ({ accountId, calendarId, ics }) => {
      ctx.requireAccount(accountId);
      writable(accountId, calendarId);
      let parsed;
      try {
        parsed = parseICalendar(ics, { calendarIds: { [calendarId]: true } });
      } catch (err) {
        throw new IpcError({ code: 'invalid-params', message: `This is not a calendar file that can be read: ${err instanceof Error ? err.message : String(err)}` });
      }
      const problems = [...parsed.problems];
      let imported = 0;
      for (const event of parsed.events) {
        if (event.recurrenceId) {
          problems.push(`"${event.title}" is one occurrence of a series the file does not hold; it was left out.`);
          continue;
        }
        // Importing a file twice updates the events it holds instead of doubling them.
        const existing = pim.eventByUid(accountId, event.uid);
        const fresh: CalendarEvent = { ...event, calendarIds: { [calendarId]: true } };
        if (existing) update(accountId, existing, { ...existing, ...fresh, id: existing.id });
        else {
          const localId = crypto.randomUUID();
          ctx.queue(accountId, { kind: 'pim.create', type: EVENT, localId, object: { ...fresh, id: localId } });
        }
        imported++;
      }
      return { imported, problems };
    },

    'events.export': async ({ accountId, calendarId, eventIds }) => {
      ctx.requireAccount(accountId);
      const wanted = eventIds ? new Set(eventIds.map((id) => ctx.resolve(accountId, id))) : null;
      const events = pim
        .events(accountId)
        .filter((e) => (!calendarId || e.calendarIds[calendarId]) && (!wanted || wanted.has(e.id)));
      const name = calendarId ? calendar(accountId, calendarId).name : events.length === 1 ? events[0]!.title : 'events';
      return { filename: `${safeFilename(name || 'calendar')}.ics`, ics: toICalendar(events) };
    },
  };

  function myStatus(e: CalendarEvent, mine: Set<string>): string | null {
    for (const v of Object.values(e.participants ?? {})) {
      const p = v as Record<string, unknown>;
      if (mine.has(participantEmail(p).toLowerCase())) return typeof p.participationStatus === 'string' ? p.participationStatus : 'needs-action';
    }
    return null;
  }
}

export function safeFilename(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').trim().slice(0, 100) || 'export';
}
