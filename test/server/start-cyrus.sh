#!/usr/bin/env bash
# start-cyrus.sh - run a private Cyrus IMAP 3.6 (Debian 12 packages) JMAP server on
# 127.0.0.1 for the project's integration and end-to-end tests (adapted from the team's
# reference setup so that a fresh clone needs nothing outside this repository). Run as root. Safe to run repeatedly: if the server
# from DIR is already up it only re-checks it and prints the details again.
# Usage: start-cyrus.sh [--reset] [DIR]
#   DIR      state + config dir (default $CYRUS_JMAP_DIR or /tmp/cyrus-jmap)
#   --reset  stop the server of DIR and wipe DIR first (clean mailboxes)
# Env: CYRUS_JMAP_HTTP_PORT (8080)  CYRUS_JMAP_IMAP_PORT (1143)
#      CYRUS_JMAP_PASSWORD (secret)  CYRUS_JMAP_DOMAIN (example.com)
# Writes DIR/env.sh (JMAP_SESSION_URL, JMAP_USERS, ...) for tests to source.
set -euo pipefail
RESET=0; [ "${1:-}" = "--reset" ] && { RESET=1; shift; }
DIR=$(realpath -m "${1:-${CYRUS_JMAP_DIR:-/tmp/cyrus-jmap}}")
HTTP_PORT=${CYRUS_JMAP_HTTP_PORT:-8080}
IMAP_PORT=${CYRUS_JMAP_IMAP_PORT:-1143}
PASS=${CYRUS_JMAP_PASSWORD:-secret}
DOMAIN=${CYRUS_JMAP_DOMAIN:-example.com}
USERS="alice bob carol"                  # mailbox users are <name>@$DOMAIN
BIN=/usr/lib/cyrus/bin
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SESSION_URL="http://127.0.0.1:$HTTP_PORT/jmap/"
CONF=$DIR/imapd.conf
log() { echo "[start-cyrus] $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -f "$DIR/run/master.pid" ] && tr '\0' ' ' 2>/dev/null < "/proc/$(cat "$DIR/run/master.pid")/cmdline" \
  | grep -q -- "-C $CONF"; }   # a master for THIS dir (not a reused pid)
[ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }

# --- 1. Debian packages, only if missing. (On a host with systemd the packages also
#        start the stock cyrus-imapd service on the standard ports; we leave it alone.)
PKGS="cyrus-imapd cyrus-caldav cyrus-common sasl2-bin libsasl2-modules curl jq"
OK=$(dpkg-query -W -f='${Status}\n' $PKGS 2>/dev/null | grep -c 'install ok installed' || true)
if [ "$OK" != "$(echo $PKGS | wc -w)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  log "installing: $PKGS"
  apt-get install -y -q --no-install-recommends $PKGS >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $PKGS >/dev/null; }
fi

if [ $RESET = 1 ]; then bash "$HERE/stop-cyrus.sh" "$DIR" >&2; rm -rf "$DIR"; fi
if ! alive; then
  for p in "$HTTP_PORT" "$IMAP_PORT"; do
    port_open "$p" && { log "port $p is already in use by another process"; exit 1; }
  done
  # --- 2. Private config (-C/-M everywhere): /etc/imapd.conf is never used.
  mkdir -p "$DIR"/{spool,search,sieve,run,outbox,bin} "$DIR"/lib/{db,log,msg,proc,socket,lock,quota,user}
  cat > "$CONF" <<EOF
configdirectory: $DIR/lib
partition-default: $DIR/spool
# REQUIRED with Debian's build (no libuuid: mailbox ids come from rand()). Without it
# Cyrus re-seeds srand(time()) per mailbox create and folders created in the same
# second for different users get the SAME id -> JMAP Email/import etc. break.
defaultpartition: default
sievedir: $DIR/sieve
lmtpsocket: $DIR/run/lmtp
idlesocket: $DIR/run/idle
notifysocket: $DIR/run/notify
servername: localhost
admins: admin
virtdomains: userid
unixhierarchysep: yes
altnamespace: yes
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $DIR/sasldb2
sasl_mech_list: PLAIN LOGIN
httpmodules: jmap caldav carddav
httpallowcors: *
conversations: yes
conversations_db: twoskip
# needed for JMAP calendars + contacts (Cyrus vendor capabilities)
jmap_nonstandard_extensions: yes
# VacationResponse/get|set crash httpd (SIGSEGV) in 3.6.1: do not advertise it
jmap_vacation: no
autocreate_quota: 10485760
autocreate_inbox_folders: Drafts | Sent | Trash | Junk | Archive
autocreate_subscribe_folders: Drafts | Sent | Trash | Junk | Archive
xlist-drafts: Drafts
xlist-sent: Sent
xlist-trash: Trash
xlist-junk: Junk
xlist-archive: Archive
smtp_backend: sendmail
sendmail: $DIR/bin/sendmail-sink
# Email/query text/from/subject filters need Xapian (with "none" they serverFail);
# the rolling squatter below indexes new mail right after it arrives.
search_engine: xapian
defaultsearchtier: t1
t1searchpartition-default: $DIR/search
sync_log: yes
sync_log_channels: squatter
EOF
  # master does NOT pass -C on to its children, so every cmd carries it.
  cat > "$DIR/cyrus.conf" <<EOF
START {
  recover  cmd="ctl_cyrusdb -C $CONF -r"
}
SERVICES {
  imap     cmd="imapd -C $CONF" listen="127.0.0.1:$IMAP_PORT" prefork=0
  http     cmd="httpd -C $CONF" listen="127.0.0.1:$HTTP_PORT" prefork=1
  lmtpunix cmd="lmtpd -C $CONF" listen="$DIR/run/lmtp" prefork=0
}
DAEMON {
  squatter cmd="squatter -C $CONF -R"
}
EVENTS {
  checkpoint cmd="ctl_cyrusdb -C $CONF -c" period=30
}
EOF
  # EmailSubmission -> local sink (DIR/outbox + local delivery), see sendmail-sink.sh
  install -m 755 "$HERE/sendmail-sink.sh" "$DIR/bin/sendmail-sink"
  # --- 3. Users in a private sasldb. SASL realm: the domain, or servername for admin.
  for u in admin $USERS; do
    realm=$DOMAIN; [ "$u" = admin ] && realm=localhost
    printf '%s' "$PASS" | saslpasswd2 -p -c -f "$DIR/sasldb2" -u "$realm" "$u"
  done
  chown -R cyrus:mail "$DIR"; chmod 755 "$DIR"; chmod 640 "$DIR/sasldb2"
  # --- 4. Start master as a daemon (it drops root and runs as 'cyrus').
  rm -f "$DIR/run/master.pid"
  $BIN/master -C "$CONF" -M "$DIR/cyrus.conf" -p "$DIR/run/master.pid" -L "$DIR/master.log" -d
fi

# --- 5. Wait until up. The first IMAP login of a user autocreates INBOX + the special
#        folders; one CalDAV/CardDAV PROPFIND creates the Default calendar/address book.
for i in $(seq 1 100); do port_open "$IMAP_PORT" && break; sleep 0.2; done
for u in $USERS; do
  curl -sf -o /dev/null "imap://127.0.0.1:$IMAP_PORT/" -u "$u@$DOMAIN:$PASS" -X 'LIST "" "*"' \
    || { log "IMAP login failed for $u@$DOMAIN (see $DIR/master.log)"; exit 1; }
  for c in calendars addressbooks; do
    curl -s -o /dev/null -u "$u@$DOMAIN:$PASS" -X PROPFIND -H 'Depth: 0' \
      "http://127.0.0.1:$HTTP_PORT/dav/$c/user/$u@$DOMAIN/" || true
  done
done
for i in $(seq 1 100); do
  curl -sf -o /dev/null -u "alice@$DOMAIN:$PASS" "$SESSION_URL" && break
  [ "$i" = 100 ] && { log "JMAP session never answered"; exit 1; }; sleep 0.2
done

EMAILS=$(for u in $USERS; do printf '%s ' "$u@$DOMAIN"; done); EMAILS=${EMAILS% }
cat > "$DIR/env.sh" <<EOF
export JMAP_SESSION_URL=$SESSION_URL
export JMAP_BASE_URL=http://127.0.0.1:$HTTP_PORT
export JMAP_USERS="$EMAILS"
export JMAP_PASSWORD=$PASS
export JMAP_IMAP_URL=imap://127.0.0.1:$IMAP_PORT
export JMAP_LMTP_SOCKET=$DIR/run/lmtp
export JMAP_OUTBOX=$DIR/outbox
export CYRUS_JMAP_DIR=$DIR
EOF
echo "Cyrus JMAP up: pid $(cat "$DIR/run/master.pid"), dir $DIR"
echo "  session  $SESSION_URL  (also http://127.0.0.1:$HTTP_PORT/.well-known/jmap)"
echo "  users    $EMAILS  password: $PASS  (admin: admin / $PASS)"
echo "  IMAP     127.0.0.1:$IMAP_PORT   LMTP socket $DIR/run/lmtp"
echo "  outbox   $DIR/outbox  (EmailSubmission sink)   env: . $DIR/env.sh"
