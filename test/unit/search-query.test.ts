import { describe, expect, it } from 'vitest';
import { ftsMatch, parseSearch } from '../../electron/core/mail/search-query';
import { serverFilter } from '../../electron/core/mail/server-search';

describe('search syntax', () => {
  it('splits operators from free text and phrases', () => {
    const q = parseSearch('from:bob to:"Carol D" subject:invoice has:attachment is:unread "exact words" lisbon');
    expect(q).toMatchObject({ from: ['bob'], to: ['Carol D'], subject: ['invoice'], hasAttachment: true, unread: true, text: ['lisbon'], phrases: ['exact words'] });
  });

  it('reads before:/after: as local days and keeps unknown operators as text', () => {
    const q = parseSearch('after:2026-11-01 before:2026/11/20 re:lunch is:flagged');
    expect(q.after).toBe(new Date(2026, 10, 1).getTime());
    expect(q.before).toBe(new Date(2026, 10, 20).getTime());
    expect(q.flagged).toBe(true);
    expect(q.text).toEqual(['re:lunch']);
  });

  it('builds an FTS expression that user input cannot escape', () => {
    expect(ftsMatch(parseSearch('from:bob@example.com hello wor'))).toBe('"hello" AND "wor"* AND sender : "bob example com"*');
    expect(ftsMatch(parseSearch('"a" OR NEAR(b) * ^ -x'))).toBe('"OR" AND "NEAR b" AND "x"* AND "a"');
    expect(ftsMatch(parseSearch('"token-42"'))).toBe('"token 42"'); // quoted: exact, not a prefix
    expect(ftsMatch(parseSearch('is:unread'))).toBeNull();
  });

  it('maps to an RFC 8621 Email/query filter', () => {
    const q = parseSearch('from:bob is:unread after:2026-11-01 in:archive report');
    expect(serverFilter(q, (name) => (name === 'archive' ? 'MB1' : null))).toEqual({
      operator: 'AND',
      conditions: [
        { text: 'report' },
        { from: 'bob' },
        { notKeyword: '$seen' },
        { after: new Date(2026, 10, 1).toISOString().replace(/\.\d+Z$/, 'Z') },
        { inMailbox: 'MB1' },
      ],
    });
    expect(serverFilter(parseSearch(''), () => null)).toBeNull();
  });
});
