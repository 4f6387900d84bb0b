// TEST FIXTURE — a small, spec-faithful JMAP server for the IETF calendars and contacts
// capabilities (draft-ietf-jmap-calendars, RFC 9610 JMAP for Contacts), which Cyrus 3.6 lacks.
// It implements RFC 8620 requests (result references included) and, per type, /get, /set,
// /changes and /query over an in-memory store with a change log. It is not a server for users:
// it exists so the client's IETF dialect is tested against the specs' behaviour.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, unknown>;
type Invocation = [string, Obj, string];

const CORE = 'urn:ietf:params:jmap:core';
const CALENDARS = 'urn:ietf:params:jmap:calendars';
const CONTACTS = 'urn:ietf:params:jmap:contacts';
const types: Record<string, string> = { Calendar: CALENDARS, CalendarEvent: CALENDARS, AddressBook: CONTACTS, ContactCard: CONTACTS };

interface TypeStore {
  objects: Map<string, Obj>;
  /** One entry per state step: which ids changed how. */
  log: { created: Set<string>; updated: Set<string>; destroyed: Set<string> }[];
}

export interface IetfPimFixture {
  url: string;
  sessionUrl: string;
  accountId: string;
  /** Direct access for tests: what the "server" holds. */
  objects(type: string): Obj[];
  close(): Promise<void>;
}

