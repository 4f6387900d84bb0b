// The calendar space against a real Cyrus through the headless host: a weekly event drawn on
// the week grid lands on the right days (this week and the next), one occurrence is edited
// alone, events are moved and resized by dragging and by keys, a calendar is hidden, the month
// view shows the events, an .ics file is imported and a calendar exported. Every view and the
// editor are checked by axe and photographed in both themes:
// test-results/e2e/screenshots/calendar-<view>-<theme>.png.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount } from './support/mail';

// A zone with DST and a locale whose week starts on Monday, with 24-hour times.
test.use({ timezoneId: 'Europe/Berlin', locale: 'en-GB' });

const hourHeight = 48;

async function openCalendar(page: Page, url: string): Promise<string> {
  const user = freshUser('cal');
  await page.goto(url);
  await addAccount(page, user);
  await page.getByTestId('space-calendar').click();
  await expect(page.getByTestId('calendar-list').getByRole('checkbox')).toHaveCount(1);
  return user;
}

/** The days the week/day grid shows, as YYYY-MM-DD. */
async function columnDays(page: Page): Promise<string[]> {
  const columns = page.locator('[data-testid="day-columns"] > [data-day]');
  await expect(columns.first()).toBeVisible();
  return columns.evaluateAll((els) => els.map((el) => el.getAttribute('data-day') ?? ''));
}

function column(page: Page, day: string): Locator {
  return page.locator(`[data-testid="day-columns"] > [data-day="${day}"]`);
}

function eventsIn(page: Page, day: string, title: string): Locator {
  return column(page, day).getByTestId('calendar-event').filter({ hasText: title });
}

/** Scrolls the grid so that the given hour is at the top. */
async function scrollToHour(page: Page, hour: number): Promise<void> {
  await page.getByTestId('week-scroller').evaluate((el, top) => {
    el.scrollTop = top;
  }, hour * hourHeight);
}

/** Where a wall-clock minute of a day is on screen. */
async function slot(page: Page, day: string, minute: number): Promise<{ x: number; y: number }> {
  const box = await column(page, day).boundingBox();
  if (!box) throw new Error(`no column for ${day}`);
  return { x: box.x + box.width / 2, y: box.y + (minute / 60) * hourHeight };
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
}

/** Draws a new event on the grid and returns the editor that opens. */
async function drawEvent(page: Page, day: string, fromMinute: number, toMinute: number): Promise<Locator> {
  const a = await slot(page, day, fromMinute + 3);
  const b = await slot(page, day, toMinute - 3);
  await drag(page, a, b);
  const editor = page.getByTestId('event-editor');
  await expect(editor).toBeVisible();
  return editor;
}

/** How the app names a day in event labels (en-GB), e.g. "Monday 23 November". */
function dayLabel(day: string): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));
}

