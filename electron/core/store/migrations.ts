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
  /* 4: sends held for undo; the people the user exchanges mail with, for recipient suggestions */ `
  -- A queued action is not replayed before this time (ms); null: at once.
  ALTER TABLE outbox ADD COLUMN not_before INTEGER;

  -- One row per address seen: how often it wrote to the user and was written to, and when
  -- last. Kept by a trigger on email inserts, so syncing code needs no changes and a search
  -- while typing reads a few hundred rows instead of every email's address JSON.
  CREATE TABLE correspondent (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    email      TEXT NOT NULL COLLATE NOCASE,
    name       TEXT,
    received   INTEGER NOT NULL DEFAULT 0,
    sent       INTEGER NOT NULL DEFAULT 0,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, email)
  ) WITHOUT ROWID;

  -- The user's own addresses, per account: sent mail counts towards its recipients.
  CREATE VIEW own_address AS
    SELECT id AS account_id, lower(email) AS email FROM account
    UNION SELECT account_id, lower(email) FROM identity;

  -- Runs for every email a sync stores, so it avoids the view: direct lookups cost half as much.
  CREATE TRIGGER correspondent_from_email AFTER INSERT ON email BEGIN
    INSERT INTO correspondent (account_id, email, name, received, sent, last_at)
      SELECT NEW.account_id, a.value ->> 'email', nullif(trim(a.value ->> 'name'), ''), 1, 0, NEW.received_at
        FROM json_each(NEW.from_json) a
       WHERE a.value ->> 'email' LIKE '%_@_%'
         AND NOT EXISTS (SELECT 1 FROM account WHERE id = NEW.account_id AND email = a.value ->> 'email' COLLATE NOCASE)
         AND NOT EXISTS (SELECT 1 FROM identity WHERE account_id = NEW.account_id AND email = a.value ->> 'email' COLLATE NOCASE)
      ON CONFLICT (account_id, email) DO UPDATE SET
        received = received + 1, last_at = max(last_at, excluded.last_at), name = coalesce(excluded.name, name);
    INSERT INTO correspondent (account_id, email, name, received, sent, last_at)
      SELECT NEW.account_id, r.value ->> 'email', nullif(trim(r.value ->> 'name'), ''), 0, 1, NEW.received_at
        FROM (SELECT value FROM json_each(NEW.to_json) UNION SELECT value FROM json_each(NEW.cc_json)) r
       WHERE r.value ->> 'email' LIKE '%_@_%'
         AND EXISTS (SELECT 1 FROM json_each(NEW.from_json) f
                      WHERE EXISTS (SELECT 1 FROM account WHERE id = NEW.account_id AND email = f.value ->> 'email' COLLATE NOCASE)
                         OR EXISTS (SELECT 1 FROM identity WHERE account_id = NEW.account_id AND email = f.value ->> 'email' COLLATE NOCASE))
      ON CONFLICT (account_id, email) DO UPDATE SET
        sent = sent + 1, last_at = max(last_at, excluded.last_at), name = coalesce(excluded.name, name);
  END;

  -- Mail already stored counts too.
  INSERT INTO correspondent (account_id, email, name, received, sent, last_at)
    SELECT account_id, min(email), max(name), sum(received), sum(sent), max(at) FROM (
      SELECT e.account_id, a.value ->> 'email' AS email, nullif(trim(a.value ->> 'name'), '') AS name, 1 AS received, 0 AS sent, e.received_at AS at
        FROM email e, json_each(e.from_json) a
       WHERE lower(a.value ->> 'email') NOT IN (SELECT email FROM own_address o WHERE o.account_id = e.account_id)
      UNION ALL
      SELECT e.account_id, r.value ->> 'email', nullif(trim(r.value ->> 'name'), ''), 0, 1, e.received_at
        FROM email e, json_each(e.to_json) r
       WHERE EXISTS (SELECT 1 FROM json_each(e.from_json) f WHERE lower(f.value ->> 'email') IN (SELECT email FROM own_address o WHERE o.account_id = e.account_id))
      UNION ALL
      SELECT e.account_id, r.value ->> 'email', nullif(trim(r.value ->> 'name'), ''), 0, 1, e.received_at
        FROM email e, json_each(e.cc_json) r
       WHERE EXISTS (SELECT 1 FROM json_each(e.from_json) f WHERE lower(f.value ->> 'email') IN (SELECT email FROM own_address o WHERE o.account_id = e.account_id))
    )
    WHERE email LIKE '%_@_%'
    GROUP BY account_id, lower(email);
  `,
  /* 5: calendars, events, address books and contact cards */ `
  CREATE TABLE calendar (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    color      TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_visible INTEGER NOT NULL DEFAULT 1,
    may_write  INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE calendar_event (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    uid        TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    start      TEXT NOT NULL,
    time_zone  TEXT,
    recurring  INTEGER NOT NULL DEFAULT 0,
    json       TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  CREATE INDEX calendar_event_by_uid ON calendar_event (account_id, uid);

  CREATE TABLE address_book (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    may_write  INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE contact_card (
    account_id   TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    source_type  TEXT NOT NULL,
    id           TEXT NOT NULL,
    uid          TEXT NOT NULL,
    kind         TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    -- lower-cased addresses, space separated: for "is this sender a contact" and autocomplete
    emails       TEXT NOT NULL DEFAULT '',
    json         TEXT NOT NULL,
    PRIMARY KEY (account_id, source_type, id)
  ) WITHOUT ROWID;
  CREATE INDEX contact_card_by_name ON contact_card (account_id, display_name);
`,
  /* 6: S/MIME certificates, sealed private keys, and per-message results */ `
  -- Certificates the user imported or collected from signed mail. kind: 'own' (a private key
  -- exists), 'ca' (a trust anchor the user added), 'contact' (someone else's, for encryption).
  CREATE TABLE smime_certificate (
    fingerprint TEXT PRIMARY KEY, -- SHA-256 of the DER, lower-case hex
    der         BLOB NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('own', 'ca', 'contact')),
    subject     TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    not_before  INTEGER NOT NULL,
    not_after   INTEGER NOT NULL,
    added_at    INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- The addresses a certificate names (rfc822Name SANs and the email attribute), lower-cased.
  CREATE TABLE smime_certificate_email (
    email       TEXT NOT NULL,
    fingerprint TEXT NOT NULL REFERENCES smime_certificate (fingerprint) ON DELETE CASCADE,
    PRIMARY KEY (email, fingerprint)
  ) WITHOUT ROWID;

  -- PKCS#8 private keys sealed with AES-256-GCM under a key that lives only in the OS keychain.
  CREATE TABLE smime_private_key (
    fingerprint TEXT PRIMARY KEY REFERENCES smime_certificate (fingerprint) ON DELETE CASCADE,
    sealed      BLOB NOT NULL
  ) WITHOUT ROWID;

  -- Verification/decryption results, cached per message (the typed result as JSON).
  CREATE TABLE smime_result (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    email_id   TEXT NOT NULL,
    json       TEXT NOT NULL,
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, email_id)
  ) WITHOUT ROWID;
  `,
  /* 7: calendar reminders already shown, so a restart neither repeats nor loses them */ `
  CREATE TABLE alarm_fired (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    event_id   TEXT NOT NULL,
    alert_id   TEXT NOT NULL,
    -- the occurrence's start as a UTC instant (ISO 8601), so each occurrence alerts once
    occurrence TEXT NOT NULL,
    fired_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, event_id, alert_id, occurrence)
  ) WITHOUT ROWID;
  `,
  /* 8: ids of calendar events and contact cards created offline, once the server named them */ `
  -- The renderer may still hold a local id after the server assigned the real one.
  CREATE TABLE pim_local_id (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    local_id   TEXT NOT NULL,
    server_id  TEXT NOT NULL,
    PRIMARY KEY (account_id, local_id)
  ) WITHOUT ROWID;
  `,
  /* 9: per-account notification switch; senders trusted to load remote content */ `
  ALTER TABLE account ADD COLUMN notify INTEGER NOT NULL DEFAULT 1;
  CREATE TABLE remote_content_sender (
    email    TEXT PRIMARY KEY, -- lower-cased
    added_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  /* 10: per-identity S/MIME defaults for the composer (sign, encrypt) */ `
  CREATE TABLE smime_identity_default (
    account_id  TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    identity_id TEXT NOT NULL,
    sign        INTEGER NOT NULL,
    encrypt     INTEGER NOT NULL,
    PRIMARY KEY (account_id, identity_id)
  ) WITHOUT ROWID;
  `,
];
