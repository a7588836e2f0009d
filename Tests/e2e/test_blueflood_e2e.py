"""Rackspace Metrics / Blueflood against the real binary, spoken as its real clients speak it:
curl-style ingest scripts and the statsd backend (/ingest, /ingest/aggregated), the Grafana
Blueflood data source (views with resolution, annotations), and blueflood-graphite-finder
(metric_name/search with include_enum_values, batched POST /views). There is no Python client
library for Blueflood, so these requests are written out as those clients send them."""
import gzip
import json
import time

import requests

TENANT = "836986"


def now_millis():
    return int(time.time() * 1000)


def ingest(base, token, path, body, tenant=TENANT, **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    h = {"X-Auth-Token": token, "Content-Type": "application/json", **headers}
    return requests.post(f"{base}/v2.0/{tenant}/{path}", data=data, headers=h, timeout=30)


def view(base, token, name, start, end, tenant=TENANT, **params):
    r = requests.get(f"{base}/v2.0/{tenant}/views/{name}", params={"from": start, "to": end, **params},
                     headers={"X-Auth-Token": token, "Accept": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_ingest_views_rollups_and_restart(basin):
    token = basin.create_token("ingest,query", org=TENANT)
    now = now_millis()
    start = (now - 3_600_000) // 300_000 * 300_000
    # One sample a minute for the last hour, integer values 0..59, in two requests, one gzipped.
    samples = [{"collectionTime": start + i * 60_000, "ttlInSeconds": 172800, "metricValue": i,
                "metricName": "example.metric.one", "unit": "ms"} for i in range(60)]
    r = ingest(basin.base, token, "ingest", samples[:30])
    assert (r.status_code, r.text) == (200, "")
    r = ingest(basin.base, token, "ingest", gzip.compress(json.dumps(samples[30:]).encode()),
               **{"Content-Encoding": "gzip"})
    assert (r.status_code, r.text) == (200, "")

    full = view(basin.base, token, "example.metric.one", start, now, resolution="FULL")
    assert full["unit"] == "ms"
    assert [v["average"] for v in full["values"]] == list(range(60))
    assert all(v["numPoints"] == 1 for v in full["values"])
    assert full["metadata"] == {"limit": None, "next_href": None, "count": 60, "marker": None}

    min5 = view(basin.base, token, "example.metric.one", start, start + 3_600_000 - 1, resolution="MIN5")
    assert [v["numPoints"] for v in min5["values"]] == [5] * 12
    # Integer samples average in integer arithmetic: (0+1+2+3+4)/5 = 2, (5..9)/5 = 7.
    assert [v["average"] for v in min5["values"]][:2] == [2, 7]
    assert min5["values"][0]["sum"] == 10
    assert min5["values"][0]["timestamp"] == start

    stats = view(basin.base, token, "example.metric.one", start, start + 3_600_000 - 1, resolution="MIN60",
                 select="min,max,variance,numPoints")
    # Hour buckets are aligned to the epoch: group the samples the same way and compare.
    buckets = {}
    for i in range(60):
        buckets.setdefault((start + i * 60_000) // 3_600_000 * 3_600_000, []).append(i)
    assert [v["timestamp"] for v in stats["values"]] == sorted(buckets)
    for v in stats["values"]:
        xs = buckets[v["timestamp"]]
        mean = sum(xs) / len(xs)
        assert (v["min"], v["max"], v["numPoints"]) == (min(xs), max(xs), len(xs))
        assert abs(v["variance"] - sum((x - mean) ** 2 for x in xs) / len(xs)) < 1e-6

    # points= picks the resolution: 1 h at 300 points is FULL.
    by_points = view(basin.base, token, "example.metric.one", start, start + 3_600_000, points=300)
    assert len(by_points["values"]) == 60

    # The same samples through the Prometheus API.
    r = requests.get(basin.base + "/prometheus/api/v1/query",
                     params={"query": 'count_over_time({__name__="example.metric.one"}[2h])', "time": now / 1000},
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert float(r.json()["data"]["result"][0]["value"][1]) == 60

    # Acknowledged means durable: a restart keeps every sample and the unit.
    basin.stop()
    basin.start()
    again = view(basin.base, token, "example.metric.one", start, now, resolution="FULL")
    assert [v["average"] for v in again["values"]] == list(range(60))
    assert again["unit"] == "ms"


def test_partial_batches_and_refusals(basin):
    token = basin.create_token("ingest,query", org=TENANT)
    other = basin.create_token("ingest,query", org="999")
    now = now_millis()
    body = [{"collectionTime": now, "ttlInSeconds": 3600, "metricValue": v, "metricName": f"mixed.{i}"}
            for i, v in enumerate(["random_string", "666", True, 123, 4525])]
    r = ingest(basin.base, token, "ingest", body)
    assert r.status_code == 207, r.text
    errors = r.json()["errors"]
    assert [e["metricName"] for e in errors] == ["mixed.0", "mixed.1", "mixed.2"]
    assert {e["message"] for e in errors} == {"metric value must be numeric"}
    assert {e["source"] for e in errors} == {"metricValue"}
    assert view(basin.base, token, "mixed.4", now - 1000, now + 1000, resolution="FULL")["values"][0]["average"] == 4525

    # A token of another tenant: 401, nothing stored.
    r = ingest(basin.base, other, "ingest", [{"collectionTime": now, "ttlInSeconds": 3600, "metricValue": 1,
                                             "metricName": "stolen"}])
    assert r.status_code == 401
    assert view(basin.base, token, "stolen", now - 1000, now + 1000, resolution="FULL")["values"] == []
    # curl -d sends form encoding: 415.
    r = requests.post(f"{basin.base}/v2.0/{TENANT}/ingest", data="[]", timeout=30,
                      headers={"X-Auth-Token": token, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    # Wrong method on a read route: 405 with Allow.
    r = requests.post(f"{basin.base}/v2.0/{TENANT}/views/x?from=1&to=2&resolution=full",
                      headers={"X-Auth-Token": token}, timeout=30)
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(",")) == {"GET", "OPTIONS"}
    # Over 1 MiB after decompression: 413 even though the compressed body is small.
    big = gzip.compress(b"[" + b" " * (1 << 20) + b"]")
    r = ingest(basin.base, token, "ingest", big, **{"Content-Encoding": "gzip"})
    assert r.status_code == 413


def test_statsd_bundle_batch_views_and_graphite_finder_browsing(basin):
    token = basin.create_token("ingest,query", org="333333")
    now = now_millis()
    bundle = {"tenantId": "333333", "timestamp": now, "flushInterval": 15000,
              "gauges": [{"name": "3333333.G1s", "value": 397}, {"name": "3333333.G10s", "value": 56}],
              "counters": [{"name": "internal.packets_received", "value": 317, "rate": 21.133333333333333}],
              "timers": [{"name": "3333333.T200ms", "count": 74, "rate": 4.93, "min": 1, "max": 491, "sum": 18082,
                          "avg": 244.35, "median": 244, "std": 142.1,
                          "percentiles": {"50": {"avg": 121.7, "max": 241, "sum": 4504}},
                          "histogram": {"bin_50": 8, "bin_inf": 0}}],
              "sets": [{"name": "3333333.S500ms", "values": ["cow", "dog", "cat"]}]}
    r = ingest(basin.base, token, "ingest/aggregated", bundle, tenant="whatever")
    assert (r.status_code, r.text) == (200, "")

    gauge = view(basin.base, token, "3333333.G1s", now - 60_000, now + 60_000, tenant="333333", resolution="FULL")
    assert gauge["values"][0]["latest"] == 397 and gauge["values"][0]["numPoints"] == 1
    counter = view(basin.base, token, "internal.packets_received", now - 60_000, now + 60_000, tenant="333333",
                   resolution="FULL")["values"][0]
    assert counter["sum"] == 317 and counter["numPoints"] == 317  # floor(21.13 × 15 s)
    timer = view(basin.base, token, "3333333.T200ms", now - 60_000, now + 60_000, tenant="333333",
                 resolution="FULL", select="average,numPoints,percentiles,max")["values"][0]
    assert timer["numPoints"] == 74 and timer["max"] == 491 and abs(timer["pct_50"] - 121.7) < 1e-9
    sets = view(basin.base, token, "3333333.S500ms", now - 600_000, now + 600_000, tenant="333333",
                resolution="MIN5")["values"]
    assert sum(v["numPoints"] for v in sets) >= 3

    # The graphite finder: batched POST /views with resolution, names single-quoted as Gson allows.
    r = requests.post(f"{basin.base}/v2.0/333333/views",
                      params={"from": now - 60_000, "to": now + 60_000, "resolution": "FULL"},
                      data="['3333333.G1s','3333333.G10s']",
                      headers={"X-Auth-Token": token, "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    metrics = {m["metric"]: m for m in r.json()["metrics"]}
    assert metrics["3333333.G1s"]["data"][0]["latest"] == 397
    assert metrics["3333333.G10s"]["data"][0]["latest"] == 56
    assert {m["type"] for m in metrics.values()} == {"number"}

    r = requests.get(f"{basin.base}/v2.0/333333/metric_name/search",
                     params={"query": "*", "include_enum_values": "true"}, headers={"X-Auth-Token": token}, timeout=30)
    assert r.status_code == 200, r.text
    assert {"3333333": False} in r.json() and {"internal": False} in r.json()
    r = requests.get(f"{basin.base}/v2.0/333333/metric_name/search", params={"query": "3333333.*"},
                     headers={"X-Auth-Token": token}, timeout=30)
    leaves = {k for e in r.json() for k, v in e.items() if v}
    assert leaves == {"3333333.G1s", "3333333.G10s", "3333333.T200ms", "3333333.S500ms"}
    r = requests.get(f"{basin.base}/v2.0/333333/metrics/search", params={"query": "3333333.G*"},
                     headers={"X-Auth-Token": token}, timeout=30)
    assert sorted(m["metric"] for m in r.json()) == ["3333333.G10s", "3333333.G1s"]


def test_annotations_round_trip_through_grafana_query(basin):
    token = basin.create_token("ingest,query", org=TENANT)
    now = now_millis()
    event = {"what": "deployment 0", "when": now, "data": "deploying prod 0", "tags": "deployment 0"}
    r = ingest(basin.base, token, "events", event)
    assert (r.status_code, r.text) == (200, "")
    r = requests.get(f"{basin.base}/v2.0/{TENANT}/events/getEvents",
                     params={"from": now - 259_200_000, "until": now + 86_400_000},
                     headers={"X-Auth-Token": token}, timeout=30)
    assert r.status_code == 200, r.text
    assert [e["what"] for e in r.json()] == ["deployment 0"]
    assert r.json()[0]["when"] == now and r.json()[0]["tenantId"] == TENANT
    r = requests.get(f"{basin.base}/v2.0/{TENANT}/events/getEvents", params={"from": now - 1000, "tags": "sample*"},
                     headers={"X-Auth-Token": token}, timeout=30)
    assert r.json() == []
    r = requests.get(f"{basin.base}/v2.0/{TENANT}/events/getEvents", headers={"X-Auth-Token": token}, timeout=30)
    assert r.status_code == 400
    assert "Query should contain at least one query parameter" in r.json()["errors"][0]["message"]
