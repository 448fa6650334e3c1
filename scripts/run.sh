#!/usr/bin/env bash
# Start the web server and a real Celery worker (with beat); Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
mkdir -p var
"$BIN/celery" -A worker worker -B --loglevel=INFO --concurrency=2 -Q default,mail \
  --schedule var/celerybeat-schedule >var/worker.log 2>&1 &
WORKER=$!
cleanup() {
  trap - INT TERM EXIT
  kill -TERM "$WORKER" 2>/dev/null || true
  wait "$WORKER" 2>/dev/null || true
}
trap cleanup INT TERM EXIT
echo
echo "  Partnerskap is running at http://127.0.0.1:$PORT/"
"$BIN/python" manage.py ensure_demo_organiser | sed 's/^/  /'
echo "  Organiser area: http://127.0.0.1:$PORT/arrangor/   API docs: http://127.0.0.1:$PORT/api/v1/docs"
echo "  Celery worker log: var/worker.log   Mail (without EMAIL_URL): var/mail/"
echo "  Press Ctrl-C to stop."
echo
"$BIN/python" manage.py runserver "127.0.0.1:$PORT" --noreload &
WEB=$!
trap 'kill -TERM $WEB 2>/dev/null; cleanup' INT TERM EXIT
wait "$WEB"
