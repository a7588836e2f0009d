"""signalfx-python, unmodified, pointed at the real binary: protobuf (SignalFx().ingest, the
default) and JSON (JsonSignalFxIngestClient) clients, gzip on and off, sending gauges, counters,
cumulative counters and an event to /v2/datapoint and /v2/event; read back through
/prometheus/api/v1/query (values, rate() over the cumulative counter) and APL over `_events`."""
import time
import warnings

import pytest
import requests

# The client's generated protobuf module uses deprecated descriptor calls; not ours to fix.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import signalfx
    from signalfx.ingest import JsonSignalFxIngestClient, ProtoBufSignalFxIngestClient


def query(server, token, promql, at_millis):
    r = requests.get(server.base + "/prometheus/api/v1/query", params={"query": promql, "time": at_millis / 1000},
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "success", body
    return {tuple(sorted(s["metric"].items())): float(s["value"][1]) for s in body["data"]["result"]}


def events(server, token, title):
    apl = f"['_events'] | where title == '{title}' | summarize n = count() by title, category, host, dialect"
    r = requests.post(server.base + "/v1/datasets/_apl?format=tabular", timeout=30,
                      headers={"Authorization": f"Bearer {token}"},
                      json={"apl": apl, "startTime": "1970-01-01T00:00:00Z", "endTime": "2100-01-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    table = r.json()["tables"][0]
    names = [f["name"] for f in table["fields"]]
    return [dict(zip(names, row)) for row in zip(*table["columns"])]


def make_client(basin, token, mode, compress):
    if mode == "protobuf":
        client = signalfx.SignalFx(ingest_endpoint=basin.base, compress=compress).ingest(token)
        assert isinstance(client, ProtoBufSignalFxIngestClient)
    else:
        client = JsonSignalFxIngestClient(token, endpoint=basin.base, compress=compress)
    return client


@pytest.mark.parametrize("mode", ["protobuf", "json"])
@pytest.mark.parametrize("compress", [True, False])
def test_datapoints_and_events_round_trip(basin, mode, compress):
    token = basin.create_token("ingest")
    reader = basin.admin_token()
    tag = f"{mode}_{'gz' if compress else 'plain'}"
    now = int(time.time() * 1000) // 1000 * 1000 - 5000
    client = make_client(basin, token, mode, compress)
    try:
        client.send(
            gauges=[{"metric": f"e2e.sfx.cpu.{tag}", "value": 0.61, "timestamp": now,
                     "dimensions": {"host": "web-1", "k8s.pod.name": "pod-a"}},
                    {"metric": f"e2e.sfx.mem.{tag}", "value": 123456789, "timestamp": now}],
            counters=[{"metric": f"e2e.sfx.requests.{tag}", "value": 17, "timestamp": now,
                       "dimensions": {"status": "200"}}],
            cumulative_counters=[{"metric": f"e2e.sfx.bytes.{tag}", "value": 10000 + 300 * i,
                                  "timestamp": now - 60000 + 30000 * i, "dimensions": {"host": "web-1"}}
                                 for i in range(3)])
        client.send_event(event_type=f"e2e.deploy.{tag}", category="USER_DEFINED",
                          dimensions={"host": "web-1", "service": "api"},
                          properties={"version": "1.2", "build": 42, "green": True}, timestamp=now)
    finally:
        client.stop()

    deadline = time.time() + 15
    while time.time() < deadline and not query(basin, reader, '{"e2e.sfx.cpu.%s"}' % tag, now):
        time.sleep(0.2)
    cpu = query(basin, reader, '{"e2e.sfx.cpu.%s"}' % tag, now)
    assert list(cpu.values()) == [0.61]
    labels = dict(next(iter(cpu)))
    assert labels["host"] == "web-1" and labels["k8s.pod.name"] == "pod-a"
    assert list(query(basin, reader, '{"e2e.sfx.mem.%s"}' % tag, now).values()) == [123456789.0]
    assert list(query(basin, reader, '{"e2e.sfx.requests.%s", status="200"}' % tag, now).values()) == [17.0]
    assert list(query(basin, reader, '{"e2e.sfx.bytes.%s"}' % tag, now).values()) == [10600.0]
    # 300 every 30 s: 10 per second (samples at -60 s, -30 s, 0 s inside a 90 s window).
    rate = query(basin, reader, 'rate({"e2e.sfx.bytes.%s"}[90s])' % tag, now)
    assert len(rate) == 1 and abs(list(rate.values())[0] - 10.0) < 0.01, rate

    found = events(basin, reader, f"e2e.deploy.{tag}")
    assert len(found) == 1, found
    assert found[0]["category"] == "USER_DEFINED" and found[0]["host"] == "web-1" and found[0]["dialect"] == "signalfx"
    assert found[0]["n"] == 1


def test_bad_token_and_bad_body_are_refused(basin):
    token = basin.create_token("ingest")
    r = requests.post(basin.base + "/v2/datapoint", data='{"gauge":[{"metric":"x","value":1}]}',
                      headers={"X-SF-Token": "nope", "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 401
    r = requests.post(basin.base + "/v2/datapoint", data="INVALID_JSON",
                      headers={"X-SF-TOKEN": token, "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400
    r = requests.post(basin.base + "/v2/datapoint", data='{"gauge":[{"metric":"x"}],"UNKNOWN":[]}',
                      headers={"x-sf-token": token, "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 200 and r.content == b'"OK"'
