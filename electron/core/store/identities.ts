// The identities an account may send as (RFC 8621 §6), replaced wholesale on each fetch.
import { z } from 'zod';
import type { Db } from './db';

const Address = z.object({ name: z.string().nullable().catch(null), email: z.string() });

export const IdentitySchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().catch(''),
  email: z.string(),
  replyTo: z.array(Address).nullable().optional().catch(null),
  bcc: z.array(Address).nullable().optional().catch(null),
  textSignature: z.string().optional().catch(''),
  htmlSignature: z.string().optional().catch(''),
  mayDelete: z.boolean().catch(false),
});
export type Identity = z.output<typeof IdentitySchema>;

export interface IdentityRow {
  id: string;
  name: string;
  email: string;
  replyTo: { name: string | null; email: string }[] | null;
  bcc: { name: string | null; email: string }[] | null;
  textSignature: string;
  htmlSignature: string;
  mayDelete: boolean;
}

export class IdentityStore {
  constructor(private readonly db: Db) {}

  replaceAll(accountId: string, list: readonly Identity[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM identity WHERE account_id = ?').run(accountId);
      const insert = this.db.prepare(
        `INSERT INTO identity (account_id, id, name, email, reply_to_json, bcc_json, text_signature, html_signature, may_delete)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const i of list) {
        insert.run(accountId, i.id, i.name, i.email, i.replyTo ? JSON.stringify(i.replyTo) : null, i.bcc ? JSON.stringify(i.bcc) : null, i.textSignature ?? '', i.htmlSignature ?? '', i.mayDelete ? 1 : 0);
      }
    })();
  }

  list(accountId: string): IdentityRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, name, email, reply_to_json AS replyTo, bcc_json AS bcc, text_signature AS textSignature,
                html_signature AS htmlSignature, may_delete AS mayDelete FROM identity WHERE account_id = ? ORDER BY email, name`,
      )
      .all(accountId) as (Omit<IdentityRow, 'replyTo' | 'bcc' | 'mayDelete'> & { replyTo: string | null; bcc: string | null; mayDelete: number })[];
    return rows.map((r) => ({ ...r, replyTo: r.replyTo ? JSON.parse(r.replyTo) : null, bcc: r.bcc ? JSON.parse(r.bcc) : null, mayDelete: r.mayDelete === 1 }));
  }
}
