// Senders the user trusts to load remote content (images, fonts, styles) in their mail.
// Kept in the core, not the renderer, so every window and the web mode agree.
import type { Db } from './db';

export class RemoteSenderStore {
  constructor(private readonly db: Db) {}

  list(): string[] {
    return this.db.prepare('SELECT email FROM remote_content_sender ORDER BY email').pluck().all() as string[];
  }

  set(email: string, trusted: boolean): void {
    const address = email.trim().toLowerCase();
    if (trusted) this.db.prepare('INSERT OR IGNORE INTO remote_content_sender (email, added_at) VALUES (?, ?)').run(address, Date.now());
    else this.db.prepare('DELETE FROM remote_content_sender WHERE email = ?').run(address);
  }
}
