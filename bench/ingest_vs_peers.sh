#!/usr/bin/env bash
# ingest_vs_peers.sh ROUNDS DURATION CONNECTIONS
#
# Side-by-side Datadog v1 ingest: Basin (release build, embedded store) and VictoriaMetrics
# (Debian package, its /datadog/api/v1/series endpoint), the same bodies, the same wrk driver
# (../shared/bench/run_load.sh), each run on a fresh instance with data on the journaled ext4
# loop filesystem that ../shared/bench/peers_fs.sh mounts at /tmp/peers. Rounds alternate
# Basin and VM so drift on the shared machine hits both. Results (one JSON line per run) go to
# bench/results/<date>-ingest.jsonl.
#
# Prerequisites (once): ../shared/bench/peers_fs.sh mount; apt-get install victoria-metrics wrk;
# python3 ../shared/bench/gen_payloads.py --series 10000 --points-per-series 240 --batch 1000 \
#     --seed 42 --log-events 0 --formats datadog --out /tmp/peers/payloads
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
ROUNDS=${1:-3} DURATION=${2:-30s} CONNS=${3:-4}
DATA=${DATA:-/tmp/peers/payloads}
mkdir -p "$HERE/results"
OUT="$HERE/results/$(date -u +%Y-%m-%d)-ingest.jsonl"

(cd "$ROOT" && swift build -c release --product basin >/dev/null)
BASIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/basin"

run_basin() {
  local dir=/tmp/peers/basin
  rm -rf "$dir"; mkdir -p "$dir"
  # The shared wrk script sends DD-API-KEY: bench; provision that secret as an ingest token.
  "$BASIN" token create --data "$dir/data" --scopes ingest,query --secret bench --name bench >/dev/null 2>&1
  "$BASIN" serve --data "$dir/data" --listen 127.0.0.1:8080 --log-level warning >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8080/readyz >/dev/null && break; sleep 0.1; done
  RESULTS="$OUT" LABEL="basin round $1" SERVER_PID=$pid \
    bash "$SHARED/run_load.sh" datadog http://127.0.0.1:8080/api/v1/series "$DATA/datadog" "$DURATION" "$CONNS" | head -1
  du -sb "$dir/data" | awk '{print "basin on disk: " $1 " bytes"}'
  kill -KILL $pid; wait $pid 2>/dev/null || true
  # Restart on the same data after SIGKILL: the log line reports how long the replay took.
  "$BASIN" serve --data "$dir/data" --listen 127.0.0.1:8080 >"$dir/restart.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do curl -sf http://127.0.0.1:8080/readyz >/dev/null && break; sleep 0.1; done
  grep "write-ahead log replayed" "$dir/restart.log" | sed 's/^.*info basin: /basin restart after SIGKILL: /'
  kill -TERM $pid; wait $pid || true
}

run_vm() {
  # The command line of ../shared/bench/setup_peers.sh (start_vm), started here so that only
  # victoria-metrics needs to be installed.
  local dir=/tmp/peers/vm
  rm -rf "$dir"; mkdir -p "$dir"
  victoria-metrics -storageDataPath="$dir/data" -httpListenAddr=127.0.0.1:8428 >>"$dir/vm.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8428/health >/dev/null && break; sleep 0.1; done
  RESULTS="$OUT" LABEL="vm round $1" SERVER_PID=$pid \
    bash "$SHARED/run_load.sh" datadog http://127.0.0.1:8428/datadog/api/v1/series "$DATA/datadog" "$DURATION" "$CONNS" | head -1
  bash "$SHARED/stop_peers.sh" "$pid" >/dev/null
}

for round in $(seq "$ROUNDS"); do
  run_basin "$round"
  run_vm "$round"
done
echo "results: $OUT"
