#!/usr/bin/env bash
# Lamina's S3 benchmark, side by side with moto's S3 server (`python3 -m moto.server`, when that
# python has moto) driven by the same client (lamina-s3-bench): 1 KB PUT and GET at 1 and 16
# clients, a 256 MB object PUT and GET, what `dd` writes to the same disk, and the time from a
# PutObject returning to the function it notifies starting. Usage: bench/run_s3.sh [build-dir]
# (run as root; takes ~2 min)
set -euo pipefail
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/lamina-s3-bench-XXXXXX)
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MOTO=""
cleanup() {
  kill $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null
  [ -n "$MOTO" ] && { kill $MOTO 2>/dev/null; wait $MOTO 2>/dev/null; }
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BUILD/lamina" serve --port "$PORT" --data-dir "$WORK/data" --log-level warn 2>"$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/_lamina/health" >/dev/null && break; sleep 0.1; done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
s3bench() { "$BUILD/lamina-s3-bench" "$@"; }
run_all() {  # label endpoint [credentials]
  local label=$1 endpoint=$2 creds=()
  [ -n "${3:-}" ] && creds=(--credentials "$3")
  for mode in put get; do
    for clients in 1 16; do
      s3bench --endpoint "$endpoint" "${creds[@]}" --bucket "bench-$mode" --mode "$mode" \
        --clients "$clients" --seconds 5 --label "$label"
    done
  done
  s3bench --endpoint "$endpoint" "${creds[@]}" --bucket bench-large --mode large \
    --size $((256 * 1024 * 1024)) --label "$label"
}
echo "== lamina"
run_all lamina "127.0.0.1:$PORT" "$WORK/data/credentials"
echo "== dd to the same disk (256 MB, fsync)"
dd if=/dev/zero of="$WORK/dd" bs=1M count=256 conv=fsync 2>&1 | tail -1
rm -f "$WORK/dd"
echo "== notifications"
/usr/bin/python3 "$ROOT/bench/s3_notify_latency.py" "http://127.0.0.1:$PORT" "$WORK/data/credentials" 200

if python3 -c 'import moto.server' 2>/dev/null; then
  MOTO_PORT=$(free_port)
  python3 -m moto.server -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
  MOTO=$!
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$MOTO_PORT/" >/dev/null && break; sleep 0.1; done
  echo "== moto $(python3 -c 'import moto; print(moto.__version__)')"
  run_all moto "127.0.0.1:$MOTO_PORT"
else
  echo "== moto: not installed for $(command -v python3); skipped"
fi
