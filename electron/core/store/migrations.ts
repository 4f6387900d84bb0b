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
  /* 2: emails, their mailboxes, bodies, identities, full-text index, initial-sync progress */ `
  CREATE TABLE email (
    pk             INTEGER PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    thread_id      TEXT NOT NULL,
    received_at    INTEGER NOT NULL,
    sent_at        INTEGER,
    size           INTEGER NOT NULL DEFAULT 0,
    subject        TEXT NOT NULL DEFAULT '',
    from_json      TEXT NOT NULL DEFAULT '[]',
    to_json        TEXT NOT NULL DEFAULT '[]',
    cc_json        TEXT NOT NULL DEFAULT '[]',
    preview        TEXT NOT NULL DEFAULT '',
    has_attachment INTEGER NOT NULL DEFAULT 0,
    keywords       TEXT NOT NULL DEFAULT '{}',
    unread         INTEGER NOT NULL DEFAULT 1,
    flagged        INTEGER NOT NULL DEFAULT 0,
    -- 0: body not fetched yet, 1: fetched, 2: the server could not give it
    body_status    INTEGER NOT NULL DEFAULT 0,
    -- this email's rowid in email_fts: its received time, so the index yields newest first
    fts_rowid      INTEGER UNIQUE,
    UNIQUE (account_id, id)
  );
  CREATE INDEX email_by_thread ON email (account_id, thread_id);
  CREATE INDEX email_by_date ON email (account_id, received_at DESC);
  CREATE INDEX email_body_pending ON email (account_id, received_at DESC) WHERE body_status = 0;

  -- Mailbox membership, with the sort key copied in so a mailbox's page is one index range.
  CREATE TABLE email_mailbox (
    account_id  TEXT NOT NULL,
    mailbox_id  TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    email_pk    INTEGER NOT NULL REFERENCES email (pk) ON DELETE CASCADE,
    PRIMARY KEY (account_id, mailbox_id, received_at DESC, email_pk)
  ) WITHOUT ROWID;
  CREATE INDEX email_mailbox_by_email ON email_mailbox (email_pk);

  CREATE TABLE email_body (
    email_pk    INTEGER PRIMARY KEY REFERENCES email (pk) ON DELETE CASCADE,
    text_body   TEXT,
    html_body   TEXT,
    attachments TEXT NOT NULL DEFAULT '[]'
  );

  CREATE TABLE identity (
    account_id     TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL,
    reply_to_json  TEXT,
    bcc_json       TEXT,
    text_signature TEXT NOT NULL DEFAULT '',
    html_signature TEXT NOT NULL DEFAULT '',
    may_delete     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;

  -- Where a resumable first sync got to: the last id stored (a query anchor) and the state
  -- captured before the first page, from which /changes catches up once paging ends.
  CREATE TABLE initial_sync (
    account_id  TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    start_state TEXT NOT NULL,
    anchor      TEXT,
    fetched     INTEGER NOT NULL DEFAULT 0,
    total       INTEGER,
    PRIMARY KEY (account_id, type)
  ) WITHOUT ROWID;

  -- Full-text index; rowid = email.fts_rowid. Contentless: the text already lives in email/email_body.
  CREATE VIRTUAL TABLE email_fts USING fts5(
    subject, sender, recipients, body,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  );
  `,
  /* 3: the outbox of local actions waiting for the server */ `
  CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
    -- counted before each send: > 0 means the server may already have applied it
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_pending ON outbox (account_id, id) WHERE status = 'pending';
  `,
];
