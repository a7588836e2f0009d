#!/usr/bin/env bash
# restart_blocks.sh [BLOCK_HOURS] [HEAD_HOURS]
#
# Start-up time with a large store: ≈100 M samples in blocks and ≈10 M in the head (storage
# issue #3: "ready within 10 s"). The Datadog bodies of ../shared/bench (10,000 series x 240
# points, one hour) are posted once per hour of data, their timestamps shifted back by whole
# hours in memory (no second copy on disk), so the series are the same and the hours follow
# each other:
#   1. blocks: BLOCK_HOURS (default 42: 100.8 M samples) hours, oldest first, ending HEAD_HOURS
#      before the bodies' own hour, into a release Basin with the default head size (cut every
#      4 M samples), a 10 s head flush interval and a 2 s compaction interval (BASIN_HEAD_FLUSH_INTERVAL,
#      BASIN_COMPACTION_INTERVAL); settled when the head is empty and the number of blocks has
#      not changed for 8 s; then SIGTERM;
#   2. head: the server started again with a head that is never cut (BASIN_HEAD_MAX_SAMPLES
#      above the total, BASIN_HEAD_FLUSH_INTERVAL=24h), HEAD_HOURS (default 4: 9.6 M samples)
#      newer hours written to the log;
#   3. SIGKILL, start again on the same data with the same flags; seconds until /readyz
#      answers, the start-up lines of the log, samples in blocks and head (/metrics), bytes on
#      disk, and two counts through /prometheus/api/v1/query (one day of blocks, the head's hours).
# Data on the journaled ext4 loop filesystem of ../shared/bench/peers_fs.sh, deleted at the end
# unless KEEP=1. `uptime` before and after, since the machine is shared.
#
# Prerequisites (once): ../shared/bench/peers_fs.sh mount;
# python3 ../shared/bench/gen_payloads.py --series 10000 --points-per-series 240 --batch 1000 \
#     --seed 42 --log-events 0 --formats datadog --out /tmp/peers/payloads
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BLOCK_HOURS=${1:-42}
HEAD_HOURS=${2:-4}
DATA=${DATA:-/tmp/peers/payloads}
PORT=${PORT:-8086}
URL=http://127.0.0.1:$PORT
if [ -z "${BASIN_BINARY:-}" ]; then
  (cd "$ROOT" && swift build -c release --product basin >/dev/null)
  BASIN_BINARY="$(cd "$ROOT" && swift build -c release --show-bin-path)/basin"
fi
dir=/tmp/peers/basin-restart-blocks
rm -rf "$dir"; mkdir -p "$dir"

# Servers this script started; killed on any exit so a failed step leaves nothing running.
STARTED=()
cleanup() {
  for p in "${STARTED[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT

alloc() { du -s --block-size=1 "$1" | cut -f1; }
metric() { curl -sf "$URL/metrics" | awk -v k="$1" '$1 == k {printf "%d\n", $2}'; }
ready() { # polls every 50 ms for up to 5 minutes; fails at once if the server has exited
  for _ in $(seq 6000); do
    curl -sf "$URL/readyz" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; return 1; }
    sleep 0.05
  done
  return 1
}
start() { # start LOGFILE ENV...: starts the server in the background, its PID in $pid
  log=$1; shift
  env "$@" "$BASIN_BINARY" serve --data "$dir/data" --listen "127.0.0.1:$PORT" >"$log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
}

