// An invitation (iMIP) that arrives by mail, end to end against Cyrus: the reading pane shows
// it as a card in the user's own time with the clash in their calendar, Accept puts it into the
// calendar (mailing nothing, since the box was not ticked), and "Show in calendar" opens it there.
import type { Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount, importRaw } from './support/mail';

test.use({ timezoneId: 'Europe/Berlin', locale: 'en-GB' });

/** Tomorrow's date in Berlin as YYYYMMDD. */
function tomorrow(): string {
  const d = new Date(Date.now() + 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d).replace(/-/g, '');
}

function invitation(to: string, day: string): string {
  const ics = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Other Corp//Planner//EN', 'METHOD:REQUEST',
    'BEGIN:VEVENT', 'UID:roadmap-review-e2e@other.example', 'SEQUENCE:0', 'DTSTAMP:20261120T120000Z',
    `DTSTART;TZID=America/New_York:${day}T090000`, 'DURATION:PT1H', 'SUMMARY:Roadmap review', 'LOCATION:Video call',
    'ORGANIZER;CN=Olivia Organizer:mailto:olivia@other.example',
    'ATTENDEE;CN=Olivia Organizer;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:olivia@other.example',
    `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${to}`,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
  return [
    'From: Olivia Organizer <olivia@other.example>', `To: ${to}`, 'Subject: Invitation: Roadmap review',
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`, `Message-ID: <inv-${Date.now()}@other.example>`, 'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'You are invited to Roadmap review.', '',
    '--b1', 'Content-Type: text/calendar; charset=utf-8; method=REQUEST', '', ics, '--b1--', '',
  ].join('\r\n');
}

async function openInvitation(page: Page, url: string): Promise<string> {
  const user = freshUser('inv');
  await importRaw(user, 'inbox', invitation(user, tomorrow()));
  await page.goto(url);
  await addAccount(page, user);
  await page.getByTestId('message-row').filter({ hasText: 'Roadmap review' }).click();
  return user;
}

test('an invitation shows in the user\'s time; Accept puts it in the calendar, where "Show in calendar" opens it', async ({ page, host }) => {
  await openInvitation(page, host.url);
  const card = page.getByTestId('invitation-card');
  await expect(card.getByRole('heading', { name: 'Roadmap review' })).toBeVisible();
  // 09:00 in New York is 15:00 in Berlin (both zones on standard time or both on summer time,
  // except in the few weeks between the two DST changes, when it is 14:00).
  await expect(card.getByTestId('invitation-when')).toHaveText(/, 1[45]:00 – 1[56]:00$/);
  await expect(card).toContainText('in America/New York');
  await expect(card).toContainText('Organizer: Olivia Organizer <olivia@other.example>');
  await expect(card.getByRole('checkbox', { name: 'Email my answer to the organizer' })).not.toBeChecked();
  await screenshot(page, 'invitation-card.png');

  await card.getByRole('button', { name: 'Accept' }).click();
  await expect(card.getByRole('button', { name: 'Accept' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('Accepted. It is in your calendar.')).toBeVisible();

  // Once the server has it, the card links to the event.
  const show = card.getByRole('button', { name: 'Show in calendar' });
  await expect(show).toBeVisible({ timeout: 20_000 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'invitation-card-dark.png');
  await page.emulateMedia({ colorScheme: 'light' });
  await show.click();
  await expect(page.getByTestId('space-calendar')).toHaveAttribute('aria-current', 'page');
  const editor = page.getByRole('dialog');
  await expect(editor.getByLabel('Title')).toHaveValue('Roadmap review');
  await editor.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('calendar-event').filter({ hasText: 'Roadmap review' }).first()).toBeVisible();
});
