#!/usr/bin/env bash
# Stops what `make run` started, from another shell: supervisord and every process it runs, then the servers.
set -uo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR="${RUN_DIR:-.run}"
PIDFILE="$RUN_DIR/supervisord.pid"
if [ -f "$PIDFILE" ]; then
  pid="$(cat "$PIDFILE")"
  # Every process at once: supervisord on its own stops them one program after another.
  .venv/bin/supervisorctl -c "$RUN_DIR/supervisord.conf" stop all >/dev/null 2>&1 || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 60); do  # supervisord gives each process up to 25 s to stop
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
fi
if [ -x .venv/bin/solidarity-stack ]; then
  .venv/bin/solidarity-stack down --run-dir "$RUN_DIR" || true
fi
echo "Stopped."
