// Session documents are untrusted: validated, with relative URLs and templates resolved.
import { describe, expect, it } from 'vitest';
import { JmapProtocolError } from '../../electron/core/jmap/errors';
import { expandTemplate, parseSession, primaryMailAccount } from '../../electron/core/jmap/session';

const cyrusLike = {
  capabilities: {
    'urn:ietf:params:jmap:core': {
      maxSizeUpload: 1073741824, maxConcurrentUpload: 5, maxSizeRequest: 10485760, maxConcurrentRequests: 5,
      maxCallsInRequest: 50, maxObjectsInGet: 4096, maxObjectsInSet: 4096, collationAlgorithms: [],
    },
    'urn:ietf:params:jmap:mail': {},
  },
  accounts: { 'a@x': { name: 'a@x', isPersonal: true, isReadOnly: false, accountCapabilities: { 'urn:ietf:params:jmap:mail': {} } } },
  primaryAccounts: { 'urn:ietf:params:jmap:mail': 'a@x' },
  username: 'a@x',
  apiUrl: '/jmap/',
  downloadUrl: '/jmap/download/{accountId}/{blobId}/{name}?accept={type}',
  uploadUrl: '/jmap/upload/{accountId}/',
  eventSourceUrl: '/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}',
  state: '0',
};

describe('parseSession', () => {
  it('resolves relative URLs and keeps template variables intact', () => {
    const s = parseSession(cyrusLike, 'http://127.0.0.1:8080/jmap');
    expect(s.apiUrl).toBe('http://127.0.0.1:8080/jmap/');
    expect(s.downloadUrl).toBe('http://127.0.0.1:8080/jmap/download/{accountId}/{blobId}/{name}?accept={type}');
    expect(s.eventSourceUrl).toBe('http://127.0.0.1:8080/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}');
    expect(s.limits.maxObjectsInGet).toBe(4096);
    expect(primaryMailAccount(s)).toBe('a@x');
  });

  it('keeps absolute URLs', () => {
    const s = parseSession({ ...cyrusLike, apiUrl: 'https://api.example.com/jmap/api/' }, 'https://example.com/.well-known/jmap');
    expect(s.apiUrl).toBe('https://api.example.com/jmap/api/');
  });

  it('expands templates with percent-encoding', () => {
    expect(expandTemplate('https://h/d/{accountId}/{blobId}/{name}?accept={type}', { accountId: 'a@x', blobId: 'G1', name: 'a b.pdf', type: 'application/pdf' }))
      .toBe('https://h/d/a%40x/G1/a%20b.pdf?accept=application%2Fpdf');
  });

  it.each([
    ['not an object', 'hello'],
    ['missing core limits', { ...cyrusLike, capabilities: { 'urn:ietf:params:jmap:mail': {} } }],
    ['negative limit', { ...cyrusLike, capabilities: { 'urn:ietf:params:jmap:core': { ...cyrusLike.capabilities['urn:ietf:params:jmap:core'], maxCallsInRequest: -1 } } }],
    ['a javascript: apiUrl', { ...cyrusLike, apiUrl: 'javascript:alert(1)' }],
    ['accounts of the wrong type', { ...cyrusLike, accounts: [] }],
  ])('rejects %s', (_, doc) => {
    expect(() => parseSession(doc, 'http://127.0.0.1/jmap')).toThrow(JmapProtocolError);
  });

  it('finds no mail account when primaryAccounts names an unknown account', () => {
    const s = parseSession({ ...cyrusLike, primaryAccounts: { 'urn:ietf:params:jmap:mail': 'ghost' } }, 'http://h/');
    expect(primaryMailAccount(s)).toBeNull();
  });
});
