"""Datadog metric reads with the real clients: values sent with Metric.send come back exactly."""
import time

import requests
from datadog import api, initialize


def hour_window(step=20):
    """Six points 20 s apart, aligned to the 20 s buckets a one-hour query uses."""
    now = int(time.time()) // step * step
    times = [now - step * (5 - i) for i in range(6)]
    return times, times[0] - 600, times[0] + 3000


def test_datadogpy_metric_query_reads_back_sent_values(basin):
    token = basin.admin_token()
    initialize(api_key=token, app_key=token, api_host=basin.base)
    times, start, end = hour_window()
    values = [1.5, 2.25, 3.0, 0.1, 1e-3, 123456.789]
    assert api.Metric.send(metric="e2eq.cpu", points=list(zip(times, values)), host="web-1",
                           tags=["env:test"], type="gauge") == {"status": "ok"}
    assert api.Metric.send(metric="e2eq.cpu", points=[(t, 10.0) for t in times], host="web-2",
                           tags=["env:test"], type="gauge") == {"status": "ok"}

    result = api.Metric.query(start=start, end=end, query="e2eq.cpu{host:web-1}")
    assert result["status"] == "ok" and result["res_type"] == "time_series"
    assert result["from_date"] == start * 1000 and result["to_date"] == end * 1000
    [series] = result["series"]
    assert series["interval"] == 20 and series["aggr"] is None
    assert series["scope"] == "host:web-1" and series["expression"] == "e2eq.cpu{host:web-1}"
    assert [(int(t) // 1000, v) for t, v in series["pointlist"]] == list(zip(times, values))
    assert series["start"] == times[0] * 1000 and series["end"] == times[-1] * 1000 + 19000

    grouped = api.Metric.query(start=start, end=end, query="sum:e2eq.cpu{env:test} by {host}")
    assert grouped["group_by"] == ["host"]
    assert [s["tag_set"] for s in grouped["series"]] == [["host:web-1"], ["host:web-2"]]
    assert [s["scope"] for s in grouped["series"]] == ["env:test,host:web-1", "env:test,host:web-2"]

    total = api.Metric.query(start=start, end=end, query="sum:e2eq.cpu{*} * 2")
    assert [v for _, v in total["series"][0]["pointlist"]] == [(v + 10.0) * 2 for v in values]


def test_datadogpy_parse_error_is_a_400_envelope(basin):
    token = basin.admin_token()
    r = requests.get(basin.base + "/api/v1/query", params={"from": 0, "to": 60, "query": "m{*"},
                     headers={"DD-API-KEY": token, "DD-APPLICATION-KEY": token}, timeout=30)
    assert r.status_code == 400
    assert r.json() == {"errors": ["Error parsing query: unexpected end of query at position 3"]}
    assert r.headers["X-RateLimit-Name"] == "query"
    assert int(r.headers["X-RateLimit-Limit"]) == 1600
    assert r.headers["X-RateLimit-Period"] == "3600"
    assert "X-RateLimit-Remaining" in r.headers and "X-RateLimit-Reset" in r.headers


def test_datadog_api_client_query_list_and_metadata(basin):
    from datadog_api_client import ApiClient, Configuration
    from datadog_api_client.v1.api.metrics_api import MetricsApi
    from datadog_api_client.v1.model.metric_metadata import MetricMetadata

    token = basin.admin_token()
    initialize(api_key=token, app_key=token, api_host=basin.base)
    times, start, end = hour_window()
    values = [4.0, 5.5, 6.0, 7.25, 8.0, 9.5]
    api.Metric.send(metric="e2eq.req", points=list(zip(times, values)), host="api-1", type="gauge")

    config = Configuration(host=basin.base)
    config.api_key["apiKeyAuth"] = token
    config.api_key["appKeyAuth"] = token
    with ApiClient(config) as client:
        metrics = MetricsApi(client)
        metadata = metrics.update_metric_metadata(
            "e2eq.req", MetricMetadata(unit="request", per_unit="second", description="requests", type="gauge"))
        assert metadata.unit == "request" and metadata.per_unit == "second" and metadata.type == "gauge"
        got = metrics.get_metric_metadata("e2eq.req")
        assert got.description == "requests" and got.unit == "request"

        result = metrics.query_metrics(_from=start, to=end, query="avg:e2eq.req{*}")
        series = result.series[0]
        assert [p.value[1] for p in series.pointlist] == values
        assert series.interval == 20 and series.aggr == "avg"
        assert series.unit[0].name == "request" and series.unit[1].name == "second"

        active = metrics.list_active_metrics(_from=start)
        assert active["_from"] == str(start)
        assert "e2eq.req" in active.metrics

    found = api.Infrastructure.search(q="metrics:e2eq.r")
    assert found == {"results": {"metrics": ["e2eq.req"]}}
