// The client's own model of calendars and contacts: JSCalendar (RFC 8984) events and JSContact
// (RFC 9553) cards, whatever dialect the server speaks. Only what the app reads is typed; the
// full object is kept, so nothing the server sent is lost.
import { z } from 'zod';

export interface Calendar {
  id: string;
  name: string;
  color: string | null;
  sortOrder: number;
  isVisible: boolean;
  mayWrite: boolean;
}

export interface RecurrenceRule {
  frequency: 'yearly' | 'monthly' | 'weekly' | 'daily' | 'hourly' | 'minutely' | 'secondly';
  interval?: number;
  count?: number;
  until?: string;
  byDay?: { day: string; nthOfPeriod?: number }[];
  byMonthDay?: number[];
  byMonth?: string[];
  byYearDay?: number[];
  byWeekNo?: number[];
  byHour?: number[];
  byMinute?: number[];
  bySecond?: number[];
  bySetPosition?: number[];
  firstDayOfWeek?: string;
  rscale?: string;
  skip?: string;
  [key: string]: unknown;
}

/** A JSCalendar Event (RFC 8984 §2.1), as stored. */
export interface CalendarEvent {
  '@type': 'Event';
  id: string;
  uid: string;
  calendarIds: Record<string, boolean>;
  title: string;
  description: string;
  /** LocalDateTime (RFC 8984 §1.4.4), in timeZone, or floating when timeZone is null. */
  start: string;
  timeZone: string | null;
  duration: string;
  showWithoutTime: boolean;
  status: string;
  recurrenceRules: RecurrenceRule[] | null;
  recurrenceOverrides: Record<string, Record<string, unknown>> | null;
  /** Rules whose occurrences are removed from the set (RFC 8984 §4.3.4). */
  excludedRecurrenceRules?: RecurrenceRule[] | null;
  /** On an expanded occurrence: the LocalDateTime key it was generated for (RFC 8984 §4.3.1). */
  recurrenceId?: string | null;
  locations: Record<string, unknown> | null;
  participants: Record<string, unknown> | null;
  alerts: Record<string, unknown> | null;
  [key: string]: unknown;
}

export interface AddressBook {
  id: string;
  name: string;
  isDefault: boolean;
  mayWrite: boolean;
}

/** A JSContact Card (RFC 9553 §2), as stored: an individual, or a group with members. */
export interface ContactCard {
  '@type': 'Card';
  version: '1.0';
  id: string;
  uid: string;
  kind: 'individual' | 'group' | 'org';
  addressBookIds: Record<string, boolean>;
  name?: { components?: { kind: string; value: string }[]; full?: string };
  emails?: Record<string, { address: string; contexts?: Record<string, boolean>; pref?: number }>;
  phones?: Record<string, { number: string; features?: Record<string, boolean>; contexts?: Record<string, boolean>; pref?: number }>;
  organizations?: Record<string, { name: string; units?: { name: string }[] }>;
  titles?: Record<string, { name: string; kind?: 'title' | 'role' }>;
  notes?: Record<string, { note: string }>;
  addresses?: Record<string, unknown>;
  members?: Record<string, boolean>;
  [key: string]: unknown;
}

/** A card's display name: the full name, or its components, or its first email address. */
export function cardDisplayName(card: ContactCard): string {
  const full = card.name?.full?.trim();
  if (full) return full;
  const parts = card.name?.components?.filter((c) => c.kind === 'given' || c.kind === 'surname').map((c) => c.value) ?? [];
  if (parts.join('').trim()) return parts.join(' ').trim();
  return Object.values(card.emails ?? {})[0]?.address ?? '';
}

export const CalendarEventShape = z.looseObject({ id: z.string().min(1) });
