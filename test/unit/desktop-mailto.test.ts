import { describe, expect, it } from 'vitest';
import { events } from '../../shared/contract';
import {
  decodeEncodedWords,
  findMailtoArg,
  mailtoLimits,
  parseMailto,
  percentDecode,
  protocolClientArgs,
  RendererQueue,
  shouldOfferDefaultMailApp,
  splitAddressList,
} from '../../electron/shell/mailto';

const none = { to: [], cc: [], bcc: [], subject: '', body: '' };

describe('parseMailto: RFC 6068 §6.1 basic examples', () => {
  it.each([
    ['mailto:chris@example.com', { to: ['chris@example.com'] }],
    ['mailto:infobot@example.com?subject=current-issue', { to: ['infobot@example.com'], subject: 'current-issue' }],
    ['mailto:infobot@example.com?body=send%20current-issue', { to: ['infobot@example.com'], body: 'send current-issue' }],
    [
      'mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index',
      { to: ['infobot@example.com'], body: 'send current-issue\nsend index' },
    ],
    // In-Reply-To is a real header, but §4 lets a client take only the safe ones.
    ['mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E', { to: ['list@example.org'] }],
    ['mailto:majordomo@example.com?body=subscribe%20bamboo-l', { to: ['majordomo@example.com'], body: 'subscribe bamboo-l' }],
    ['mailto:joe@example.com?cc=bob@example.com&body=hello', { to: ['joe@example.com'], cc: ['bob@example.com'], body: 'hello' }],
    ['mailto:gorby%25kremvax@example.com', { to: ['gorby%kremvax@example.com'] }],
    // blat is no header anyone knows: ignored.
    ['mailto:unlikely%3Faddress@example.com?blat=foop', { to: ['unlikely?address@example.com'] }],
    ['mailto:Mike%26family@example.org', { to: ['Mike&family@example.org'] }],
  ])('%s', (uri, expected) => {
    expect(parseMailto(uri)).toEqual({ ...none, ...expected });
  });

  it('reads the "WRONG!" example (two "?") as the RFC predicts: the second ? is part of cc', () => {
    // §6.1 calls it incorrect; the result must still be harmless: no body, an odd cc address.
    expect(parseMailto('mailto:joe@example.com?cc=bob@example.com?body=hello')).toEqual({
      ...none,
      to: ['joe@example.com'],
      cc: ['bob@example.com?body=hello'],
    });
  });
});

describe('parseMailto: RFC 6068 §6.2 complicated addresses', () => {
  it.each([
    ['mailto:%22not%40me%22@example.org', '"not@me"@example.org'],
    ['mailto:%22oh%5C%5Cno%22@example.org', '"oh\\\\no"@example.org'],
    ["mailto:%22%5C%5C%5C%22it's%5C%20ugly%5C%5C%5C%22%22@example.org", '"\\\\\\"it\'s\\ ugly\\\\\\""@example.org'],
  ])('%s', (uri, address) => {
    expect(parseMailto(uri)).toEqual({ ...none, to: [address] });
  });
});

describe('parseMailto: RFC 6068 §6.3 UTF-8 percent-encoding', () => {
  it('decodes a UTF-8 subject', () => {
    expect(parseMailto('mailto:user@example.org?subject=caf%C3%A9')).toEqual({ ...none, to: ['user@example.org'], subject: 'café' });
  });

  it('decodes the same subject given as UTF-8 and as ISO-8859-1 encoded words', () => {
    expect(parseMailto('mailto:user@example.org?subject=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3DA9%3F%3D')?.subject).toBe('café');
    expect(parseMailto('mailto:user@example.org?subject=%3D%3Fiso-8859-1%3FQ%3Fcaf%3DE9%3F%3D')?.subject).toBe('café');
  });

  it('decodes subject and body, and never encoded words in the body', () => {
    expect(parseMailto('mailto:user@example.org?subject=caf%C3%A9&body=caf%C3%A9')).toEqual({
      ...none,
      to: ['user@example.org'],
      subject: 'café',
      body: 'café',
    });
    expect(parseMailto('mailto:a@example.org?body=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3DA9%3F%3D')?.body).toBe('=?utf-8?Q?caf=C3=A9?=');
  });

  it('decodes an internationalized domain', () => {
    expect(parseMailto('mailto:user@%E7%B4%8D%E8%B1%86.example.org?subject=Test&body=NATTO')).toEqual({
      ...none,
      to: ['user@納豆.example.org'],
      subject: 'Test',
      body: 'NATTO',
    });
  });
});

