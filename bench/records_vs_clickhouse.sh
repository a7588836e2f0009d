#!/usr/bin/env bash
# records_vs_clickhouse.sh [ROUNDS]
#
# Side by side, in one run, on the same 15-field access-log events of ../shared/bench:
# Basin (release build, embedded records store, Axiom NDJSON ingest) and ClickHouse 18.16
# (Debian package, MergeTree table of gen_payloads.CH_DDL, JSONEachRow inserts of 1000 rows).
# For each server, on a fresh data directory on the journaled ext4 loop file system of
# ../shared/bench/peers_fs.sh:
#   1. bulk load of every body once with ../shared/bench/load_once.py (4 connections): events/s
#      and server CPU-seconds per million events (Basin syncs its log before each answer;
#      ClickHouse writes a part per insert and never fsyncs);
#   2. settle: Basin seals its head into partitions (short interval set below); ClickHouse
#      merges to one part (OPTIMIZE ... FINAL until one active part);
#   3. bytes on disk per event (allocated blocks, du --block-size=1; Basin: the whole records
#      directory; ClickHouse: bytes_on_disk of the active parts);
#   4. warm query latency, median of 20 runs after 3 warm-ups, over the hour of data:
#      count by 1-minute bin and status; count and p99 of duration_ms by service; count of 5xx
#      whose user agent contains "curl"; the events of one request_id (needle).
# Raw results: one JSON line per server and round in bench/results/<date>-records.jsonl.
#
# Prerequisites (once): ../shared/bench/peers_fs.sh mount; apt-get install clickhouse-server
# clickhouse-client; python3 ../shared/bench/gen_payloads.py --series 10 --points-per-series 1 \
#     --log-events 2000000 --log-batch 1000 --seed 42 --formats logs-ndjson,logs-chjson --out /tmp/peers/logs2m
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
ROUNDS=${1:-1}
DATA=${DATA:-/tmp/peers/logs2m}
mkdir -p "$HERE/results"
OUT="$HERE/results/$(date -u +%Y-%m-%d)-records.jsonl"
if [ -z "${BASIN_BINARY:-}" ]; then
  (cd "$ROOT" && swift build -c release --product basin >/dev/null)
  BASIN_BINARY="$(cd "$ROOT" && swift build -c release --show-bin-path)/basin"
fi
EVENTS=$(python3 -c "import json; print(json.load(open('$DATA/manifest.json'))['log_hints']['total_events'])")

STARTED=()
trap 'for p in "${STARTED[@]}"; do kill -KILL "$p" 2>/dev/null || true; done' EXIT

alloc() { du -s --block-size=1 "$1" | cut -f1; }
rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }
ready() { for _ in $(seq 600); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; return 1; }

