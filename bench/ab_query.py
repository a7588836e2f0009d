#!/usr/bin/env python3
"""ab_query.py N QUERY URL AUTH [URL AUTH ...]

Alternates one range query (the last hour of the bench data at a 60 s step, as
storage_vs_vm.sh times it) between servers already running on the same data, N rounds after
3 warm-ups, and prints each server's median, 25th percentile and minimum in ms. Alternating
query by query puts every server under the same drift of this shared VM, so two builds (or a
build and a peer) can be told apart by a few percent where back-to-back runs cannot.

URL is the Prometheus API root (Basin: http://HOST:PORT/prometheus; VictoriaMetrics:
http://HOST:8428); AUTH is the Authorization header value, or "" for none. The data's end time
is read from $DATA/manifest.json (default /tmp/peers/payloads), else the current minute.
"""
import http.client, json, os, statistics, sys, time, urllib.parse

n, query = int(sys.argv[1]), sys.argv[2]
targets = list(zip(sys.argv[3::2], sys.argv[4::2]))
try:
    end = json.load(open(os.path.join(os.environ.get("DATA", "/tmp/peers/payloads"), "manifest.json")))["metric_hints"]["end"] // 60 * 60
except Exception:
    end = int(time.time()) // 60 * 60
params = urllib.parse.urlencode({"query": query, "start": end - 3600, "end": end, "step": 60, "nocache": 1})
conns = []
for base, auth in targets:
    u = urllib.parse.urlsplit(base)
    conns.append((http.client.HTTPConnection(u.hostname, u.port), u.path, {"Authorization": auth} if auth else {}))
times = [[] for _ in targets]
for i in range(n + 3):
    for k, (conn, path, headers) in enumerate(conns):
        t0 = time.perf_counter()
        conn.request("GET", path + "/api/v1/query_range?" + params, headers=headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit(f"{targets[k][0]}: {r.status} {body[:200]!r}")
        if i >= 3:
            times[k].append((time.perf_counter() - t0) * 1000)
for (base, _), t in zip(targets, times):
    t.sort()
    print(f"{base:40s} median {statistics.median(t):7.2f}  p25 {t[len(t) // 4]:7.2f}  min {t[0]:7.2f}")