# post FIRST_HOUR COUNT: the bodies COUNT times, shifted back by FIRST_HOUR, FIRST_HOUR-1, …
# FIRST_HOUR-COUNT+1 hours (oldest first), 4 connections; prints one JSON line like load_once.py.
post() {
  python3 - "$URL/api/v1/series" "$DATA/datadog" "$1" "$2" "$pid" <<'PY'
import http.client, json, os, re, resource, sys, threading, time, urllib.parse
url, bodydir, first, count, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
man = json.load(open(os.path.join(bodydir, "manifest.json")))
bodies = []
for b in man["bodies"]:
    data = open(os.path.join(bodydir, b["file"]), "rb").read()
    # Timestamps are the first element of each point, "[1796119557,"; values follow a comma.
    stamps = sorted({int(t) for t in re.findall(rb"\[(\d{9,11}),", data)}, reverse=True)
    assert stamps and stamps[0] - stamps[-1] < 3600, b["file"]
    bodies.append((data, stamps, b["samples"]))
def shifted(i, hours):
    data, stamps, _ = bodies[i]
    # Each timestamp is replaced once: a shift of whole hours is wider than a body's span.
    for t in stamps:
        data = data.replace(b"[%d," % t, b"[%d," % (t - hours * 3600))
    return data
jobs = [(h, i) for h in range(first, first - count, -1) for i in range(len(bodies))]
def cpu(p):
    s = open("/proc/%d/stat" % p).read()
    f = s[s.rindex(")") + 2:].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
u = urllib.parse.urlsplit(url)
lock = threading.Lock()
state = {"next": 0, "samples": 0, "errors": 0, "first_error": None}
def worker():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    while True:
        with lock:
            j = state["next"]; state["next"] += 1
        if j >= len(jobs):
            break
        h, i = jobs[j]
        conn.request("POST", u.path, body=shifted(i, h), headers={"Content-Type": "application/json", "DD-API-KEY": "bench"})
        r = conn.getresponse(); rb = r.read()
        with lock:
            if 200 <= r.status < 300:
                state["samples"] += bodies[i][2]
            else:
                state["errors"] += 1
                state["first_error"] = state["first_error"] or "%d %s" % (r.status, rb[:300])
    conn.close()
c0, ru0, t0 = cpu(pid), resource.getrusage(resource.RUSAGE_SELF), time.time()
ths = [threading.Thread(target=worker) for _ in range(4)]
for t in ths: t.start()
for t in ths: t.join()
el, srv, ru1 = time.time() - t0, cpu(pid) - c0, resource.getrusage(resource.RUSAGE_SELF)
lo = min(s[-1] for _, s, _ in bodies) - first * 3600
hi = max(s[0] for _, s, _ in bodies) - (first - count + 1) * 3600
print(json.dumps({"hours": count, "first_shift_h": first, "min_ts": lo, "max_ts": hi,
    "samples": state["samples"], "errors": state["errors"], "first_error": state["first_error"],
    "elapsed_s": round(el, 1), "samples_per_s": round(state["samples"] / el),
    "server_cpu_s": round(srv, 1), "server_cpu_s_per_million": round(srv / max(1, state["samples"]) * 1e6, 2),
    "client_cpu_s": round(ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime, 1)}))
sys.exit(1 if state["errors"] else 0)
PY
}

echo "binary: $BASIN_BINARY"
echo "uptime before: $(uptime)"
"$BASIN_BINARY" token create --data "$dir/data" --scopes ingest,query --secret bench --name bench >/dev/null 2>&1

# 1. Blocks: hours HEAD_HOURS+BLOCK_HOURS-1 … HEAD_HOURS before the bodies' hour.
start "$dir/load-blocks.log" BASIN_HEAD_FLUSH_INTERVAL=10s BASIN_COMPACTION_INTERVAL=2s
ready
post $((HEAD_HOURS + BLOCK_HOURS - 1)) "$BLOCK_HOURS" | tee "$dir/load-blocks.json" | sed 's/^/load into blocks: /'
stable=0 last=-1
for _ in $(seq 900); do
  m=$(curl -sf "$URL/metrics" || true)
  head=$(echo "$m" | awk '$1 == "basin_store_head_samples" {printf "%d", $2}')
  blocks=$(echo "$m" | awk '$1 == "basin_store_blocks" {printf "%d", $2}')
  if [ "$head" = 0 ] && [ "$blocks" = "$last" ] && ! ls "$dir/data/metrics/blocks/"*.tmp >/dev/null 2>&1; then
    stable=$((stable + 1))
    [ "$stable" -ge 16 ] && break
  else
    stable=0
  fi
  last=$blocks
  sleep 0.5
