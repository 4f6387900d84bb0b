// What a calendar reminder says, the same in the Electron shell's notification and the
// browser's (host mode).
import type { EventPayload } from './contract';

export function describeReminder(payload: EventPayload<'calendar.reminder'>, locale?: string): { title: string; body: string } {
  const when = payload.allDay ? 'All day' : new Date(payload.start).toLocaleTimeString(locale ? [locale] : [], { hour: '2-digit', minute: '2-digit' });
  return { title: payload.title || 'Event', body: [when, payload.location].filter(Boolean).join(' · ') };
}