describe('parseMailto: §2 to, cc, bcc and several addresses', () => {
  it('treats the three equivalent forms of two recipients alike', () => {
    const expected = { ...none, to: ['addr1@an.example', 'addr2@an.example'] };
    expect(parseMailto('mailto:addr1@an.example,addr2@an.example')).toEqual(expected);
    expect(parseMailto('mailto:?to=addr1@an.example,addr2@an.example')).toEqual(expected);
    expect(parseMailto('mailto:addr1@an.example?to=addr2@an.example')).toEqual(expected);
  });

  it('takes address lists with display names, encoded commas and semicolons in header fields', () => {
    expect(
      parseMailto('mailto:?to=%22Doe%2C%20Jane%22%20%3Cjane@example.com%3E%2C%20bob@example.com&cc=a@x.org;b@x.org&bcc=c@x.org&BCC=d@x.org'),
    ).toEqual({
      ...none,
      to: ['"Doe, Jane" <jane@example.com>', 'bob@example.com'],
      cc: ['a@x.org', 'b@x.org'],
      bcc: ['c@x.org', 'd@x.org'],
    });
  });

  it('drops duplicate addresses (§3 allows it) and empty ones', () => {
    expect(parseMailto('mailto:a@x.org,,A@x.org?to=a@x.org&cc=')).toEqual({ ...none, to: ['a@x.org'] });
  });

  it('accepts an empty mailto and a mailto with only a subject', () => {
    expect(parseMailto('mailto:')).toEqual(none);
    expect(parseMailto('MAILTO:?subject=Hi')).toEqual({ ...none, subject: 'Hi' });
  });

  it('keeps + as + (it is not a space in mailto, §5)', () => {
    expect(parseMailto('mailto:bill+ietf@example.org?subject=a+b')).toEqual({ ...none, to: ['bill+ietf@example.org'], subject: 'a+b' });
  });

  it('matches header names case-insensitively and keeps the first subject and body', () => {
    expect(parseMailto('mailto:a@x.org?SUBJECT=one&Subject=two&Body=first&body=second')).toEqual({
      ...none,
      to: ['a@x.org'],
      subject: 'one',
      body: 'first',
    });
  });

  it('ignores the fragment', () => {
    expect(parseMailto('mailto:a@x.org?subject=hi#frag')).toEqual({ ...none, to: ['a@x.org'], subject: 'hi' });
  });
});

describe('parseMailto: hostile links', () => {
  it('ignores originator, routing, MIME and unknown header fields (§3, §4)', () => {
    const uri =
      'mailto:a@x.org?from=ceo@x.org&sender=s@x.org&reply-to=evil@x.org&date=now&resent-to=r@x.org&apparently-to=z@x.org' +
      '&mime-version=1.0&content-type=text/html&content-transfer-encoding=base64&attach=/etc/passwd&attachment=C:%5Cboot.ini' +
      '&x-mailer=evil&received=from%20x&keywords=k&in-reply-to=%3Cid@x%3E&references=%3Cid@x%3E&subject=ok';
    expect(parseMailto(uri)).toEqual({ ...none, to: ['a@x.org'], subject: 'ok' });
  });

  it('keeps the subject on one line and strips control characters (no header injection)', () => {
    expect(parseMailto('mailto:a@x.org?subject=Hi%0D%0ABcc:%20spy@x.org%00')?.subject).toBe('Hi Bcc: spy@x.org');
    expect(parseMailto('mailto:a@x.org%0D%0ABcc:spy@x.org')?.to).toEqual(['a@x.org Bcc:spy@x.org']);
    expect(parseMailto('mailto:a@x.org?body=a%00b%1Bc%0Dd%09e')?.body).toBe('abc\nd\te');
  });

  it('survives malformed percent-encoding', () => {
    expect(parseMailto('mailto:a@x.org?subject=100%&body=%E0%A4%A%ZZ')).toEqual({
      ...none,
      to: ['a@x.org'],
      subject: '100%',
      body: '\uFFFD%A%ZZ',
    });
  });

  it('caps what a link can put in a message', () => {
    const many = Array.from({ length: 500 }, (_, i) => `u${i}@x.org`).join(',');
    const fields = parseMailto(`mailto:${many}?subject=${'s'.repeat(5000)}&body=${'b'.repeat(200_000)}&cc=${'a'.repeat(400)}@x.org`)!;
    expect(fields.to).toHaveLength(mailtoLimits.addresses);
    expect(fields.subject).toHaveLength(mailtoLimits.subject);
    expect(fields.body).toHaveLength(mailtoLimits.body);
    expect(fields.cc).toEqual([]);
    // The result always fits the contract's ui.compose event.
    expect(events['ui.compose'].safeParse(fields).success).toBe(true);
  });

  it.each(['https://example.com', 'mailtox:a@x.org', ' ', 'javascript:alert(1)//mailto:a@x.org'])('is not a mailto: %s', (uri) => {
    expect(parseMailto(uri)).toBeNull();
  });
});

