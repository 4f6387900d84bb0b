// Schema migrations, applied in order; PRAGMA user_version records how far a database got.
// Never edit a shipped migration: add a new one.
export const migrations: readonly string[] = [
  /* 1: accounts, per-type sync state, mailboxes */ `
  CREATE TABLE account (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    username        TEXT NOT NULL,
    auth_kind       TEXT NOT NULL CHECK (auth_kind IN ('basic', 'bearer')),
    session_url     TEXT NOT NULL,
    jmap_account_id TEXT NOT NULL,
    -- the last session seen, so the app starts offline with the right URLs and limits
    session_json    TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (session_url, jmap_account_id)
  );

  CREATE TABLE sync_state (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    state      TEXT NOT NULL,
    PRIMARY KEY (account_id, type)
  ) WITHOUT ROWID;

  CREATE TABLE mailbox (
    account_id     TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    name           TEXT NOT NULL,
    parent_id      TEXT,
    role           TEXT,
    sort_order     INTEGER NOT NULL DEFAULT 0,
    total_emails   INTEGER NOT NULL DEFAULT 0,
    unread_emails  INTEGER NOT NULL DEFAULT 0,
    total_threads  INTEGER NOT NULL DEFAULT 0,
    unread_threads INTEGER NOT NULL DEFAULT 0,
    is_subscribed  INTEGER NOT NULL DEFAULT 1,
    my_rights      TEXT,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  `,
];