export async function startIetfPimFixture(opts: { username?: string; password?: string } = {}): Promise<IetfPimFixture> {
  const username = opts.username ?? 'user@fixture.example';
  const password = opts.password ?? 'secret';
  const accountId = 'acc1';
  const stores = new Map<string, TypeStore>(Object.keys(types).map((t) => [t, { objects: new Map(), log: [] }]));
  // Every account starts with a default calendar and address book, as real servers give.
  stores.get('Calendar')!.objects.set('cal1', { id: 'cal1', name: 'Personal', color: '#3a6ee8', sortOrder: 0, isDefault: true, isSubscribed: true, isVisible: true, myRights: { mayReadItems: true, mayWriteAll: true } });
  stores.get('AddressBook')!.objects.set('ab1', { id: 'ab1', name: 'Contacts', isDefault: true, isSubscribed: true, myRights: { mayRead: true, mayWrite: true } });

  const state = (type: string) => String(stores.get(type)!.log.length);

  const server: Server = createServer((req, res) => void handle(req, res).catch((err: unknown) => send(res, 500, { type: 'serverFail', detail: String(err) })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = req.headers.authorization ?? '';
    if (auth !== 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fixture"' }).end();
      return;
    }
    if (req.method === 'GET' && (req.url === '/.well-known/jmap' || req.url === '/jmap/session')) {
      return send(res, 200, {
        capabilities: {
          [CORE]: { maxSizeUpload: 1e7, maxConcurrentUpload: 4, maxSizeRequest: 1e7, maxConcurrentRequests: 4, maxCallsInRequest: 32, maxObjectsInGet: 256, maxObjectsInSet: 256, collationAlgorithms: [] },
          [CALENDARS]: {},
          [CONTACTS]: {},
        },
        accounts: { [accountId]: { name: username, isPersonal: true, isReadOnly: false, accountCapabilities: { [CALENDARS]: {}, [CONTACTS]: {} } } },
        primaryAccounts: { [CALENDARS]: accountId, [CONTACTS]: accountId },
        username,
        apiUrl: '/jmap/api',
        downloadUrl: '/jmap/download/{accountId}/{blobId}/{name}?type={type}',
        uploadUrl: '/jmap/upload/{accountId}',
        eventSourceUrl: '/jmap/events?types={types}&closeafter={closeafter}&ping={ping}',
        state: 's1',
      });
    }
    if (req.method !== 'POST' || req.url !== '/jmap/api') return send(res, 404, { type: 'about:blank', status: 404 });
    let body: { using?: unknown; methodCalls?: unknown };
    try {
      body = JSON.parse(await read(req)) as typeof body;
    } catch {
      return send(res, 400, { type: 'urn:ietf:params:jmap:error:notJSON', status: 400 });
    }
    if (!Array.isArray(body.using) || !Array.isArray(body.methodCalls)) return send(res, 400, { type: 'urn:ietf:params:jmap:error:notRequest', status: 400 });
    const using = new Set(body.using as string[]);
    const known = new Set([CORE, CALENDARS, CONTACTS]);
    for (const u of using) if (!known.has(u)) return send(res, 400, { type: 'urn:ietf:params:jmap:error:unknownCapability', status: 400, detail: u });
    const responses: Invocation[] = [];
    for (const [name, args, callId] of body.methodCalls as Invocation[]) {
      let resolved: Obj;
      try {
        resolved = resolveReferences(args, responses);
      } catch {
        responses.push(['error', { type: 'invalidResultReference' }, callId]);
        continue;
      }
      const [type, method] = name.split('/') as [string, string];
      const capability = types[type];
      if (!capability || !stores.has(type)) {
        responses.push(['error', { type: 'unknownMethod' }, callId]);
        continue;
      }
      if (!using.has(capability)) {
        responses.push(['error', { type: 'unknownMethod', description: `${capability} not in using` }, callId]);
        continue;
      }
      if (resolved.accountId !== accountId) {
        responses.push(['error', { type: 'accountNotFound' }, callId]);
        continue;
      }
      responses.push([...run(type, method, resolved), callId] as Invocation);
    }
    send(res, 200, { methodResponses: responses, sessionState: 's1' });
  }

  function run(type: string, method: string, args: Obj): [string, Obj] {
    const store = stores.get(type)!;
    switch (method) {
      case 'get': {
        const ids = args.ids === null || args.ids === undefined ? [...store.objects.keys()] : (args.ids as string[]);
        const props = Array.isArray(args.properties) ? new Set(['id', ...(args.properties as string[])]) : null;
        const list = ids.filter((id) => store.objects.has(id)).map((id) => pick(store.objects.get(id)!, props));
        return [`${type}/get`, { accountId, state: state(type), list, notFound: ids.filter((id) => !store.objects.has(id)) }];
      }
      case 'changes': {
        const since = Number(args.sinceState);
        if (!Number.isInteger(since) || since < 0 || since > store.log.length) return ['error', { type: 'cannotCalculateChanges' }];
        const max = typeof args.maxChanges === 'number' ? args.maxChanges : Infinity;
        const created = new Set<string>();
        const updated = new Set<string>();
        const destroyed = new Set<string>();
        let upTo = since;
        for (; upTo < store.log.length && created.size + updated.size + destroyed.size < max; upTo++) {
          const step = store.log[upTo]!;
          for (const id of step.created) created.add(id);
          for (const id of step.updated) if (!created.has(id)) updated.add(id);
          for (const id of step.destroyed) {
            if (created.delete(id)) continue; // created and destroyed within the window: never seen
            updated.delete(id);
            destroyed.add(id);
          }
        }
        return [`${type}/changes`, { accountId, oldState: String(since), newState: String(upTo), hasMoreChanges: upTo < store.log.length, created: [...created], updated: [...updated], destroyed: [...destroyed] }];
      }
      case 'set': {
        if (args.ifInState !== undefined && args.ifInState !== null && args.ifInState !== state(type)) return ['error', { type: 'stateMismatch' }];
        const oldState = state(type);
        const step = { created: new Set<string>(), updated: new Set<string>(), destroyed: new Set<string>() };
        const created: Obj = {};
        const notCreated: Obj = {};
        const updated: Obj = {};
        const notUpdated: Obj = {};
        const destroyedList: string[] = [];
        const notDestroyed: Obj = {};
        for (const [cid, value] of Object.entries((args.create as Obj | null) ?? {})) {
          const problem = validate(type, value as Obj);
          if (problem) {
            notCreated[cid] = { type: 'invalidProperties', properties: [problem] };
            continue;
          }
          const id = randomUUID();
          const obj = { ...(value as Obj), id, ...(type === 'CalendarEvent' || type === 'ContactCard' ? { uid: (value as Obj).uid ?? randomUUID() } : {}) };
          store.objects.set(id, obj);
          step.created.add(id);
          created[cid] = { id, ...(obj.uid ? { uid: obj.uid } : {}) };
        }
        for (const [id, patch] of Object.entries((args.update as Obj | null) ?? {})) {
          const current = store.objects.get(id);
          if (!current) {
            notUpdated[id] = { type: 'notFound' };
            continue;
          }
          const next = applyPatch(current, patch as Obj);
          const problem = validate(type, next);
          if (problem) {
            notUpdated[id] = { type: 'invalidProperties', properties: [problem] };
            continue;
          }
          store.objects.set(id, next);
          step.updated.add(id);
          updated[id] = null;
        }
        for (const id of (args.destroy as string[] | null) ?? []) {
          if (!store.objects.delete(id)) {
            notDestroyed[id] = { type: 'notFound' };
            continue;
          }
          step.destroyed.add(id);
          destroyedList.push(id);
        }
        if (step.created.size + step.updated.size + step.destroyed.size) store.log.push(step);
        return [`${type}/set`, { accountId, oldState, newState: state(type), created, notCreated, updated, notUpdated, destroyed: destroyedList, notDestroyed }];
      }
      case 'query': {
        const filter = (args.filter as Obj | null) ?? {};
        let list = [...store.objects.values()];
        if (type === 'CalendarEvent' && typeof filter.inCalendar === 'string') list = list.filter((e) => (e.calendarIds as Obj | undefined)?.[filter.inCalendar as string]);
        if (type === 'ContactCard' && typeof filter.inAddressBook === 'string') list = list.filter((c) => (c.addressBookIds as Obj | undefined)?.[filter.inAddressBook as string]);
        const ids = list.map((o) => o.id as string).sort();
        const position = typeof args.position === 'number' ? args.position : 0;
        const limit = typeof args.limit === 'number' ? args.limit : ids.length;
        return [`${type}/query`, { accountId, queryState: state(type), canCalculateChanges: false, position, ids: ids.slice(position, position + limit), total: ids.length }];
      }
      default:
        return ['error', { type: 'unknownMethod' }];
    }
  }

  return {
    url: base,
    sessionUrl: `${base}/jmap/session`,
    accountId,
    objects: (type) => [...stores.get(type)!.objects.values()],
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The properties each type must have to be stored (a minimal reading of the specs). */
function validate(type: string, o: Obj): string | null {
  if (type === 'CalendarEvent') {
    if (o['@type'] !== undefined && o['@type'] !== 'Event') return '@type';
    if (typeof o.start !== 'string') return 'start';
    if (!o.calendarIds || typeof o.calendarIds !== 'object') return 'calendarIds';
    if ('recurrenceRule' in o) return 'recurrenceRule'; // the singular draft property is not JSCalendar
  }
  if (type === 'ContactCard') {
    if (o['@type'] !== undefined && o['@type'] !== 'Card') return '@type';
    if (!o.addressBookIds || typeof o.addressBookIds !== 'object') return 'addressBookIds';
  }
  if ((type === 'Calendar' || type === 'AddressBook') && typeof o.name !== 'string') return 'name';
  return null;
}

/** RFC 8620 §5.3 PatchObject: JSON Pointer paths, null removes. */
function applyPatch(current: Obj, patch: Obj): Obj {
  const next = structuredClone(current);
  for (const [path, value] of Object.entries(patch)) {
    const parts = path.split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target: Obj = next;
    for (const part of parts.slice(0, -1)) {
      if (!target[part] || typeof target[part] !== 'object') target[part] = {};
      target = target[part] as Obj;
    }
    const last = parts.at(-1)!;
    if (value === null) delete target[last];
    else target[last] = value;
  }
  return next;
}

/** RFC 8620 §3.7: replaces "#name" arguments by evaluating their ResultReference. */
function resolveReferences(args: Obj, responses: Invocation[]): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith('#')) {
      out[key] = value;
      continue;
    }
    const ref = value as { resultOf: string; name: string; path: string };
    const source = responses.find((r) => r[2] === ref.resultOf && r[0] === ref.name);
    if (!source) throw new Error('no such result');
    out[key.slice(1)] = pointer(source[1], ref.path);
  }
  return out;
}

/** JSON Pointer with the "*" array wildcard of RFC 8620 §3.7. */
function pointer(doc: unknown, path: string): unknown {
  const parts = path.split('/').slice(1);
  let current: unknown = doc;
  for (const [i, part] of parts.entries()) {
    if (part === '*' && Array.isArray(current)) {
      const rest = '/' + parts.slice(i + 1).join('/');
      return current.flatMap((item) => {
        const v = parts.length > i + 1 ? pointer(item, rest) : item;
        return Array.isArray(v) ? v : [v];
      });
    }
    current = (current as Obj | undefined)?.[part];
  }
  return current;
}

function pick(o: Obj, props: Set<string> | null): Obj {
  return props ? Object.fromEntries(Object.entries(o).filter(([k]) => props.has(k))) : { ...o };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8').on('data', (c: string) => (data += c)).on('end', () => resolve(data)).on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': status === 200 ? 'application/json' : 'application/problem+json' }).end(JSON.stringify(body));
}
