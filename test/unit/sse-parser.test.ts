// The event-stream parser behind EventSource push: the HTML standard's line rules, however the
// network happens to split the bytes.
import { describe, expect, it } from 'vitest';
import { SseOverflowError, SseParser, type SseEvent } from '../../electron/core/jmap/push';

function parse(chunks: (string | Uint8Array)[], maxChars?: number): { events: SseEvent[]; retries: number[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser({ onEvent: (e) => events.push(e), onRetry: (ms) => retries.push(ms) }, maxChars);
  for (const c of chunks) parser.write(c);
  parser.end();
  return { events, retries };
}

const stream = [
  ': a comment, then a BOM-less stream',
  'retry: 2500',
  'event: state',
  'data: {"@type":"StateChange",',
  'data:"changed":{"a":{"Email":"s1"}}}',
  '',
  ':keepalive',
  '',
  'event: ping',
  'id: 7',
  'data: {"interval":30}',
  '',
  'data',
  '',
  'data: no blank line at the end, so never dispatched',
].join('\n');

const expected: SseEvent[] = [
  { type: 'state', data: '{"@type":"StateChange",\n"changed":{"a":{"Email":"s1"}}}', id: '' },
  { type: 'ping', data: '{"interval":30}', id: '7' },
  { type: 'message', data: '', id: '7' },
];

describe('SseParser', () => {
  it('joins multi-line data, skips comments, dispatches on a blank line, and reports retry', () => {
    const { events, retries } = parse([stream]);
    expect(events).toEqual(expected);
    expect(retries).toEqual([2500]);
  });

  it('accepts CRLF and lone CR line endings alike', () => {
    expect(parse([stream.replace(/\n/g, '\r\n')]).events).toEqual(expected);
    expect(parse([stream.replace(/\n/g, '\r')]).events).toEqual(expected);
  });

  it('gives the same events however the text is split, including inside a CRLF', () => {
    for (const text of [stream, stream.replace(/\n/g, '\r\n'), stream.replace(/\n/g, '\r')]) {
      for (let i = 0; i <= text.length; i++) {
        expect(parse([text.slice(0, i), text.slice(i)]).events).toEqual(expected);
      }
      // One character at a time.
      expect(parse([...text]).events).toEqual(expected);
    }
  });

  it('gives the same events however the bytes are split, including inside a UTF-8 character', () => {
    const bytes = new TextEncoder().encode('\uFEFFevent: state\r\ndata: {"s":"Grüße 📬"}\r\n\r\n');
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j += 3) {
        const { events } = parse([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
        expect(events).toEqual([{ type: 'state', data: '{"s":"Grüße 📬"}', id: '' }]);
      }
    }
  });

  it('treats CR then LF in separate chunks as one line end, but CR then two LFs as a blank line', () => {
    expect(parse(['data: a\r', '\n', '\n']).events).toEqual([{ type: 'message', data: 'a', id: '' }]);
    expect(parse(['data: a\r', '\n', 'data: b\n\n']).events).toEqual([{ type: 'message', data: 'a\nb', id: '' }]);
    expect(parse(['data: a\r', '', '\n', '\n']).events).toEqual([{ type: 'message', data: 'a', id: '' }]);
  });

  it('strips one leading space only, and reads a field without a colon as empty', () => {
    expect(parse(['data:  two spaces\ndata:none\ndata\n\n']).events).toEqual([{ type: 'message', data: ' two spaces\nnone\n', id: '' }]);
    expect(parse(['\uFEFFdata: after a byte order mark\n\n']).events).toEqual([{ type: 'message', data: 'after a byte order mark', id: '' }]);
  });

  it('ignores unknown fields, invalid retry values and an event type without data', () => {
    const { events, retries } = parse(['foo: bar\nretry: 1s\nretry: -5\nevent: state\n\ndata: x\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'x', id: '' }]);
    expect(retries).toEqual([]);
  });

  it('refuses an endless line or event instead of buffering without bound', () => {
    expect(() => parse(['data: ' + 'x'.repeat(200)], 100)).toThrow(SseOverflowError);
    expect(() => parse([Array.from({ length: 20 }, () => 'data: xxxxxxxxxx\n').join('')], 100)).toThrow(SseOverflowError);
    expect(parse(['data: ' + 'x'.repeat(50) + '\n\n'], 100).events).toHaveLength(1);
  });
});