describe('mailto helpers', () => {
  it('percent-decodes UTF-8 and leaves everything else alone', () => {
    expect(percentDecode('a%20b%2Bc+d')).toBe('a b+c+d');
    expect(percentDecode('%F0%9F%93%A7')).toBe('📧');
    expect(percentDecode('plain')).toBe('plain');
  });

  it('decodes B and Q encoded words, and leaves unknown charsets as they are', () => {
    expect(decodeEncodedWords('=?UTF-8?B?Y2Fmw6k=?=')).toBe('café');
    expect(decodeEncodedWords('=?utf-8?Q?a_b?= =?utf-8?Q?c?=')).toBe('a bc');
    expect(decodeEncodedWords('=?x-unknown?Q?abc?=')).toBe('=?x-unknown?Q?abc?=');
  });

  it('splits address lists outside quotes and angle brackets', () => {
    expect(splitAddressList('"A, B" <a@x>, c@x; <d,e@x>, "q\\"," <f@x>')).toEqual(['"A, B" <a@x>', 'c@x', '<d,e@x>', '"q\\"," <f@x>']);
  });

  it('finds the link among process arguments (Windows, Linux)', () => {
    expect(findMailtoArg(['/opt/Meridian Mail/meridian-mail', '--no-sandbox', 'mailto:a@x.org'])).toBe('mailto:a@x.org');
    expect(findMailtoArg(['C:\\App\\Meridian Mail.exe', '--', 'MAILTO:a@x.org?subject=Hi'])).toBe('MAILTO:a@x.org?subject=Hi');
    expect(findMailtoArg(['/usr/bin/electron', '/repo', '--inspect'])).toBeNull();
    // argv[0] is the executable, never a link.
    expect(findMailtoArg(['mailto:a@x.org'])).toBeNull();
  });

  it('registers the unpackaged app with its path (else the link would start bare Electron)', () => {
    expect(protocolClientArgs({ defaultApp: true, execPath: '/e/electron', appPath: '/repo' })).toEqual(['mailto', '/e/electron', ['/repo']]);
    expect(protocolClientArgs({ defaultApp: false, execPath: '/opt/app', appPath: undefined })).toEqual(['mailto']);
  });
});

describe('RendererQueue', () => {
  it('holds links until the page is ready, then delivers in order and directly', () => {
    const queue = new RendererQueue<string>();
    const sent: string[] = [];
    queue.push('a');
    queue.push('b');
    expect(sent).toEqual([]);
    queue.ready((x) => sent.push(x));
    expect(sent).toEqual(['a', 'b']);
    queue.push('c');
    expect(sent).toEqual(['a', 'b', 'c']);
    queue.unready();
    queue.push('d');
    expect(sent).toEqual(['a', 'b', 'c']);
    queue.ready((x) => sent.push(`again:${x}`));
    expect(sent).toEqual(['a', 'b', 'c', 'again:d']);
  });
});

describe('shouldOfferDefaultMailApp', () => {
  it('asks once, packaged, when another app has mailto:', () => {
    expect(shouldOfferDefaultMailApp({ isPackaged: true, isDefault: false, prefs: null })).toBe(true);
    expect(shouldOfferDefaultMailApp({ isPackaged: true, isDefault: false, prefs: { mailtoAsked: false } })).toBe(true);
    expect(shouldOfferDefaultMailApp({ isPackaged: true, isDefault: false, prefs: { mailtoAsked: true } })).toBe(false);
    expect(shouldOfferDefaultMailApp({ isPackaged: true, isDefault: true, prefs: null })).toBe(false);
    // Unpackaged, the handler would be a development checkout.
    expect(shouldOfferDefaultMailApp({ isPackaged: false, isDefault: false, prefs: null })).toBe(false);
  });
});
