#!/usr/bin/env bash
# storage_vs_vm.sh [ROUNDS]
#
# Side by side, in one run, on the same Datadog v1 bodies: Basin (release build, embedded
# store) and VictoriaMetrics 1.79 (Debian package). For each server, on a fresh data directory
# on the journaled ext4 loop filesystem of ../shared/bench/peers_fs.sh:
#   1. bulk load of the unique data set (10,000 series x 240 points) with ../shared/bench/load_once.py;
#   2. settle: Basin cuts its head into blocks and compacts (short intervals set below); VM gets
#      /internal/force_flush and /internal/force_merge, as in ../shared/bench/run_all.sh;
#   3. bytes on disk (allocated blocks, du --block-size=1) per sample, resident memory per series;
#   4. query latency, warm: `sum by (region)` of system.cpu.user (1,000 series) and of every
#      series (`{region=~".+"}`, all 10,000) over the last hour of data at a 60 s step, and the
#      same for one host, median of 20 runs after 3 warm-ups;
#   5. restart: SIGKILL, start again on the same data, seconds until /readyz answers.
# Raw results: one JSON line per server and round in bench/results/<date>-storage.jsonl.
#
# Prerequisites (once): ../shared/bench/peers_fs.sh mount; apt-get install victoria-metrics;
# python3 ../shared/bench/gen_payloads.py --series 10000 --points-per-series 240 --batch 1000 \
#     --seed 42 --log-events 0 --formats datadog --out /tmp/peers/payloads
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
ROUNDS=${1:-1}
DATA=${DATA:-/tmp/peers/payloads}
mkdir -p "$HERE/results"
OUT="$HERE/results/$(date -u +%Y-%m-%d)-storage.jsonl"
if [ -z "${BASIN_BINARY:-}" ]; then
  (cd "$ROOT" && swift build -c release --product basin >/dev/null)
  BASIN_BINARY="$(cd "$ROOT" && swift build -c release --show-bin-path)/basin"
fi
SAMPLES=$(python3 -c "import json,sys; print(json.load(open('$DATA/manifest.json'))['metric_hints']['total_samples'])" 2>/dev/null || echo 2400000)

# Servers this script started; killed on any exit so a failed step leaves nothing running.
STARTED=()
trap 'for p in "${STARTED[@]}"; do kill -KILL "$p" 2>/dev/null || true; done' EXIT

alloc() { du -s --block-size=1 "$1" | cut -f1; }
rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }
ready() { for _ in $(seq 600); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; return 1; }

# latency URL AUTH QUERY: median ms of 20 warm runs of a 1 h, 60 s step range query.
latency() {
  python3 - "$1" "$2" "$3" "$DATA/manifest.json" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse
base, auth, query, manifest = sys.argv[1:5]
try:
    end = json.load(open(manifest))["metric_hints"]["end"] // 60 * 60
except Exception:
    end = int(time.time()) // 60 * 60
u = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(u.hostname, u.port)
params = urllib.parse.urlencode({"query": query, "start": end - 3600, "end": end, "step": 60, "nocache": 1})
headers = {"Authorization": auth} if auth else {}
times, shape = [], None
for i in range(23):
    t0 = time.perf_counter()
    conn.request("GET", u.path + "/api/v1/query_range?" + params, headers=headers)
    r = conn.getresponse(); body = r.read()
    dt = (time.perf_counter() - t0) * 1000
    if r.status != 200:
        sys.exit("query failed: %d %s" % (r.status, body[:300]))
    res = json.loads(body)["data"]["result"]
    shape = (len(res), sum(len(s["values"]) for s in res))
    if i >= 3: times.append(dt)
print(json.dumps({"median_ms": round(statistics.median(times), 2), "series": shape[0], "points": shape[1]}))
PY
}

