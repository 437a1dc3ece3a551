#!/usr/bin/env bash
# Starts the whole platform on this machine: Kafka and the database (or the servers named by
# KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI), demo data, and every process of deploy/local/Procfile under
# supervisord, which restarts a process that exits (backing off when it keeps failing) and leaves the
# others running. Ctrl-C stops the services and the servers it started; so does `make stop` from another
# shell. RUN_DIR (default .run) holds the logs, the state and the demo tokens.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
RUN_DIR="${RUN_DIR:-.run}"
mkdir -p "$RUN_DIR"
RUN_DIR="$(cd "$RUN_DIR" && pwd)"
export PORTAL_PORT="${PORTAL_PORT:-8100}"
echo "Solidarity Hub portal: http://127.0.0.1:${PORTAL_PORT}/ (ready once the servers below have started)"

echo "Starting Kafka and the database…"
set -a
# shellcheck disable=SC1090
. <("$BIN/solidarity-stack" up --run-dir "$RUN_DIR" | grep -E '^[A-Z_]+=')
set +a
export REGISTRY_PORT="${REGISTRY_PORT:-8101}"
export MARKETPLACE_PORT="${MARKETPLACE_PORT:-8102}"
export TRAINING_PORT="${TRAINING_PORT:-8103}"
export NOTIFICATIONS_PORT="${NOTIFICATIONS_PORT:-8104}"
export GRANTS_PORT="${GRANTS_PORT:-8105}"
export EVENTS_PORT="${EVENTS_PORT:-8106}"
# A local SMTP server that prints every e-mail into the log (the "mail" process).
export SMTP_HOST=127.0.0.1 SMTP_PORT="${SMTP_PORT:-8125}"
export PROMETHEUS_MULTIPROC_DIR="$RUN_DIR/metrics"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
export PATH="$PWD/$BIN:$PATH"
# The portal calls the services on this machine and offers the demo people's sign-in (plain http here).
export PORTAL_REGISTRY_URL="http://127.0.0.1:${REGISTRY_PORT}" PORTAL_MARKETPLACE_URL="http://127.0.0.1:${MARKETPLACE_PORT}"
export PORTAL_TRAINING_URL="http://127.0.0.1:${TRAINING_PORT}" PORTAL_NOTIFICATIONS_URL="http://127.0.0.1:${NOTIFICATIONS_PORT}"
export PORTAL_GRANTS_URL="http://127.0.0.1:${GRANTS_PORT}" PORTAL_EVENTS_URL="http://127.0.0.1:${EVENTS_PORT}"
export PORTAL_DEV_SIGN_IN=true PORTAL_SECURE_COOKIES=false
# The built-in development secrets are accepted only in development mode; production refuses to start with them.
export DEVELOPMENT_MODE=true

echo "Loading demo data…"
"$BIN/registry-demo-data" > "$RUN_DIR/demo-data.txt"
tail -n 20 "$RUN_DIR/demo-data.txt"

cleanup() {
  if [ -n "${SUPERVISOR_PID:-}" ]; then  # every process at once (SIGTERM, SIGKILL after 25 s), then supervisord
    "$BIN/supervisorctl" -c "$RUN_DIR/supervisord.conf" stop all >/dev/null 2>&1 || true
    kill -TERM "$SUPERVISOR_PID" 2>/dev/null || true
    wait "$SUPERVISOR_PID" 2>/dev/null || true
  fi
  "$BIN/solidarity-stack" down --run-dir "$RUN_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat <<TXT

Solidarity Hub is starting:
  Web portal          http://127.0.0.1:${PORTAL_PORT}/  (sign in as any demo person at /sign-in)
  Registry API docs   http://127.0.0.1:${REGISTRY_PORT}/docs
  Public register     http://127.0.0.1:${REGISTRY_PORT}/api/v1/register
  Open data (CSV)     http://127.0.0.1:${REGISTRY_PORT}/api/v1/register/export.csv
  Marketplace docs    http://127.0.0.1:${MARKETPLACE_PORT}/docs
  Marketplace search  http://127.0.0.1:${MARKETPLACE_PORT}/api/v1/listings?q=med
  Training API docs   http://127.0.0.1:${TRAINING_PORT}/docs
  Upcoming sessions   http://127.0.0.1:${TRAINING_PORT}/api/v1/sessions
  Grants API docs     http://127.0.0.1:${GRANTS_PORT}/docs  (calls: /api/v1/calls)
  Events API docs     http://127.0.0.1:${EVENTS_PORT}/docs  (calendar: /api/v1/events)
  Notifications docs  http://127.0.0.1:${NOTIFICATIONS_PORT}/docs (inbox: /api/v1/inbox; e-mails in the "mail" log)
  Health / readiness  http://127.0.0.1:${REGISTRY_PORT}/healthz  http://127.0.0.1:${REGISTRY_PORT}/readyz
  Metrics             http://127.0.0.1:${REGISTRY_PORT}/metrics
  Kafka               ${KAFKA_BOOTSTRAP_SERVERS}
  MongoDB protocol    ${MONGODB_URI}
  Demo tokens         $RUN_DIR/demo-data.txt (the marketplace's and training's tokens appear there a minute later)
  Processes' state    $BIN/supervisorctl -c $RUN_DIR/supervisord.conf status   (a process that exits is restarted)
  Processes' logs     $RUN_DIR/logs/<process>.log   (e.g. tail -f $RUN_DIR/logs/registry-web.log)
Stop with Ctrl-C (or 'make stop' from another shell).

TXT
CONFIG="$("$BIN/python" -m shared.localinfra.supervisor --procfile deploy/local/Procfile --run-dir "$RUN_DIR")"
"$BIN/supervisord" -c "$CONFIG" &
SUPERVISOR_PID=$!
# The marketplace learns of the demo enterprises from Kafka once the services run; its demo data follows
# (and the grants demo data, once training's assessments of them have reached it too).
# Each loader leaves its exit status next to its log.
for loader in marketplace-demo-data training-demo-data grants-demo-data events-demo-data; do
  ( status=0; "$BIN/$loader" >> "$RUN_DIR/demo-data.txt" 2> "$RUN_DIR/$loader.log" || status=$?
    echo "$status" > "$RUN_DIR/$loader.exit"
    [ "$status" = 0 ] || echo "$loader failed (exit $status): see $RUN_DIR/$loader.log" >&2 ) &
done
wait "$SUPERVISOR_PID"
