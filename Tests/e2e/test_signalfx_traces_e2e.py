"""SignalFx trace intake and the Zipkin read API against the real binary.

Spans are posted as a Zipkin reporter / the SignalFx Zipkin exporter sends them: a JSON list of
Zipkin v2 (or v1) spans with `X-SF-Token`, gzipped above a size; they are read back as Grafana's
Zipkin data source reads them (`/api/v2/services`, `/spans`, `/traces`, `/trace/{id}` under
`/zipkin`, bearer or basic auth)."""
import gzip
import json
import time

import requests


def now_micros():
    return int(time.time() * 1_000_000)


def post(base, token, spans, path="/v2/trace", compress=False, header="X-SF-Token"):
    body = json.dumps(spans).encode()
    headers = {header: token, "Content-Type": "application/json", "User-Agent": "zipkin-reporter"}
    if compress:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return requests.post(base + path, data=body, headers=headers, timeout=30)


def zipkin(base, token, path, auth="bearer", **params):
    kwargs = {"params": params, "timeout": 30}
    if auth == "bearer":
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
    else:
        kwargs["auth"] = ("grafana", token)
    return requests.get(base + "/zipkin/api/v2" + path, **kwargs)


def v2_trace(trace_id, start):
    return [
        {"traceId": trace_id, "id": "a1b2c3d4e5f60001", "kind": "SERVER", "name": "get /checkout",
         "timestamp": start, "duration": 12_000,
         "localEndpoint": {"serviceName": "checkout", "ipv4": "10.0.0.5", "port": 8080},
         "tags": {"http.method": "GET", "http.status_code": "200"}},
        {"traceId": trace_id, "id": "a1b2c3d4e5f60002", "parentId": "a1b2c3d4e5f60001", "kind": "CLIENT",
         "name": "select", "timestamp": start + 1_000, "duration": 4_000,
         "localEndpoint": {"serviceName": "checkout"}, "remoteEndpoint": {"serviceName": "postgres", "port": 5432},
         "annotations": [{"timestamp": start + 1_500, "value": "query sent"}], "tags": {"db.type": "sql"}},
    ]


def v1_span(trace_id, start):
    client = {"serviceName": "cart", "ipv4": "10.0.0.7", "port": 7000}
    server = {"serviceName": "inventory", "ipv4": "10.0.0.8", "port": 9000}
    return [{
        "traceId": trace_id, "id": "00000000000000c1", "name": "reserve",
        "annotations": [
            {"timestamp": start, "value": "cs", "endpoint": client},
            {"timestamp": start + 200, "value": "sr", "endpoint": server},
            {"timestamp": start + 800, "value": "ss", "endpoint": server},
            {"timestamp": start + 1_000, "value": "cr", "endpoint": client},
        ],
        "binaryAnnotations": [{"key": "items", "value": "3", "endpoint": server}],
    }]


def test_zipkin_v2_spans_round_trip_through_the_read_api(basin):
    ingest = basin.create_token("ingest")
    reader = basin.create_token("query")
    start = now_micros() - 5_000_000
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    r = post(basin.base, ingest, v2_trace(trace_id, start))
    assert (r.status_code, r.text) == (200, '"OK"')
    # A second trace, gzipped, with a 64-bit id, on the signalfxv1 alias.
    r = post(basin.base, ingest, v2_trace("00f067aa0ba902b7", start + 1_000_000), path="/v2/trace/signalfxv1", compress=True)
    assert (r.status_code, r.text) == (200, '"OK"')

    r = zipkin(basin.base, reader, f"/trace/{trace_id}")
    assert r.status_code == 200, r.text
    spans = r.json()
    assert [s["id"] for s in spans] == ["a1b2c3d4e5f60001", "a1b2c3d4e5f60002"]
    assert spans[0] == v2_trace(trace_id, start)[0]
    assert spans[1]["remoteEndpoint"] == {"serviceName": "postgres", "port": 5432}
    assert spans[1]["annotations"] == [{"timestamp": start + 1_500, "value": "query sent"}]

    # What Grafana's Zipkin data source calls, with basic auth as it can be configured.
    assert zipkin(basin.base, reader, "/services", auth="basic").json() == ["checkout"]
    assert zipkin(basin.base, reader, "/spans", serviceName="checkout").json() == ["get /checkout", "select"]
    assert zipkin(basin.base, reader, "/remoteServices", serviceName="checkout").json() == ["postgres"]
    traces = zipkin(basin.base, reader, "/traces", serviceName="checkout", spanName="get /checkout").json()
    assert [t[0]["traceId"] for t in traces] == ["00f067aa0ba902b7", trace_id]
    assert all(len(t) == 2 for t in traces)
    assert len(zipkin(basin.base, reader, "/traces", serviceName="checkout", limit=1).json()) == 1
    assert zipkin(basin.base, reader, "/traces", annotationQuery="db.type=nosql").json() == []
    assert zipkin(basin.base, reader, "/traces", minDuration=20_000).json() == []
    assert zipkin(basin.base, reader, "/trace/00f067aa0ba902b7").json()[0]["traceId"] == "00f067aa0ba902b7"
    assert zipkin(basin.base, reader, "/trace/1234").status_code == 404

    # Credentials: no token is 401 on both sides; an ingest token cannot read.
    assert post(basin.base, "wrong", v2_trace(trace_id, start)).status_code == 401
    assert zipkin(basin.base, ingest, "/services").status_code == 401
    assert requests.get(basin.base + "/zipkin/api/v2/services", timeout=30).status_code == 401


def test_zipkin_v1_spans_are_converted_and_bad_bodies_refused(basin):
    token = basin.create_token("ingest,query")
    start = now_micros() - 2_000_000
    r = post(basin.base, token, v1_span("5af7183fb1d4cf5f", start), path="/api/v1/spans", header="X-SF-TOKEN")
    assert (r.status_code, r.text) == (200, '"OK"')
    spans = zipkin(basin.base, token, "/trace/5af7183fb1d4cf5f").json()
    assert [(s["kind"], s["localEndpoint"]["serviceName"]) for s in spans] == [("CLIENT", "cart"), ("SERVER", "inventory")]
    assert spans[0]["duration"] == 1_000 and spans[1]["duration"] == 600
    assert spans[1]["shared"] is True and spans[1]["tags"] == {"items": "3"}
    assert sorted(zipkin(basin.base, token, "/services").json()) == ["cart", "inventory"]

    assert post(basin.base, token, []).status_code == 200
    r = requests.post(basin.base + "/v2/trace", data="{}", headers={"X-SF-Token": token, "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and "zipkin.io" in r.json()
    bad = v2_trace("1", start)
    bad[0]["binaryAnnotations"] = [{"key": "k", "value": "v"}]
    r = post(basin.base, token, bad)
    assert r.status_code == 200
    assert r.json() == {"valid": 1, "invalid": {"zipkinV2BinaryAnnotations": ["a1b2c3d4e5f60001"]}}
