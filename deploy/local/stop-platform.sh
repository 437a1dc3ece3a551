#!/usr/bin/env bash
# Stops what `make run` started, from another shell.
set -uo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=.run
if [ -f "$RUN_DIR/honcho.pid" ]; then
  kill -TERM "$(cat "$RUN_DIR/honcho.pid")" 2>/dev/null || true
  rm -f "$RUN_DIR/honcho.pid"
fi
if [ -x .venv/bin/solidarity-stack ]; then
  .venv/bin/solidarity-stack down --run-dir "$RUN_DIR" || true
fi
echo "Stopped."
