#!/usr/bin/env bash
# add-user.sh - create a throwaway mailbox user in the running test Cyrus, so that a test
# can own an account no other test touches. Prints the new address.
# Usage: add-user.sh LOCALPART [DIR]      (root; the server from start-cyrus.sh must be up)
set -euo pipefail
NAME=$1
DIR=$(realpath -m "${2:-${CYRUS_JMAP_DIR:-/tmp/cyrus-jmap}}")
. "$DIR/env.sh"
DOMAIN=${JMAP_USERS#*@}; DOMAIN=${DOMAIN%% *}
IMAP_PORT=${JMAP_IMAP_URL##*:}
HTTP_BASE=$JMAP_BASE_URL
printf '%s' "$JMAP_PASSWORD" | saslpasswd2 -p -c -f "$DIR/sasldb2" -u "$DOMAIN" "$NAME"
chown cyrus:mail "$DIR/sasldb2"; chmod 640 "$DIR/sasldb2"
# The first IMAP login autocreates INBOX and the special-use folders; one PROPFIND per
# DAV home creates the Default calendar and address book.
curl -sf -o /dev/null "imap://127.0.0.1:$IMAP_PORT/" -u "$NAME@$DOMAIN:$JMAP_PASSWORD" -X 'LIST "" "*"'
for c in calendars addressbooks; do
  curl -s -o /dev/null -u "$NAME@$DOMAIN:$JMAP_PASSWORD" -X PROPFIND -H 'Depth: 0' \
    "$HTTP_BASE/dav/$c/user/$NAME@$DOMAIN/" || true
done
echo "$NAME@$DOMAIN"
