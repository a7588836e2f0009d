"""dynatrace-metric-utils, unmodified, serialising lines as a Dynatrace exporter does; POSTed to
the real binary's /api/v2/metrics/ingest and read back through /prometheus/api/v1/query and
Dynatrace's own /api/v2/metrics/query."""
import time

import requests
from dynatrace.metric.utils import (DynatraceMetricsApiConstants, DynatraceMetricsFactory,
                                    DynatraceMetricsSerializer)


def export(base, token, metrics, serializer, path="/api/v2/metrics/ingest"):
    """What the Dynatrace exporters do: serialise, chunk at the client's line limit, POST text/plain."""
    lines = [serializer.serialize(m) for m in metrics]
    limit = DynatraceMetricsApiConstants.payload_lines_limit()
    responses = []
    for i in range(0, len(lines), limit):
        responses.append(requests.post(
            base + path, data="\n".join(lines[i:i + limit]),
            headers={"Authorization": f"Api-Token {token}", "Content-Type": "text/plain; charset=utf-8",
                     "Accept": "*/*; q=0"}, timeout=30))
    return lines, responses


def query(server, token, promql, at_millis):
    r = requests.get(server.base + "/prometheus/api/v1/query", params={"query": promql, "time": at_millis / 1000},
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "success", body
    return {tuple(sorted(s["metric"].items())): float(s["value"][1]) for s in body["data"]["result"]}


def values(server, token, promql, at_millis):
    return sorted(query(server, token, promql, at_millis).values())


def now_millis():
    return int(time.time() * 1000) // 1000 * 1000 - 2000


def test_gauge_count_and_summary_round_trip_through_promql(basin):
    ingest = basin.create_token("ingest")
    reader = basin.admin_token()
    ts = now_millis()
    factory = DynatraceMetricsFactory()
    serializer = DynatraceMetricsSerializer(metrics_source="basin-e2e", enrich_with_dynatrace_metadata=False,
                                            default_dimensions={"env": "e2e"})
    metrics = [
        factory.create_float_gauge("e2e.cpu.temperature", 55.5, {"host": "web-1", "cpu": "1"}, ts),
        factory.create_int_gauge("e2e.cpu.temperature", 45, {"host": "web-1", "cpu": "2"}, ts),
        factory.create_int_counter_delta("e2e.requests", 50, {"region": "EAST"}, ts),
        factory.create_float_counter_delta("e2e.bytes.count", 1.5, {"region": "WEST"}, ts),
        factory.create_float_summary("e2e.latency", 1.0, 9.0, 20.0, 4, {"route": "/a b\"c"}, ts),
        factory.create_int_summary("e2e.size", 0, 3, 4, 2, None, ts),
    ]
    lines, responses = export(basin.base, ingest, metrics, serializer)
    assert "route=/a\\ b\\\"c" in lines[4]  # the client escapes, unquoted
    assert len(responses) == 1
    response = responses[0]
    assert response.status_code == 202, response.text
    body = response.json()
    assert list(body) == ["linesOk", "linesInvalid", "error", "warnings"]
    assert body["linesOk"] == 6 and body["linesInvalid"] == 0 and body["error"] is None
    assert body["warnings"]["warningLines"] == [
        {"line": 3, "warning": "metric key 'e2e.requests' changed to 'e2e.requests.count'"}]

    cpu = query(basin, reader, '{"e2e.cpu.temperature", host="web-1"}', ts)
    assert sorted(cpu.values()) == [45.0, 55.5]
    labels = dict(next(iter(cpu)))
    assert labels["dt.metrics.source"] == "basin-e2e" and labels["env"] == "e2e"
    assert values(basin, reader, '{"e2e.requests.count", region="EAST"}', ts) == [50.0]
    assert values(basin, reader, '{"e2e.bytes.count"}', ts) == [1.5]
    route = 'route="/a b\\"c"'
    for name, expected in [("e2e.latency", 5.0), ("e2e.latency:min", 1.0), ("e2e.latency:max", 9.0),
                           ("e2e.latency:sum", 20.0), ("e2e.latency:count", 4.0)]:
        assert values(basin, reader, '{"%s", %s}' % (name, route), ts) == [expected], name
    assert values(basin, reader, '{"e2e.size"}', ts) == [2.0]
    assert values(basin, reader, 'sum({"e2e.size:sum"}) / sum({"e2e.size:count"})', ts) == [2.0]


def test_lines_without_timestamp_use_the_server_clock(basin):
    ingest = basin.create_token("ingest")
    serializer = DynatraceMetricsSerializer(enrich_with_dynatrace_metadata=False)
    before = int(time.time() * 1000)
    _, responses = export(basin.base, ingest, [DynatraceMetricsFactory().create_int_gauge("e2e.nots", 7)], serializer)
    assert responses[0].status_code == 202
    assert values(basin, basin.admin_token(), '{"e2e.nots"}', before + 2000) == [7.0]


def test_more_than_a_thousand_lines_are_chunked_by_the_client_and_all_stored(basin):
    ingest = basin.create_token("ingest")
    ts = now_millis()
    factory = DynatraceMetricsFactory()
    serializer = DynatraceMetricsSerializer(enrich_with_dynatrace_metadata=False)
    metrics = [factory.create_int_gauge("e2e.many", i, {"i": str(i)}, ts) for i in range(1500)]
    _, responses = export(basin.base, ingest, metrics, serializer)
    assert [r.status_code for r in responses] == [202, 202]
    assert [r.json()["linesOk"] for r in responses] == [1000, 500]
    assert values(basin, basin.admin_token(), 'count({"e2e.many"})', ts) == [1500.0]
    assert values(basin, basin.admin_token(), 'sum({"e2e.many"})', ts) == [float(sum(range(1500)))]


def test_invalid_lines_get_400_and_the_valid_ones_are_stored(basin):
    ingest = basin.create_token("ingest")
    ts = now_millis()
    body = "\n".join([
        f"e2e.partial,k=a gauge,1 {ts}",
        f"e2e.partial,K=b gauge,2 {ts}",
        f"x.y gauge,min=0,max=1642,sum=0,count=0 {ts}",
        f"e2e.partial,k=c gauge,3 {ts}",
    ])
    r = requests.post(basin.base + "/api/v2/metrics/ingest", data=body, headers={"Authorization": f"api-token {ingest}"})
    assert r.status_code == 400
    assert r.json() == {
        "linesOk": 2, "linesInvalid": 2,
        "error": {"code": 400, "message": "2 invalid lines", "invalidLines": [
            {"line": 2, "error": "invalid dimension key in message 'e2e.partial,K'; error at 'K'  (index 12)"},
            {"line": 3, "error": "inconsistent gauge fields: count == 0 => min, max, sum == 0: "
                                 "min: 0.000000, max: 1642.000000, sum: 0.000000, count: 0"}]},
        "warnings": None}
    assert values(basin, basin.admin_token(), '{"e2e.partial"}', ts) == [1.0, 3.0]


def test_empty_probe_query_parameter_and_wrong_token(basin):
    ingest = basin.create_token("ingest")
    r = requests.post(basin.base + "/api/v2/metrics/ingest", data="", headers={"Authorization": f"Api-Token {ingest}"})
    assert r.status_code == 400
    assert r.text == '{"linesOk":0,"linesInvalid":0,"error":{"code":400,"message":"empty request","invalidLines":[]}}'
    r = requests.post(basin.base + f"/e/abc12345/api/v2/metrics/ingest?api-token={ingest}", data="e2e.qp 1")
    assert r.status_code == 202, r.text
    r = requests.post(basin.base + "/api/v2/metrics/ingest", data="e2e.denied 1",
                      headers={"Authorization": "Api-Token dt0c01.WRONG.TOKEN"})
    assert r.status_code == 401
    assert r.json() == {"error": {"code": 401, "message": "Token Authentication failed"}}
    r = requests.post(basin.base + "/api/v2/metrics/ingest", data="e2e.denied 1",
                      headers={"Authorization": f"Api-Token {basin.create_token('query')}"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == 403


def test_gzip_body_and_self_metrics(basin):
    import gzip
    ingest = basin.create_token("ingest")
    ts = now_millis()
    serializer = DynatraceMetricsSerializer(enrich_with_dynatrace_metadata=False)
    line = serializer.serialize(DynatraceMetricsFactory().create_float_gauge("e2e.gzip", 2.5, None, ts))
    r = requests.post(basin.base + "/api/v2/metrics/ingest", data=gzip.compress(line.encode()),
                      headers={"Authorization": f"Api-Token {ingest}", "Content-Encoding": "gzip"})
    assert r.status_code == 202, r.text
    assert values(basin, basin.admin_token(), '{"e2e.gzip"}', ts) == [2.5]
    exposition = requests.get(basin.base + "/metrics", timeout=30).text
    assert any(l.startswith("basin_http_requests_total") and 'dialect="dynatrace"' in l and 'status="202"' in l
               for l in exposition.splitlines()), exposition[:2000]


def dt_query(server, token, selector, **params):
    """GET /api/v2/metrics/query as a script or dashboard does; `{dimensionMap-items: values}` of the first result."""
    r = requests.get(server.base + "/api/v2/metrics/query", params={"metricSelector": selector, **params},
                     headers={"Authorization": f"Api-Token {token}", "Accept": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["totalCount", "nextPageKey", "resolution", "result"], body
    assert body["nextPageKey"] is None
    result = body["result"][0]
    assert result["metricId"] == selector
    for series in result["data"]:
        assert len(series["timestamps"]) == len(series["values"])
        assert series["dimensions"] == [series["dimensionMap"][k] for k in sorted(series["dimensionMap"])]
    return body, {tuple(sorted(s["dimensionMap"].items())): s["values"] for s in result["data"]}


def test_client_lines_are_read_back_through_the_dynatrace_query_api(basin):
    ingest = basin.create_token("ingest")
    reader = basin.create_token("query")
    ts = now_millis()
    factory = DynatraceMetricsFactory()
    serializer = DynatraceMetricsSerializer(metrics_source="basin-e2e", enrich_with_dynatrace_metadata=False)
    metrics = [
        factory.create_float_gauge("e2e.dtq.cpu", 55.5, {"host": "web-1"}, ts),
        factory.create_float_gauge("e2e.dtq.cpu", 44.5, {"host": "web-1"}, ts - 1000),
        factory.create_int_gauge("e2e.dtq.cpu", 10, {"host": "web-2"}, ts),
        factory.create_int_counter_delta("e2e.dtq.requests", 50, {"region": "EAST"}, ts),
        factory.create_int_counter_delta("e2e.dtq.requests", 25, {"region": "EAST"}, ts - 1000),
        factory.create_float_summary("e2e.dtq.latency", 1.0, 9.0, 20.0, 4, {"route": "/a b"}, ts),
        factory.create_float_summary("e2e.dtq.latency", 0.5, 2.0, 2.0, 1, {"route": "/a b"}, ts - 1000),
    ]
    _, responses = export(basin.base, ingest, metrics, serializer)
    assert responses[0].status_code == 202, responses[0].text

    src = ("dt.metrics.source", "basin-e2e")
    body, cpu = dt_query(basin, reader, "e2e.dtq.cpu", **{"from": "now-10m", "resolution": "Inf"})
    assert body["resolution"] == "Inf" and body["totalCount"] == 2
    assert cpu == {(src, ("host", "web-1")): [50.0], (src, ("host", "web-2")): [10.0]}
    _, cpu_max = dt_query(basin, reader, 'e2e.dtq.cpu:splitBy("host"):max', **{"from": "now-10m", "resolution": "Inf"})
    assert cpu_max == {(("host", "web-1"),): [55.5], (("host", "web-2"),): [10.0]}
    _, requests_ = dt_query(basin, reader, "e2e.dtq.requests.count:splitBy():fold", **{"from": "now-10m"})
    assert requests_ == {(): [75.0]}
    for selector, expected in [("e2e.dtq.latency", 22.0 / 5), ("e2e.dtq.latency:min", 0.5), ("e2e.dtq.latency:max", 9.0),
                               ("e2e.dtq.latency:sum", 22.0), ("e2e.dtq.latency:count", 5.0)]:
        _, got = dt_query(basin, reader, selector + ":fold", **{"from": "now-10m"})
        assert list(got.values()) == [[expected]], selector

    # Per-minute slots (the Managed path): the points sit in one slot, every other slot is null.
    r = requests.get(basin.base + "/e/abc12345/api/v2/metrics/query",
                     params={"metricSelector": 'e2e.dtq.cpu:filter(eq("host","web-2"))', "from": "now-10m",
                             "resolution": "1m", "api-token": reader}, timeout=30)
    assert r.status_code == 200, r.text
    series = r.json()["result"][0]["data"][0]
    assert series["dimensionMap"] == {"host": "web-2", "dt.metrics.source": "basin-e2e"}
    assert [v for v in series["values"] if v is not None] == [10.0]
    assert None in series["values"]
    assert all(t % 60000 == 0 for t in series["timestamps"]) and series["timestamps"][-1] >= ts

    r = requests.get(basin.base + "/api/v2/metrics/query", params={"metricSelector": "e2e.dtq.cpu:merge(\"host\")"},
                     headers={"Authorization": f"Api-Token {reader}"}, timeout=30)
    assert r.status_code == 400
    assert r.json()["error"]["constraintViolations"][0]["path"] == "metricSelector"
    r = requests.get(basin.base + "/api/v2/metrics/query", params={"metricSelector": "e2e.dtq.cpu"},
                     headers={"Authorization": f"Api-Token {ingest}"}, timeout=30)
    assert r.status_code == 403


def test_descriptors_list_what_the_client_sent(basin):
    ingest = basin.create_token("ingest")
    reader = basin.create_token("query")
    ts = now_millis()
    factory = DynatraceMetricsFactory()
    serializer = DynatraceMetricsSerializer(enrich_with_dynatrace_metadata=False)
    lines, responses = export(basin.base, ingest, [
        factory.create_float_gauge("e2e.desc.temp", 21.5, {"host": "web-1"}, ts),
        factory.create_int_counter_delta("e2e.desc.hits", 3, None, ts),
        factory.create_float_summary("e2e.desc.lat", 1.0, 2.0, 3.0, 2, None, ts),
    ], serializer)
    assert responses[0].status_code == 202, responses[0].text
    r = requests.post(basin.base + "/api/v2/metrics/ingest", headers={"Authorization": f"Api-Token {ingest}"},
                      data='#e2e.desc.temp gauge dt.meta.unit=Cel,dt.meta.displayName="Temperature"')
    assert r.status_code == 202, r.text
    r = requests.get(basin.base + "/api/v2/metrics", params={"metricSelector": "e2e.desc.*", "fields": "+aggregationTypes"},
                     headers={"Authorization": f"Api-Token {reader}"}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totalCount"] == 3 and body["nextPageKey"] is None
    by_id = {m["metricId"]: m for m in body["metrics"]}
    assert sorted(by_id) == ["e2e.desc.hits.count", "e2e.desc.lat", "e2e.desc.temp"]
    assert by_id["e2e.desc.temp"]["unit"] == "Cel" and by_id["e2e.desc.temp"]["displayName"] == "Temperature"
    assert "value" in by_id["e2e.desc.hits.count"]["aggregationTypes"]
    r = requests.get(basin.base + "/api/v2/metrics/e2e.desc.temp", headers={"Authorization": f"Api-Token {reader}"}, timeout=30)
    assert r.status_code == 200
    assert [d["key"] for d in r.json()["dimensionDefinitions"]] == ["host"]
    assert requests.get(basin.base + "/api/v2/metrics/e2e.nope", headers={"Authorization": f"Api-Token {reader}"},
                        timeout=30).status_code == 404