async function audit(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.waitForTimeout(200);
    await screenshot(page, `calendar-${name}-${theme}.png`);
    const results = await new AxeBuilder({ page }).analyze();
    for (const v of results.violations) {
      const line = `${name}/${theme}: ${v.id} [${v.impact ?? '?'}] ${v.help}: ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')}`;
      if (v.impact === 'serious' || v.impact === 'critical') problems.push(line);
      else console.log(`[a11y] note ${line}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}

test('a weekly event drawn in the week view repeats on its days, and one occurrence is edited alone', async ({ page, host }) => {
  test.setTimeout(120_000);
  await openCalendar(page, host.url);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  const days = await columnDays(page);
  expect(days).toHaveLength(7);
  // en-GB: the week starts on Monday.
  expect(new Date(`${days[0]}T12:00:00Z`).getUTCDay()).toBe(1);

  await scrollToHour(page, 8);
  const editor = await drawEvent(page, days[0]!, 10 * 60, 11 * 60);
  await expect(editor.getByLabel('Start time')).toHaveValue('10:00');
  await expect(editor.getByLabel('End time')).toHaveValue('11:00');
  await expect(editor.getByLabel('Start date')).toHaveValue(days[0]!);
  await expect(editor.getByLabel('Time zone', { exact: true })).toHaveValue('Europe/Berlin');
  await expect(editor.getByLabel('Title')).toBeFocused();
  await editor.getByLabel('Title').fill('Standup');
  await editor.getByLabel('Repeats').selectOption('weekly');
  // Monday (the start's day) is ticked already; add Wednesday.
  await expect(editor.getByRole('checkbox', { name: 'Monday' })).toBeChecked();
  await editor.getByRole('checkbox', { name: 'Wednesday' }).check();
  await expect(editor.getByTestId('recurrence-summary')).toHaveText('Every week on Monday, Wednesday');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toBeHidden();

  const onDays = async (list: string[]) => {
    await expect(eventsIn(page, list[0]!, 'Standup')).toHaveCount(1);
    await expect(eventsIn(page, list[2]!, 'Standup')).toHaveCount(1);
    for (const i of [1, 3, 4, 5, 6]) await expect(eventsIn(page, list[i]!, 'Standup')).toHaveCount(0);
  };
  await onDays(days);
  await expect(eventsIn(page, days[0]!, 'Standup')).toHaveAttribute('aria-label', /10:00 – 11:00.*repeats/);

  // Next week: the same days again.
  await page.getByRole('button', { name: 'Next week' }).click();
  const next = await columnDays(page);
  expect(next[0]).not.toBe(days[0]);
  await onDays(next);
  await page.getByRole('button', { name: 'Previous week' }).click();
  await expect(column(page, days[0]!)).toBeVisible();

  // Only Wednesday's occurrence changes: new title, 14:00, and the end follows the start.
  await scrollToHour(page, 8);
  await eventsIn(page, days[2]!, 'Standup').click();
  await expect(editor).toBeVisible();
  await expect(editor.getByLabel('Title')).toHaveValue('Standup');
  await expect(editor.getByLabel('Start date')).toHaveValue(days[2]!);
  await screenshot(page, 'calendar-editor-occurrence-light.png');
  await editor.getByLabel('Title').fill('Standup, Wednesday special');
  await editor.getByLabel('Start time').fill('14:00');
  await expect(editor.getByLabel('End time')).toHaveValue('15:00');
  await editor.getByRole('button', { name: 'Save' }).click();
  await editor.getByRole('button', { name: 'Only this event' }).click();
  await expect(editor).toBeHidden();
  await expect(eventsIn(page, days[2]!, 'Wednesday special')).toHaveAttribute('aria-label', /14:00 – 15:00/);
  await expect(eventsIn(page, days[0]!, 'Standup')).toHaveAttribute('aria-label', /^Standup, .*10:00 – 11:00/);
  await page.getByRole('button', { name: 'Next week' }).click();
  await expect(eventsIn(page, next[2]!, 'Standup')).toHaveAttribute('aria-label', /^Standup, .*10:00 – 11:00/);
  await expect(eventsIn(page, next[2]!, 'Wednesday special')).toHaveCount(0);

  // Dragging one occurrence asks which to move; "Only this event" moves next Monday's alone.
  await scrollToHour(page, 8);
  await drag(page, await slot(page, next[0]!, 10 * 60 + 10), await slot(page, next[0]!, 12 * 60 + 10));
  const question = page.getByRole('dialog', { name: 'Move a repeating event' });
  await expect(question).toBeVisible();
  await question.getByRole('button', { name: 'Only this event' }).click();
  await expect(eventsIn(page, next[0]!, 'Standup')).toHaveAttribute('aria-label', /12:00 – 13:00/);
  await expect(eventsIn(page, next[2]!, 'Standup')).toHaveAttribute('aria-label', /10:00 – 11:00/);
  await page.getByRole('button', { name: 'Previous week' }).click();
  await expect(eventsIn(page, days[0]!, 'Standup')).toHaveAttribute('aria-label', /10:00 – 11:00/);

  // The month view shows the series on its days, bars named by their date.
  await page.getByRole('button', { name: 'Today' }).click();
  await page.getByRole('button', { name: 'Month', exact: true }).click();
  const month = page.getByTestId('month-grid');
  await expect(month).toBeVisible();
  const label = (day: string) => new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));
  await expect(month.getByRole('button', { name: new RegExp(`^Standup, ${label(days[0]!)}`) })).toBeVisible();
  await expect(month.getByRole('button', { name: new RegExp(`^Standup, Wednesday special, ${label(days[2]!)}`) })).toBeVisible();
  // Next week is in this month's grid unless this week is its last row.
  const nextShown = (await month.locator(`[data-day="${next[2]}"]`).count()) > 0;
  if (nextShown) await expect(month.getByRole('button', { name: new RegExp(`^Standup, ${label(next[2]!)}`) })).toBeVisible();
  expect(await month.getByTestId('calendar-event').filter({ hasText: 'Standup' }).count()).toBeGreaterThanOrEqual(nextShown ? 4 : 2);

  // Deleting the series takes every occurrence.
  await month.getByRole('button', { name: new RegExp(`^Standup, ${label(days[0]!)}`) }).click();
  await editor.getByRole('button', { name: 'Delete…' }).click();
  await editor.getByRole('button', { name: 'All events' }).click();
  await expect(editor).toBeHidden();
  await expect(month.getByTestId('calendar-event').filter({ hasText: 'Standup' })).toHaveCount(0);
});

test('events move and resize by dragging and by keys, and a hidden calendar hides its events', async ({ page, host }) => {
  test.setTimeout(120_000);
  await openCalendar(page, host.url);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  const days = await columnDays(page);
  await scrollToHour(page, 8);

  const editor = await drawEvent(page, days[1]!, 9 * 60, 10 * 60);
  await editor.getByLabel('Title').fill('Dentist');
  await editor.getByLabel('Location').fill('High Street 4');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toBeHidden();
  // Usually still queued at this moment (dimmed, dashed); for a look, not a check.
  await screenshot(page, 'calendar-week-just-saved-light.png');
  const event = page.getByTestId('calendar-event').filter({ hasText: 'Dentist' });
  await expect(eventsIn(page, days[1]!, 'Dentist')).toHaveAttribute('aria-label', /9:00 – 10:00/);

  // Drag from Tuesday 9:00 to Thursday 13:00 (grabbed 10 minutes into it).
  await drag(page, await slot(page, days[1]!, 9 * 60 + 10), await slot(page, days[3]!, 13 * 60 + 10));
  await expect(eventsIn(page, days[3]!, 'Dentist')).toHaveAttribute('aria-label', /13:00 – 14:00/);
  await expect(eventsIn(page, days[1]!, 'Dentist')).toHaveCount(0);

  // Drag its lower edge half an hour down.
  const box = (await event.boundingBox())!;
  await drag(page, { x: box.x + box.width / 2, y: box.y + box.height - 2 }, { x: box.x + box.width / 2, y: box.y + box.height - 2 + hourHeight / 2 });
  await expect(event).toHaveAttribute('aria-label', /13:00 – 14:30/);

  // Keys: Alt+Down twice (30 minutes later), Alt+Left (a day earlier), Shift+Alt+Up (15 minutes shorter).
  await event.focus();
  await expect(event).toHaveAccessibleDescription(/Alt with the arrow keys/);
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Alt+ArrowLeft');
  await page.keyboard.press('Shift+Alt+ArrowUp');
  await expect(eventsIn(page, days[2]!, 'Dentist')).toHaveAttribute('aria-label', /13:30 – 14:45/);
  await expect(eventsIn(page, days[2]!, 'Dentist')).toBeFocused();
  // Enter opens it, and the editor shows the new time.
  await page.keyboard.press('Enter');
  await expect(editor.getByLabel('Start time')).toHaveValue('13:30');
  await expect(editor.getByLabel('End time')).toHaveValue('14:45');
  await expect(editor.getByLabel('Location')).toHaveValue('High Street 4');
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();

  // Escape during a drag puts the event back where it was.
  const before = (await event.boundingBox())!;
  await page.mouse.move(before.x + before.width / 2, before.y + 10);
  await page.mouse.down();
  await page.mouse.move(before.x + before.width / 2, before.y + 10 + 2 * hourHeight, { steps: 5 });
  await page.keyboard.press('Escape');
  await page.mouse.up();
  await expect(editor).toBeHidden();
  await expect(eventsIn(page, days[2]!, 'Dentist')).toHaveAttribute('aria-label', /13:30 – 14:45/);

  // "c" makes a new event; in the month view, a double-click on a day does.
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  await page.keyboard.press('c');
  await expect(editor).toBeVisible();
  await expect(editor.getByLabel('Title')).toHaveValue('');
  await expect(editor.getByLabel('Title')).toBeFocused();
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'calendar-editor-new-dark.png');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();
  await page.getByRole('button', { name: 'Month', exact: true }).click();
  await page.locator(`[data-testid="month-grid"] [data-day="${days[4]}"]`).dblclick({ position: { x: 60, y: 80 } });
  await expect(editor.getByLabel('Start date')).toHaveValue(days[4]!);
  await editor.getByLabel('Title').fill('Month party');
  await editor.getByRole('checkbox', { name: 'All day' }).check();
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toBeHidden();
  const party = page.getByTestId('month-grid').getByRole('button', { name: /^Month party, .*All day/ });
  await expect(party).toHaveAccessibleName(new RegExp(`^Month party, ${dayLabel(days[4]!)}`));
  // Dragged a day later in the month grid, then another day with Alt+Right.
  const from = (await party.boundingBox())!;
  const to = (await page.locator(`[data-testid="month-grid"] [data-day="${days[5]}"]`).boundingBox())!;
  await drag(page, { x: from.x + 20, y: from.y + from.height / 2 }, { x: to.x + to.width / 2, y: to.y + to.height - 12 });
  await expect(editor).toBeHidden();
  await expect(party).toHaveAccessibleName(new RegExp(`^Month party, ${dayLabel(days[5]!)}`));
  await party.focus();
  await page.keyboard.press('Alt+ArrowRight');
  await expect(party).toHaveAccessibleName(new RegExp(`^Month party, ${dayLabel(days[6]!)}`));
  await expect(party).toBeFocused();
  // In the week view's all-day row, Alt+Left takes it back a day.
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  const partyBar = page.getByTestId('all-day-row').getByRole('button', { name: /^Month party/ });
  await expect(partyBar).toHaveAccessibleName(new RegExp(`^Month party, ${dayLabel(days[6]!)}`));
  await partyBar.focus();
  await page.keyboard.press('Alt+ArrowLeft');
  await expect(partyBar).toHaveAccessibleName(new RegExp(`^Month party, ${dayLabel(days[5]!)}`));

  // A weekly Monday/Wednesday series dragged a day later, for all events, repeats Tuesday/Thursday.
  await scrollToHour(page, 8);
  const weekly = await drawEvent(page, days[0]!, 16 * 60, 17 * 60);
  await weekly.getByLabel('Title').fill('Sync');
  await weekly.getByLabel('Repeats').selectOption('weekly');
  await weekly.getByRole('checkbox', { name: 'Wednesday' }).check();
  await weekly.getByRole('button', { name: 'Save' }).click();
  await expect(weekly).toBeHidden();
  await expect(eventsIn(page, days[2]!, 'Sync')).toHaveCount(1);
  await scrollToHour(page, 12);
  await drag(page, await slot(page, days[0]!, 16 * 60 + 10), await slot(page, days[1]!, 16 * 60 + 10));
  await page.getByRole('dialog', { name: 'Move a repeating event' }).getByRole('button', { name: 'All events' }).click();
  await expect(eventsIn(page, days[1]!, 'Sync')).toHaveCount(1);
  await expect(eventsIn(page, days[3]!, 'Sync')).toHaveCount(1);
  await expect(eventsIn(page, days[0]!, 'Sync')).toHaveCount(0);
  await expect(eventsIn(page, days[2]!, 'Sync')).toHaveCount(0);

  // Hiding the calendar hides its events; showing it brings them back.
  const box2 = page.getByTestId('calendar-list').getByRole('checkbox', { name: 'personal' });
  await box2.uncheck();
  await expect(event).toHaveCount(0);
  await box2.check();
  await expect(eventsIn(page, days[2]!, 'Dentist')).toHaveCount(1);
});

function ics(events: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Meridian e2e//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');
}

function vevent(uid: string, summary: string, lines: string[]): string {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `SUMMARY:${summary}`, ...lines, 'END:VEVENT'].join('\r\n');
}

test('imports an .ics file, exports the calendar, and every view and the editor pass axe in both themes', async ({ page, host }) => {
  test.setTimeout(240_000);
  const user = await openCalendar(page, host.url);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  const days = await columnDays(page);
  const d = (i: number) => days[i]!.replaceAll('-', '');
  const file = ics([
    vevent('e2e-1', 'Planning', [`DTSTART;TZID=Europe/Berlin:${d(1)}T100000`, `DTEND;TZID=Europe/Berlin:${d(1)}T113000`]),
    vevent('e2e-2', 'Design review', [`DTSTART;TZID=Europe/Berlin:${d(1)}T103000`, `DTEND;TZID=Europe/Berlin:${d(1)}T120000`, 'LOCATION:Room 2']),
    vevent('e2e-3', 'Coffee', [`DTSTART;TZID=Europe/Berlin:${d(1)}T110000`, `DTEND;TZID=Europe/Berlin:${d(1)}T113000`]),
    vevent('e2e-4', 'Offsite', [`DTSTART;VALUE=DATE:${d(3)}`, `DTEND;VALUE=DATE:${d(5)}`]),
    vevent('e2e-5', 'Gym', [`DTSTART;TZID=Europe/Berlin:${d(0)}T070000`, `DTEND;TZID=Europe/Berlin:${d(0)}T080000`, 'RRULE:FREQ=DAILY;COUNT=5']),
    vevent('e2e-6', 'Call with New York', [`DTSTART:${d(4)}T150000Z`, `DTEND:${d(4)}T160000Z`]),
  ]);
  await page.getByRole('button', { name: 'Import / export…' }).click();
  const files = page.getByTestId('calendar-files');
  await files.getByLabel('File', { exact: true }).setInputFiles({ name: 'work.ics', mimeType: 'text/calendar', buffer: Buffer.from(file) });
  await files.getByRole('button', { name: 'Import' }).click();
  await expect(files.getByRole('status')).toContainText('6 events imported.');

  // Export: the download holds the events.
  const download = page.waitForEvent('download');
  await files.getByRole('button', { name: 'Export…' }).click();
  const exported = await download;
  const text = await (await exported.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
  expect(exported.suggestedFilename()).toMatch(/\.ics$/);
  expect(text).toContain('BEGIN:VCALENDAR');
  expect(text).toContain('SUMMARY:Design review');
  await files.getByRole('button', { name: 'Close' }).click();

  // Overlapping events sit side by side; the all-day one is in the all-day row.
  await scrollToHour(page, 6);
  const planning = (await eventsIn(page, days[1]!, 'Planning').boundingBox())!;
  const review = (await eventsIn(page, days[1]!, 'Design review').boundingBox())!;
  expect(review.x).toBeGreaterThan(planning.x + planning.width / 2 - 1);
  await expect(page.getByTestId('all-day-row').getByTestId('calendar-event').filter({ hasText: 'Offsite' })).toHaveCount(1);
  // 15:00 UTC is 16:00 in Berlin.
  await expect(eventsIn(page, days[4]!, 'Call with New York')).toHaveAttribute('aria-label', /16:00 – 17:00/);
  await expect(page.getByTestId('calendar-event').filter({ hasText: 'Gym' })).toHaveCount(5);

  const problems: string[] = [];
  problems.push(...(await audit(page, 'week')));
  await page.getByRole('button', { name: 'Day', exact: true }).click();
  await page.getByRole('button', { name: 'Next day' }).click();
  await scrollToHour(page, 6);
  problems.push(...(await audit(page, 'day')));
  await page.getByRole('button', { name: 'Month', exact: true }).click();
  await expect(page.getByTestId('month-grid')).toBeVisible();
  problems.push(...(await audit(page, 'month')));
  // The agenda from this week's Monday, picked in the small month.
  const monday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${days[0]}T12:00:00Z`));
  await page.getByTestId('mini-month').getByRole('button', { name: monday, exact: true }).click();
  await page.getByRole('button', { name: 'Agenda', exact: true }).click();
  await expect(page.getByTestId('agenda')).toBeVisible();
  problems.push(...(await audit(page, 'agenda')));

  await page.getByRole('button', { name: 'Calendar keys' }).click();
  await expect(page.getByTestId('calendar-keys')).toBeVisible();
  problems.push(...(await audit(page, 'keys')));
  await page.keyboard.press('Escape');

  // The editor with everything showing: a repeat, a participant and two alerts.
  await page.getByTestId('agenda').getByRole('button', { name: /Design review/ }).click();
  const editor = page.getByTestId('event-editor');
  await expect(editor.getByLabel('Title')).toHaveValue('Design review');
  await editor.getByLabel('Repeats').selectOption('monthly');
  await editor.getByRole('button', { name: '+ Add participant' }).click();
  await editor.getByLabel('Name of participant 1').fill('Ann Example');
  await editor.getByLabel('Email of participant 1').fill('ann@example.com');
  await editor.getByRole('button', { name: '+ Add alert' }).click();
  await editor.getByRole('button', { name: '+ Add alert' }).click();
  problems.push(...(await audit(page, 'editor')));
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toBeHidden();
  // Once the server has it (no longer pending), it reads back with the participants and the repeat.
  const saved = page.getByTestId('agenda').getByRole('button', { name: /Design review/ }).first();
  await expect(saved).toContainText('repeats');
  await expect(saved).not.toContainText('not yet saved', { timeout: 20_000 });
  await saved.click();
  // The user became the organizer, listed first.
  await expect(editor.getByLabel('Email of participant 1')).toHaveValue(user);
  await expect(editor.getByLabel('Role of participant 1')).toHaveValue('owner');
  await expect(editor.getByLabel('Email of participant 2')).toHaveValue('ann@example.com');
  await expect(editor.getByLabel('Repeats')).toHaveValue('monthly');
  await editor.getByRole('button', { name: 'Cancel' }).click();

  // A narrow window: the side panel gives way, the toolbar still fits.
  await page.setViewportSize({ width: 720, height: 700 });
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Calendars' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New event' })).toBeVisible();
  await screenshot(page, 'calendar-narrow-light.png');

  expect(problems, `serious or critical accessibility violations:\n${problems.join('\n')}`).toEqual([]);
});