run_basin() {
  local dir=/tmp/peers/basin-storage
  rm -rf "$dir"; mkdir -p "$dir"
  "$BASIN_BINARY" token create --data "$dir/data" --scopes ingest,query --secret bench --name bench >/dev/null 2>&1
  BASIN_HEAD_FLUSH_INTERVAL=5s BASIN_COMPACTION_INTERVAL=2s \
    "$BASIN_BINARY" serve --data "$dir/data" --listen 127.0.0.1:8080 >"$dir/log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  ready http://127.0.0.1:8080/readyz
  python3 "$SHARED/load_once.py" http://127.0.0.1:8080/api/v1/series "$DATA/datadog" --server-pid "$pid" \
    --header "DD-API-KEY:bench" --label "basin load" >"$dir/load.json"
  # Settled: nothing left in the head, no block being written, and the number of blocks
  # unchanged for 15 s: longer than it takes a window to settle (two flush intervals, 10 s
  # here) plus a compaction round, so every window's blocks have been merged.
  local stable=0 last=-1
  for _ in $(seq 480); do
    local m; m=$(curl -sf http://127.0.0.1:8080/metrics || true)
    local head; head=$(echo "$m" | awk '$1 == "basin_store_head_samples" {print $2}')
    local blocks; blocks=$(echo "$m" | awk '$1 == "basin_store_blocks" {print $2}')
    if [ "${head%.*}" = "0" ] && [ "${blocks%.*}" = "$last" ] && ! ls "$dir/data/metrics/blocks/"*.tmp >/dev/null 2>&1; then
      stable=$((stable + 1))
      [ "$stable" -ge 30 ] && break
    else
      stable=0
    fi
    last=${blocks%.*}
    sleep 0.5
  done
  local disk_blocks; disk_blocks=$(alloc "$dir/data/metrics/blocks")
  local disk_all; disk_all=$(alloc "$dir/data")
  local mem; mem=$(rss "$pid")
  local q1; q1=$(latency http://127.0.0.1:8080/prometheus "Bearer bench" 'sum by (region)({"system.cpu.user"})')
  local q2; q2=$(latency http://127.0.0.1:8080/prometheus "Bearer bench" 'sum by (region)({region=~".+"})')
  local host; host=$(python3 -c "import json; print(json.load(open('$DATA/manifest.json'))['metric_hints']['sample_host'])")
  local q3; q3=$(latency http://127.0.0.1:8080/prometheus "Bearer bench" "{\"system.cpu.user\", host=\"$host\"}")
  kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
  local t0; t0=$(date +%s.%N)
  "$BASIN_BINARY" serve --data "$dir/data" --listen 127.0.0.1:8080 >"$dir/restart.log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  ready http://127.0.0.1:8080/readyz
  local restart; restart=$(echo "$(date +%s.%N) - $t0" | bc)
  kill -TERM "$pid"; wait "$pid" || true
  python3 - "$1" "$SAMPLES" "$disk_blocks" "$disk_all" "$mem" "$q1" "$q2" "$q3" "$restart" "$dir/load.json" basin >>"$OUT" <<'PY'
import json, sys
rnd, samples, blocks, disk, mem, q1, q2, q3, restart, load, name = sys.argv[1:12]
samples = int(samples)
print(json.dumps({"server": name, "round": int(rnd), "samples": samples,
    "disk_bytes_per_sample": round(int(disk) / samples, 3), "block_bytes_per_sample": round(int(blocks) / samples, 3),
    "rss_bytes": int(mem), "rss_bytes_per_series": round(int(mem) / 10000),
    "sum_by_region_1h": json.loads(q1), "sum_by_region_all_1h": json.loads(q2), "one_host_1h": json.loads(q3), "restart_seconds": round(float(restart), 2),
    "load": json.loads(open(load).read().strip().splitlines()[-1]) if open(load).read().strip() else None}))
PY
  tail -1 "$OUT"
}

run_vm() {
  local dir=/tmp/peers/vm-storage
  rm -rf "$dir"; mkdir -p "$dir"
  victoria-metrics -storageDataPath="$dir/data" -httpListenAddr=127.0.0.1:8428 >>"$dir/vm.log" 2>&1 </dev/null &
  local pid=$!
  STARTED+=("$pid")
  ready http://127.0.0.1:8428/health
  python3 "$SHARED/load_once.py" http://127.0.0.1:8428/datadog/api/v1/series "$DATA/datadog" --server-pid "$pid" \
    --label "vm load" >"$dir/load.json"
  curl -s http://127.0.0.1:8428/internal/force_flush >/dev/null
  sleep 10
  curl -s "http://127.0.0.1:8428/internal/force_merge?partition_prefix=$(date -u +%Y_%m)" >/dev/null
  sleep 10
  local disk; disk=$(alloc "$dir/data")
  local mem; mem=$(rss "$pid")
  local q1; q1=$(latency http://127.0.0.1:8428 "" 'sum by (region)({__name__="system.cpu.user"})')
  local q2; q2=$(latency http://127.0.0.1:8428 "" 'sum by (region)({region=~".+"})')
  local host; host=$(python3 -c "import json; print(json.load(open('$DATA/manifest.json'))['metric_hints']['sample_host'])")
  local q3; q3=$(latency http://127.0.0.1:8428 "" "{__name__=\"system.cpu.user\", host=\"$host\"}")
  kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
  local t0; t0=$(date +%s.%N)
  victoria-metrics -storageDataPath="$dir/data" -httpListenAddr=127.0.0.1:8428 >>"$dir/vm.log" 2>&1 </dev/null &
  pid=$!
  STARTED+=("$pid")
  ready http://127.0.0.1:8428/health
  local restart; restart=$(echo "$(date +%s.%N) - $t0" | bc)
  bash "$SHARED/stop_peers.sh" "$pid" >/dev/null
  python3 - "$1" "$SAMPLES" "$disk" "$disk" "$mem" "$q1" "$q2" "$q3" "$restart" "$dir/load.json" vm >>"$OUT" <<'PY'
import json, sys
rnd, samples, blocks, disk, mem, q1, q2, q3, restart, load, name = sys.argv[1:12]
samples = int(samples)
print(json.dumps({"server": name, "round": int(rnd), "samples": samples,
    "disk_bytes_per_sample": round(int(disk) / samples, 3),
    "rss_bytes": int(mem), "rss_bytes_per_series": round(int(mem) / 10000),
    "sum_by_region_1h": json.loads(q1), "sum_by_region_all_1h": json.loads(q2), "one_host_1h": json.loads(q3), "restart_seconds": round(float(restart), 2),
    "load": json.loads(open(load).read().strip().splitlines()[-1]) if open(load).read().strip() else None}))
PY
  tail -1 "$OUT"
}

for round in $(seq "$ROUNDS"); do
  run_basin "$round"
  run_vm "$round"
done
