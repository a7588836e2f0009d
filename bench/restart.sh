#!/usr/bin/env bash
# restart.sh [PASSES]
#
# Start-up time with a large head: loads the Datadog bodies of ../shared/bench PASSES times
# (default 4: 4 x 2.4 M = 9.6 M samples written to the log; later passes rewrite the same
# series and timestamps, which replay applies one by one like new samples) into a release Basin
# whose head is never cut (`--head-max-samples` above the total), SIGKILLs it, starts it again
# on the same data and reports the seconds until /readyz answers and the replay line of the log.
# Data on the journaled ext4 loop filesystem of ../shared/bench/peers_fs.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
PASSES=${1:-4}
DATA=${DATA:-/tmp/peers/payloads}
BASIN=${BASIN_BINARY:-$(cd "$ROOT" && swift build -c release --show-bin-path)/basin}
dir=/tmp/peers/basin-restart
rm -rf "$dir"; mkdir -p "$dir"
"$BASIN" token create --data "$dir/data" --scopes ingest,query --secret bench --name bench >/dev/null 2>&1
"$BASIN" serve --data "$dir/data" --listen 127.0.0.1:8085 --head-max-samples 1000000000 >"$dir/log" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:8085/readyz >/dev/null && break; sleep 0.1; done
for p in $(seq "$PASSES"); do
  python3 "$SHARED/load_once.py" http://127.0.0.1:8085/api/v1/series "$DATA/datadog" --header "DD-API-KEY:bench" >/dev/null
done
samples=$(curl -sf http://127.0.0.1:8085/metrics | awk '$1 == "basin_store_head_samples" {print $2}')
wal=$(du -s --block-size=1 "$dir/data/metrics/wal" | cut -f1)
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
t0=$(date +%s.%N)
"$BASIN" serve --data "$dir/data" --listen 127.0.0.1:8085 --head-max-samples 1000000000 >"$dir/restart.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do curl -sf http://127.0.0.1:8085/readyz >/dev/null && break; sleep 0.05; done
t1=$(date +%s.%N)
echo "log written: $((PASSES * 2400000)) samples in $wal bytes ($(echo "scale=1; $wal / ($PASSES * 2400000)" | bc) B/sample); distinct samples in the head: $samples"
echo "ready after SIGKILL: $(echo "$t1 - $t0" | bc) s"
grep "write-ahead log replayed" "$dir/restart.log" | sed 's/^.*info basin: //'
kill -TERM "$pid"; wait "$pid" || true
rm -rf "$dir"