done
echo "settled: blocks $(metric basin_store_blocks), samples in blocks $(metric basin_store_block_samples), head $(metric basin_store_head_samples)"
# Write amplification of the backfill: what compaction rewrote, from its log lines.
grep "compacted blocks" "$dir/load-blocks.log" | sed 's/.* samples=\([0-9]*\) .*/\1/' |
  awk -v loaded="$((BLOCK_HOURS * 2400000))" '{s += $1} END {printf "compaction while loading: %d merges rewrote %d samples (%.1f x the %d loaded)\n", NR, s, s / loaded, loaded}'
kill -TERM "$pid"; wait "$pid" || true

# 2. Head: the newest HEAD_HOURS hours, kept in the log and the head.
HEADFLAGS=(BASIN_HEAD_MAX_SAMPLES=1000000000 BASIN_HEAD_FLUSH_INTERVAL=24h)
start "$dir/load-head.log" "${HEADFLAGS[@]}"
ready
post $((HEAD_HOURS - 1)) "$HEAD_HOURS" | tee "$dir/load-head.json" | sed 's/^/load into the head: /'
before_blocks=$(metric basin_store_block_samples)
before_head=$(metric basin_store_head_samples)
echo "before SIGKILL: blocks $(metric basin_store_blocks), samples in blocks $before_blocks, in the head $before_head, log $(metric basin_store_wal_bytes) bytes"

# 3. SIGKILL and start again.
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
sync; sleep 2
echo "bytes on disk (allocated): blocks $(alloc "$dir/data/metrics/blocks"), log $(alloc "$dir/data/metrics/wal"), data directory $(alloc "$dir/data")"
t0=$(date +%s.%N)
start "$dir/restart.log" "${HEADFLAGS[@]}"
ready
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
after_blocks=$(metric basin_store_block_samples)
after_head=$(metric basin_store_head_samples)
echo "ready after SIGKILL: $secs s"
echo "after restart: blocks $(metric basin_store_blocks), samples in blocks $after_blocks, in the head $after_head, block bytes $(metric basin_store_block_bytes)"
echo "start-up log:"
sed 's/^/  /' "$dir/restart.log" | grep -v "^  *$" | head -40
echo "replay rate: $(echo "scale=2; $after_head / $secs / 1000000" | bc) M head samples/s over the whole start-up"

# Sanity: one day of blocks and the head's hours, counted by the server.
end=$(python3 -c "import json; print(json.load(open('$dir/load-head.json'))['max_ts'])")
bend=$(python3 -c "import json; print(json.load(open('$dir/load-blocks.json'))['max_ts'])")
count() { # count TIME RANGE: sum of count_over_time of system.cpu.user (1,000 series)
  curl -sf -G "$URL/prometheus/api/v1/query" -H "Authorization: Bearer bench" \
    --data-urlencode "query=sum(count_over_time({\"system.cpu.user\"}[$2]))" --data-urlencode "time=$1" \
    | python3 -c "import json,sys; r=json.load(sys.stdin)['data']['result']; print(r[0]['value'][1] if r else 'empty')"
}
q0=$(date +%s.%N)
c1=$(count "$bend" 24h)
q1=$(date +%s.%N)
c2=$(count "$end" "${HEAD_HOURS}h")
echo "query: system.cpu.user samples in the 24 h of blocks up to $bend: $c1 (expected 24 x 240 x 1000 = 5760000), $(echo "($q1 - $q0) * 1000 / 1" | bc) ms cold"
echo "query: system.cpu.user samples in the ${HEAD_HOURS} h of the head up to $end: $c2 (expected $((HEAD_HOURS * 240 * 1000)))"
kill -TERM "$pid"; wait "$pid" || true
echo "uptime after: $(uptime)"