# latency TARGET: the four queries' median ms as one JSON object.
latency() {
  python3 - "$1" "$DATA/manifest.json" <<'PY'
import http.client, json, statistics, sys, time
target, manifest = sys.argv[1:3]
hints = json.load(open(manifest))["log_hints"]
end = hints["end"] // 60 * 60
start = end - 3600
rid = hints["lookup_request_id"]
def rfc(t): return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
if target == "basin":
    conn = http.client.HTTPConnection("127.0.0.1", 8080)
    path, headers = "/v1/datasets/_apl?format=tabular", {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    def body(apl): return json.dumps({"apl": apl, "startTime": rfc(start), "endTime": rfc(end)})
    queries = {
        "count_by_minute_status": body("['logs'] | summarize count() by bin(_time, 1m), status"),
        "p99_by_service": body("['logs'] | summarize count(), percentile(duration_ms, 99) by service"),
        "5xx_from_curl": body("['logs'] | where status >= 500 and user_agent contains 'curl' | count"),
        "request_id_lookup": body("['logs'] | where request_id == '%s'" % rid),
    }
else:
    conn = http.client.HTTPConnection("127.0.0.1", 8123)
    path, headers = "/", {}
    w = "_time >= toDateTime(%d) AND _time < toDateTime(%d)" % (start, end)
    queries = {
        "count_by_minute_status": "SELECT toStartOfMinute(_time) AS t, status, count() AS c FROM bench.logs WHERE %s GROUP BY t, status ORDER BY t, status FORMAT TSV" % w,
        "p99_by_service": "SELECT service, count() AS c, quantile(0.99)(duration_ms) AS p99 FROM bench.logs WHERE %s GROUP BY service ORDER BY c DESC FORMAT TSV" % w,
        "5xx_from_curl": "SELECT count() FROM bench.logs WHERE %s AND status >= 500 AND user_agent LIKE '%%curl%%' FORMAT TSV" % w,
        "request_id_lookup": "SELECT * FROM bench.logs WHERE %s AND request_id = '%s' FORMAT TSV" % (w, rid),
    }
out = {}
for name, q in queries.items():
    times = []
    for i in range(23):
        t0 = time.perf_counter()
        conn.request("POST", path, body=q.encode(), headers=headers)
        r = conn.getresponse(); data = r.read()
        dt = (time.perf_counter() - t0) * 1000
        if r.status != 200:
            sys.exit("%s failed: %d %s" % (name, r.status, data[:300]))
        if i >= 3: times.append(dt)
    out[name] = {"median_ms": round(statistics.median(times), 2), "response_bytes": len(data)}
print(json.dumps(out))
PY
}

run_basin() {
  local dir=/tmp/peers/basin-records
  rm -rf "$dir"; mkdir -p "$dir"
  "$BASIN_BINARY" token create --data "$dir/data" --scopes ingest,query,admin --secret bench --name bench >/dev/null 2>&1
  BASIN_RECORDS_HEAD_FLUSH_INTERVAL=5s BASIN_COMPACTION_INTERVAL=1s \
    "$BASIN_BINARY" serve --data "$dir/data" --listen 127.0.0.1:8080 >"$dir/log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  ready http://127.0.0.1:8080/readyz
  curl -sf -XPOST -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' \
    http://127.0.0.1:8080/v1/datasets -d '{"name":"logs"}' >/dev/null
  python3 "$SHARED/load_once.py" http://127.0.0.1:8080/v1/datasets/logs/ingest "$DATA/logs-ndjson" --server-pid "$pid" \
    --header "Authorization:Bearer bench" --header "Content-Type:application/x-ndjson" --label "basin records load" >"$dir/load.json"
  # Settled: the records log holds nothing but fresh segment headers, and no partition is being written.
  for _ in $(seq 240); do
    local wal; wal=$(du -s --block-size=1 --apparent-size "$dir/data/records/wal" | cut -f1)
    if [ "$wal" -lt 65536 ] && ! ls "$dir/data/records/parts/"*.tmp >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  local disk; disk=$(alloc "$dir/data/records")
  local parts; parts=$(alloc "$dir/data/records/parts")
  local mem; mem=$(rss "$pid")
  local q; q=$(latency basin)
  kill -TERM "$pid"; wait "$pid" || true
  python3 - "$1" "$EVENTS" "$disk" "$parts" "$mem" "$q" "$dir/load.json" basin >>"$OUT" <<'PY'
import json, sys
rnd, events, disk, parts, mem, q, load, name = sys.argv[1:9]
events = int(events)
print(json.dumps({"server": name, "round": int(rnd), "events": events,
    "disk_bytes_per_event": round(int(disk) / events, 2), "partition_bytes_per_event": round(int(parts) / events, 2),
    "rss_bytes": int(mem), "queries": json.loads(q),
    "load": json.loads(open(load).read().strip().splitlines()[-1])}))
PY
  tail -1 "$OUT"
}

run_clickhouse() {
  local pid
  pid=$(bash "$SHARED/setup_peers.sh" --fresh --no-install clickhouse | awk '$1 == "clickhouse" {print $2}')
  STARTED+=("$pid")
  local ddl; ddl=$(python3 -c "import json; print(json.load(open('$DATA/manifest.json'))['log_hints']['clickhouse_ddl'])")
  curl -sf http://127.0.0.1:8123/ --data-binary "$ddl" >/dev/null
  python3 "$SHARED/load_once.py" 'http://127.0.0.1:8123/?query=INSERT%20INTO%20bench.logs%20FORMAT%20JSONEachRow' \
    "$DATA/logs-chjson" --server-pid "$pid" --label "clickhouse load" >/tmp/peers/clickhouse-load.json
  for _ in $(seq 240); do
    [ "$(curl -s http://127.0.0.1:8123/ --data-binary "SELECT count() FROM system.parts WHERE database='bench' AND table='logs' AND active")" -le 1 ] && break
    curl -s 'http://127.0.0.1:8123/?optimize_throw_if_noop=1' --data-binary 'OPTIMIZE TABLE bench.logs FINAL' >/dev/null
    sleep 0.5
  done
  local disk; disk=$(curl -s http://127.0.0.1:8123/ --data-binary "SELECT sum(bytes_on_disk) FROM system.parts WHERE database='bench' AND table='logs' AND active")
  local mem; mem=$(rss "$pid")
  local q; q=$(latency clickhouse)
  bash "$SHARED/stop_peers.sh" "$pid" >/dev/null
  python3 - "$1" "$EVENTS" "$disk" "$mem" "$q" /tmp/peers/clickhouse-load.json clickhouse >>"$OUT" <<'PY'
import json, sys
rnd, events, disk, mem, q, load, name = sys.argv[1:8]
events = int(events)
print(json.dumps({"server": name, "round": int(rnd), "events": events,
    "disk_bytes_per_event": round(int(disk) / events, 2), "rss_bytes": int(mem), "queries": json.loads(q),
    "load": json.loads(open(load).read().strip().splitlines()[-1])}))
PY
  tail -1 "$OUT"
}

for round in $(seq "$ROUNDS"); do
  run_basin "$round"
  run_clickhouse "$round"
done
