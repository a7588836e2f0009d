"""datadogpy's real `DogStatsd` client, unmodified, against the real binary's DogStatsD listener
(`BASIN_DOGSTATSD_LISTEN`, 1 s flushes): counts, gauges, histograms, timers, distributions, sets,
events and service checks, read back through the Prometheus API and APL."""
import socket
import time

import pytest
import requests
from datadog.dogstatsd import DogStatsd

from conftest import BasinProcess


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dsd(data_dir):
    port = free_udp_port()
    server = BasinProcess(data_dir).start(env={
        "BASIN_DOGSTATSD_LISTEN": f"127.0.0.1:{port}",
        "BASIN_DOGSTATSD_FLUSH_INTERVAL": "1s",
    })
    server.udp_port = port
    yield server
    server.stop()


def query(server, token, promql):
    r = requests.get(server.base + "/prometheus/api/v1/query", params={"query": promql},
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["data"]["result"]


def wait_value(server, token, promql, timeout=15):
    """The single value of an instant query, once the flush has written it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = query(server, token, promql)
        if result:
            return float(result[0]["value"][1])
        time.sleep(0.2)
    raise AssertionError(f"no result for {promql}: {server.log()}")


def apl(server, token, q, timeout=15):
    deadline = time.time() + timeout
    while True:
        r = requests.post(server.base + "/v1/datasets/_apl?format=tabular", timeout=30,
                          headers={"Authorization": f"Bearer {token}"},
                          json={"apl": q, "startTime": "1970-01-01T00:00:00Z", "endTime": "2100-01-01T00:00:00Z"})
        assert r.status_code == 200, r.text
        table = r.json()["tables"][0]
        names = [f["name"] for f in table["fields"]]
        rows = [dict(zip(names, row)) for row in zip(*table["columns"])]
        rows = [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
        if rows or time.time() > deadline:
            return rows
        time.sleep(0.2)


def test_datadogpy_dogstatsd_metrics_are_aggregated_like_the_agent(dsd):
    token = dsd.admin_token()
    statsd = DogStatsd(host="127.0.0.1", port=dsd.udp_port, constant_tags=["svc:web"], disable_telemetry=True)
    # One buffered packet, so every sample lands in the same 1 s bucket.
    with statsd:
        statsd.increment("e2e.dsd.hits", 3)
        statsd.increment("e2e.dsd.hits", 2)
        statsd.gauge("e2e.dsd.temp", 20)
        statsd.gauge("e2e.dsd.temp", 21.5)
        for v in (10, 20, 30):
            statsd.histogram("e2e.dsd.size", v)
        statsd.timing("e2e.dsd.latency", 100)
        statsd.timing("e2e.dsd.latency", 300)
        for v in (1, 2, 3, 4):
            statsd.distribution("e2e.dsd.dist", v)
        for member in ("a", "b", "a"):
            statsd.set("e2e.dsd.users", member)

    # Counts are rates over the (1 s) interval: the window's sum of rates is the count.
    assert wait_value(dsd, token, 'sum_over_time({__name__="e2e.dsd.hits",svc="web"}[10m])') == 5
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.temp",svc="web"}[10m])') == 21.5
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.size.avg"}[10m])') == 20
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.size.max"}[10m])') == 30
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.size.median"}[10m])') == 20
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.size.95percentile"}[10m])') == 30
    assert wait_value(dsd, token, 'sum_over_time({__name__="e2e.dsd.size.count"}[10m])') == 3
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.latency.avg"}[10m])') == 200
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.users"}[10m])') == 2
    assert wait_value(dsd, token, 'sum_over_time({__name__="e2e.dsd.dist",dd_dist="count"}[10m])') == 4
    assert wait_value(dsd, token, 'sum_over_time({__name__="e2e.dsd.dist",dd_dist="sum"}[10m])') == 10
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.dist",dd_dist="max"}[10m])') == 4


def test_datadogpy_gauge_with_timestamp_bypasses_aggregation(dsd):
    token = dsd.admin_token()
    statsd = DogStatsd(host="127.0.0.1", port=dsd.udp_port, disable_telemetry=True)
    ts = int(time.time()) - 120
    statsd.gauge_with_timestamp("e2e.dsd.backfill", 7, ts)
    r = None
    deadline = time.time() + 15
    while time.time() < deadline:
        r = requests.get(dsd.base + "/prometheus/api/v1/query_range", timeout=30,
                         params={"query": '{__name__="e2e.dsd.backfill"}', "start": ts - 1, "end": ts + 1, "step": 1},
                         headers={"Authorization": f"Bearer {token}"}).json()["data"]["result"]
        if r:
            break
        time.sleep(0.2)
    assert r and [float(v) for _, v in r[0]["values"]][0] == 7
    assert int(float(r[0]["values"][0][0])) == ts


def test_datadogpy_dogstatsd_events_and_service_checks_are_stored(dsd):
    token = dsd.admin_token()
    statsd = DogStatsd(host="127.0.0.1", port=dsd.udp_port, disable_telemetry=True)
    statsd.event("e2e dsd event é", "line1\nline2", alert_type="error", priority="low", aggregation_key="k",
                 source_type_name="src", hostname="h1", tags=["e:1"])
    statsd.service_check("e2e.dsd.ok", 2, message="down m:1", hostname="web-1", tags=["env:prod"])
    rows = apl(dsd, token, "['_events'] | where title == 'e2e dsd event é' | project title, text, alert_type, priority, host, source, aggregation_key, dialect")
    assert rows == [{"title": "e2e dsd event é", "text": "line1\nline2", "alert_type": "error", "priority": "low",
                     "host": "h1", "source": "src", "aggregation_key": "k", "dialect": "datadog"}]
    rows = apl(dsd, token, "['_service_checks'] | where check == 'e2e.dsd.ok' | project check, status, host, message, dialect")
    assert rows == [{"check": "e2e.dsd.ok", "status": 2, "host": "web-1", "message": "down m:1", "dialect": "datadog"}]


def test_malformed_lines_are_dropped_and_counted(dsd):
    token = dsd.admin_token()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"bad line\ndaemon:abc|g\ne2e.dsd.ok_after_bad:1|g\n", ("127.0.0.1", dsd.udp_port))
    assert wait_value(dsd, token, 'last_over_time({__name__="e2e.dsd.ok_after_bad"}[10m])') == 1
    text = requests.get(dsd.base + "/metrics").text
    rejected = [l for l in text.splitlines()
                if l.startswith("basin_samples_rejected_total") and 'endpoint="dogstatsd"' in l]
    assert rejected and float(rejected[0].split()[-1]) >= 2


def test_open_buckets_are_flushed_on_sigterm(data_dir):
    port = free_udp_port()
    env = {"BASIN_DOGSTATSD_LISTEN": f"127.0.0.1:{port}", "BASIN_DOGSTATSD_FLUSH_INTERVAL": "1h"}
    server = BasinProcess(data_dir).start(env=env)
    try:
        DogStatsd(host="127.0.0.1", port=port, disable_telemetry=True).gauge("e2e.dsd.at_shutdown", 42)
        time.sleep(0.5)
        server.stop()
        assert server.proc.returncode == 0, server.log()
        server.start(env=env)
        token = server.admin_token()
        assert wait_value(server, token, 'last_over_time({__name__="e2e.dsd.at_shutdown"}[2h])') == 42
    finally:
        server.stop()
