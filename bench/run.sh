#!/usr/bin/env bash
# Lamina's invoke benchmark: starts a daemon on a free port in a temp dir, deploys a no-op
# function for python, node and provided (C++), and prints cold-start, warm-latency and
# throughput figures for each, then the asynchronous path. Usage: bench/run.sh [build-dir]
# (run as root; takes ~5 min)
set -euo pipefail
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
WORK=$(mktemp -d /tmp/lamina-bench-XXXXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null; rm -rf "$WORK"' EXIT

"$BUILD/lamina" serve --port "$PORT" --data-dir "$WORK/data" --log-level warn 2>"$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/_lamina/health" >/dev/null && break; sleep 0.1; done

export AWS_SHARED_CREDENTIALS_FILE="$WORK/data/credentials" AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
export AWS_CONFIG_FILE=/dev/null
aws() { /usr/bin/aws --endpoint-url "http://127.0.0.1:$PORT" "$@" >/dev/null; }
aws iam create-role --role-name bench --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
ROLE=arn:aws:iam::000000000000:role/bench

mkdir -p "$WORK/py" "$WORK/node" "$WORK/provided"
printf 'def handler(event, context):\n    return {}\n' > "$WORK/py/app.py"
printf 'exports.handler = async () => ({});\n' > "$WORK/node/index.js"
cp "$BUILD/provided-noop" "$WORK/provided/bootstrap"
(cd "$WORK/py" && zip -q ../py.zip app.py)
(cd "$WORK/node" && zip -q ../node.zip index.js)
(cd "$WORK/provided" && zip -q ../provided.zip bootstrap)
aws lambda create-function --function-name noop-python --runtime python3.12 --handler app.handler \
  --role "$ROLE" --zip-file "fileb://$WORK/py.zip"
aws lambda create-function --function-name noop-node --runtime nodejs20.x --handler index.handler \
  --role "$ROLE" --zip-file "fileb://$WORK/node.zip"
aws lambda create-function --function-name noop-provided --runtime provided.al2023 \
  --handler bootstrap --role "$ROLE" --zip-file "fileb://$WORK/provided.zip"

bench() { "$BUILD/lamina-bench" --endpoint "127.0.0.1:$PORT" --credentials "$AWS_SHARED_CREDENTIALS_FILE" "$@"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for fn in noop-provided noop-python noop-node; do
  echo "== $fn"
  # Warm figures first: cold starts retire environments whose teardown would still be running.
  # Cold starts before the throughput runs, whose 64 environments a cold start would retire
  # (and tear down while it is measured).
  bench --function "$fn" --mode warm --requests 2000
  bench --function "$fn" --mode cold --requests 20
  # Steady state: the scale-out to N environments (N cold starts) happens in the warm-up.
  for clients in 1 8 64; do
    bench --function "$fn" --mode throughput --clients "$clients" --seconds 5 \
      --warmup $((clients == 64 ? 6 : 2))
  done
done
# Asynchronous invokes of the no-op provided function. First the 202 path alone (each 202 means
# the event is durably queued; the function is held back by a reservation of 0), then those
# events processed from the queue, then both at once: events sent and processed end to end. The
# sync throughput above at 8 clients is what the queue must not slow down.
echo "== async noop-provided"
# With few clients the 202 path is bound by the commit's fsync latency (~1 ms here): more clients
# share each commit.
aws lambda put-function-concurrency --function-name noop-provided --reserved-concurrent-executions 0
for clients in 8 64; do
  bench --function noop-provided --mode async --clients "$clients" --requests 50000 --no-wait \
    --events-db "$WORK/data/events.db"
done
bench --function noop-provided --mode drain --events-db "$WORK/data/events.db"
bench --function noop-provided --mode async --clients 64 --requests 50000 \
  --events-db "$WORK/data/events.db"
