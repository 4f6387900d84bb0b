// Address books and contacts: list and search (in SQL), the editor's detail, edits through the
// outbox, and vCard import/export.
import type { AddressBookView, ContactListItem } from '../../../shared/pim-contract';
import { IpcError } from '../../../shared/errors';
import type { Handlers } from '../dispatch';
import { cardType, cyrusPhoto } from './dialect-writers';
import { cardDisplayName, type ContactCard } from './model';
import type { PimContext } from './pim-context';
import { applyCardDraft, cardToDraft, newCard } from './pim-drafts';
import { safeFilename } from './pim-event-handlers';
import { parseVCards, toVCard } from './vcard';

type ContactHandlers = Pick<
  Handlers,
  'addressBooks.list' | 'contacts.list' | 'contacts.get' | 'contacts.save' | 'contacts.delete' | 'contacts.findByEmail' | 'contacts.import' | 'contacts.export'
>;

interface Row {
  accountId: string;
  sourceType: string;
  json: string;
}

export function contactHandlers(ctx: PimContext): ContactHandlers {
  const { pim, db } = ctx;

  const stored = (accountId: string, contactId: string) => {
    ctx.requireAccount(accountId);
    const found = pim.card(accountId, ctx.resolve(accountId, contactId));
    if (!found) throw new IpcError({ code: 'not-found', message: 'This contact is no longer here.' });
    return found;
  };
  /** JSContact members are uids; the editor speaks card ids. */
  const idsOf = (accountId: string) => (uids: string[]) => {
    const byUid = db.prepare('SELECT id FROM contact_card WHERE account_id = ? AND uid = ? LIMIT 1').pluck();
    return uids.map((u) => (byUid.get(accountId, u) as string | undefined) ?? u);
  };
  const uidsOf = (accountId: string) => (ids: string[]) => ids.map((id) => pim.card(accountId, ctx.resolve(accountId, id))?.card.uid ?? id);
  const item = (accountId: string, c: ContactCard, pending: Set<string>): ContactListItem => ({
    accountId,
    id: c.id,
    kind: c.kind,
    displayName: cardDisplayName(c),
    emails: Object.values(c.emails ?? {}).map((e) => e.address),
    organization: Object.values(c.organizations ?? {})[0]?.name ?? '',
    memberCount: Object.values(c.members ?? {}).filter(Boolean).length,
    pending: pending.has(c.id),
  });
  const items = (rows: Row[]) => {
    const pending = new Map<string, Set<string>>();
    return rows.map((r) => {
      if (!pending.has(r.accountId)) pending.set(r.accountId, ctx.pending(r.accountId));
      return item(r.accountId, JSON.parse(r.json) as ContactCard, pending.get(r.accountId)!);
    });
  };
  const books = (accountId: string): AddressBookView[] => {
    const real = pim.addressBooks(accountId);
    if (real.length) return real.map((b) => ({ accountId, ...b }));
    // Cyrus has no AddressBook type: its books are the ones its cards name.
    const named = db
      .prepare("SELECT DISTINCT b.key FROM contact_card c, json_each(c.json, '$.addressBookIds') b WHERE c.account_id = ? AND b.value = 1 ORDER BY b.key")
      .pluck()
      .all(accountId) as string[];
    const ids = named.length ? named : ['Default'];
    return ids.map((id) => ({ accountId, id, name: id, isDefault: id === 'Default', mayWrite: true }));
  };
  const requireBook = (accountId: string, bookId: string) => {
    const book = books(accountId).find((b) => b.id === bookId);
    if (!book) throw new IpcError({ code: 'not-found', message: 'No such address book.' });
    if (!book.mayWrite) throw new IpcError({ code: 'invalid-params', message: 'This address book is read-only.' });
  };

  return {
    'addressBooks.list': async () => ctx.accounts.ids().flatMap(books),

    'contacts.list': async ({ query, accountId }) => {
      if (accountId) ctx.requireAccount(accountId);
      const q = query.trim().toLowerCase();
      // instr() rather than LIKE: the query may hold % or _.
      const rows = db
        .prepare(
          `SELECT account_id AS accountId, source_type AS sourceType, json FROM contact_card
            WHERE (@accountId IS NULL OR account_id = @accountId)
              AND (@q = '' OR instr(lower(display_name), @q) > 0 OR instr(emails, @q) > 0
                   OR EXISTS (SELECT 1 FROM json_each(contact_card.json, '$.organizations') o
                               WHERE instr(lower(coalesce(json_extract(o.value, '$.name'), '')), @q) > 0))
            ORDER BY display_name COLLATE NOCASE, id
            LIMIT 20000`,
        )
        .all({ accountId: accountId ?? null, q }) as Row[];
      return items(rows);
    },

    'contacts.get': async ({ accountId, contactId }) => {
      const { card } = stored(accountId, contactId);
      const draft = cardToDraft(card, idsOf(accountId));
      draft.photo ??= await serverPhoto(ctx, accountId, card);
      const mayWrite = books(accountId).find((b) => b.id === draft.addressBookId)?.mayWrite ?? true;
      return { accountId, id: card.id, draft, mayWrite, pending: ctx.pending(accountId).has(card.id) };
    },

    'contacts.save': async ({ accountId, contactId, draft }) => {
      ctx.requireAccount(accountId);
      requireBook(accountId, draft.addressBookId);
      const dialect = await ctx.dialect(accountId);
      if (contactId === null) {
        const card = newCard(draft, uidsOf(accountId));
        const queued = ctx.queue(accountId, { kind: 'pim.create', type: cardType(dialect.name, card), localId: card.id, object: card });
        return { contactId: card.id, queued };
      }
      const { card: before, sourceType } = stored(accountId, contactId);
      if (cardType(dialect.name, draft) !== sourceType) throw new IpcError({ code: 'invalid-params', message: 'A contact cannot become a group here, or a group a contact.' });
      const was = cardToDraft(before, idsOf(accountId));
      // A photo kept on the server shows in the editor as fetched bytes, which the stored card
      // lacks; so any photo the editor sends back (or none) counts as a change and is written.
      if (was.photo === null && cyrusPhoto(before)) was.photo = before.id;
      const after = applyCardDraft(before, draft, was, uidsOf(accountId));
      return { contactId: before.id, queued: ctx.queue(accountId, { kind: 'pim.update', type: sourceType, id: before.id, before, after }) };
    },

    'contacts.delete': async ({ accountId, contactId }) => {
      const { card, sourceType } = stored(accountId, contactId);
      return { queued: ctx.queue(accountId, { kind: 'pim.destroy', type: sourceType, id: card.id, title: cardDisplayName(card) }) };
    },

    'contacts.findByEmail': async ({ email }) => {
      const q = email.trim().toLowerCase();
      if (!q) return null;
      const row = db
        .prepare(`SELECT account_id AS accountId, source_type AS sourceType, json FROM contact_card WHERE instr(' ' || emails || ' ', ' ' || ? || ' ') > 0 ORDER BY kind = 'group', display_name LIMIT 1`)
        .get(q) as Row | undefined;
      return row ? items([row])[0]! : null;
    },

    'contacts.import': async ({ accountId, addressBookId, vcf }) => {
      ctx.requireAccount(accountId);
      requireBook(accountId, addressBookId);
      let parsed;
      try {
        parsed = parseVCards(vcf, { addressBookIds: { [addressBookId]: true } });
      } catch (err) {
        throw new IpcError({ code: 'invalid-params', message: `This is not a contacts file that can be read: ${err instanceof Error ? err.message : String(err)}` });
      }
      const dialect = await ctx.dialect(accountId);
      let imported = 0;
      for (const c of parsed.cards) {
        const localId = crypto.randomUUID();
        const card: ContactCard = { ...c, id: localId, addressBookIds: { [addressBookId]: true } };
        ctx.queue(accountId, { kind: 'pim.create', type: cardType(dialect.name, card), localId, object: card });
        imported++;
      }
      return { imported, problems: parsed.problems };
    },

    'contacts.export': async ({ accountId, contactIds, version }) => {
      ctx.requireAccount(accountId);
      const wanted = contactIds ? new Set(contactIds.map((id) => ctx.resolve(accountId, id))) : null;
      const cards = pim.cards(accountId).filter((c) => !wanted || wanted.has(c.id));
      const name = cards.length === 1 ? cardDisplayName(cards[0]!) : 'contacts';
      return { filename: `${safeFilename(name || 'contact')}.vcf`, vcf: toVCard(cards, version) };
    },
  };
}

/**
 * A photo Cyrus keeps as a blob, fetched when the contact is opened (not at sync: most are never
 * looked at) and handed over as a data: URI. Unreachable or unsuitable: no photo, not an error.
 */
async function serverPhoto(ctx: PimContext, accountId: string, card: ContactCard): Promise<string | null> {
  const photo = cyrusPhoto(card);
  const type = photo?.mediaType.toLowerCase() ?? '';
  if (!photo || !/^image\/(jpeg|png|webp)$/.test(type)) return null;
  try {
    const { client, jmapAccountId } = await ctx.accounts.clientFor(accountId);
    const bytes = await client.download(jmapAccountId, photo.blobId, 'photo', type, 256 * 1024);
    return `data:${type};base64,${bytes.toString('base64')}`;
  } catch {
    return null;
  }
}
