"""datadogpy and datadog-api-client, unmodified, against the real binary; read back through PromQL."""
import time

import pytest
import requests
from datadog import api, initialize

from conftest import query_range


def point_times(count, step=10):
    now = int(time.time()) // step * step
    return [now - step * (count - 1 - i) for i in range(count)]


@pytest.mark.parametrize("compress", [False, True])
def test_datadogpy_metric_send_round_trips_through_query_range(basin, compress):
    token = basin.admin_token()
    initialize(api_key=token, app_key="unused", api_host=basin.base)
    times = point_times(6)
    values = [1.5, 2.25, 3.0, 0.1, 1e-3, 123456.789]
    metric = "e2e.compress" if compress else "e2e.plain"
    response = api.Metric.send(metric=metric, points=list(zip(times, values)), tags=["env:test", "team:core"],
                               host="web-1", type="gauge", compress_payload=compress)
    assert response == {"status": "ok"}

    result = query_range(basin, token, '{"%s", host="web-1"}' % metric, times[0], times[-1], 10)
    assert len(result) == 1
    series = result[0]
    assert series["metric"]["__name__"] == metric
    assert series["metric"]["host"] == "web-1"
    assert series["metric"]["env"] == "test"
    got = [(int(float(t)), float(v)) for t, v in series["values"]]
    assert got == list(zip(times, values))


def test_datadogpy_several_series_and_host_null(basin):
    token = basin.admin_token()
    initialize(api_key=token, app_key="unused", api_host=basin.base)
    ts = point_times(1)[0]
    response = api.Metric.send(metrics=[
        {"metric": "e2e.multi", "points": [(ts, 1.0)], "host": "a", "tags": ["role:db"]},
        {"metric": "e2e.multi", "points": [(ts, 2.0)], "host": "b", "tags": ["role:web"]},
        {"metric": "e2e.multi", "points": [(ts, 4.0)], "host": None},
    ])
    assert response == {"status": "ok"}
    result = query_range(basin, token, 'sum({"e2e.multi"})', ts, ts, 10)
    assert [float(v) for _, v in result[0]["values"]] == [7.0]
    result = query_range(basin, token, 'count by (host) ({"e2e.multi"})', ts, ts, 10)
    hosts = sorted(r["metric"].get("host", "") for r in result)
    assert hosts == ["", "a", "b"]


def test_datadog_api_client_v1_submit_metrics_uses_text_json(basin):
    from datadog_api_client import ApiClient, Configuration
    from datadog_api_client.v1.api.metrics_api import MetricsApi
    from datadog_api_client.v1.model.metrics_payload import MetricsPayload
    from datadog_api_client.v1.model.point import Point
    from datadog_api_client.v1.model.series import Series

    token = basin.admin_token()
    configuration = Configuration(host=basin.base)
    configuration.api_key["apiKeyAuth"] = token
    ts = point_times(1)[0]
    with ApiClient(configuration) as client:
        response = MetricsApi(client).submit_metrics(body=MetricsPayload(series=[
            Series(metric="e2e.apiclient", type="gauge", points=[Point([float(ts), 42.5])], tags=["k:v"])]))
    assert response["status"] == "ok"
    result = query_range(basin, token, '{"e2e.apiclient", k="v"}', ts, ts, 10)
    assert [float(v) for _, v in result[0]["values"]] == [42.5]


def test_wrong_api_key_gets_datadogs_403_and_stores_nothing(basin):
    ts = point_times(1)[0]
    r = requests.post(basin.base + "/api/v1/series", headers={"DD-API-KEY": "0" * 32},
                      json={"series": [{"metric": "e2e.denied", "points": [[ts, 1]]}]})
    assert r.status_code == 403
    assert "errors" in r.json()
    result = query_range(basin, basin.admin_token(), '{"e2e.denied"}', ts, ts, 10)
    assert result == []


def test_query_token_cannot_ingest_and_ingest_token_cannot_query(basin):
    ingest = basin.create_token("ingest")
    query = basin.create_token("query")
    ts = point_times(1)[0]
    body = {"series": [{"metric": "e2e.scoped", "points": [[ts, 3]]}]}
    assert requests.post(basin.base + "/api/v1/series", headers={"DD-API-KEY": query}, json=body).status_code == 403
    assert requests.post(basin.base + "/api/v1/series", headers={"DD-API-KEY": ingest}, json=body).status_code == 202
    r = requests.get(basin.base + "/prometheus/api/v1/query", params={"query": "1"},
                     headers={"Authorization": f"Bearer {ingest}"})
    assert r.status_code in (401, 403)
    assert [float(v) for _, v in query_range(basin, query, '{"e2e.scoped"}', ts, ts, 10)[0]["values"]] == [3.0]


def test_organisations_are_isolated(basin):
    other = basin.create_token("ingest,query", org="other")
    ts = point_times(1)[0]
    body = {"series": [{"metric": "e2e.org", "points": [[ts, 9]]}]}
    assert requests.post(basin.base + "/api/v1/series", headers={"DD-API-KEY": other}, json=body).status_code == 202
    assert query_range(basin, basin.admin_token(), '{"e2e.org"}', ts, ts, 10) == []
    assert len(query_range(basin, other, '{"e2e.org"}', ts, ts, 10)) == 1


def test_revoked_token_is_refused(basin):
    token = basin.create_token("ingest")
    admin = basin.admin_token()
    listing = requests.get(basin.base + "/api/basin/v1/tokens", headers={"Authorization": f"Bearer {admin}"}).json()
    assert all("sha256" not in t and "token" not in t for t in listing["tokens"])
    import subprocess
    from conftest import BINARY
    out = subprocess.run([BINARY, "token", "list", "--data", basin.data_dir], capture_output=True, text=True, check=True)
    ids = [line.split()[0] for line in out.stdout.splitlines()[1:]]
    assert len(ids) == 2
    created = requests.post(basin.base + "/api/basin/v1/tokens", headers={"Authorization": f"Bearer {admin}"},
                            json={"scopes": ["ingest"], "name": "temp"})
    assert created.status_code == 201
    new = created.json()
    ts = point_times(1)[0]
    body = {"series": [{"metric": "e2e.revoke", "points": [[ts, 1]]}]}
    assert requests.post(basin.base + "/api/v1/series", headers={"DD-API-KEY": new["token"]}, json=body).status_code == 202
    assert requests.delete(basin.base + "/api/basin/v1/tokens/" + new["id"],
                           headers={"Authorization": f"Bearer {admin}"}).status_code == 204
    assert requests.post(basin.base + "/api/v1/series", headers={"DD-API-KEY": new["token"]}, json=body).status_code == 403


def test_self_metrics_count_accepted_samples(basin):
    token = basin.admin_token()
    ts = point_times(1)[0]
    body = {"series": [{"metric": "e2e.self", "points": [[ts, 1], [ts + 10, 2]]}]}
    assert requests.post(basin.base + "/api/v1/series", headers={"DD-API-KEY": token}, json=body).status_code == 202
    text = requests.get(basin.base + "/metrics").text
    accepted = [l for l in text.splitlines() if l.startswith("basin_samples_accepted_total") and 'dialect="datadog"' in l]
    assert accepted and float(accepted[0].split()[-1]) >= 2
    assert "basin_wal_fsync_seconds" in text
    assert requests.get(basin.base + "/healthz").status_code == 200


def test_datadog_api_client_gzip_body(basin):
    from datadog_api_client import ApiClient, Configuration
    from datadog_api_client.v1.api.metrics_api import MetricsApi
    from datadog_api_client.v1.model.metric_content_encoding import MetricContentEncoding
    from datadog_api_client.v1.model.metrics_payload import MetricsPayload
    from datadog_api_client.v1.model.point import Point
    from datadog_api_client.v1.model.series import Series

    token = basin.admin_token()
    configuration = Configuration(host=basin.base)
    configuration.api_key["apiKeyAuth"] = token
    ts = point_times(1)[0]
    with ApiClient(configuration) as client:
        response = MetricsApi(client).submit_metrics(
            body=MetricsPayload(series=[Series(metric="e2e.gzip", type="count", points=[Point([float(ts), 7.0])])]),
            content_encoding=MetricContentEncoding.GZIP)
    assert response["status"] == "ok"
    result = query_range(basin, token, '{"e2e.gzip"}', ts, ts, 10)
    assert [float(v) for _, v in result[0]["values"]] == [7.0]


def test_body_limits_before_and_after_decompression_and_unknown_encoding(data_dir):
    import gzip
    import json
    from conftest import BasinProcess
    server = BasinProcess(data_dir).start("--max-body-bytes", "2000", "--max-decompressed-bytes", "20000")
    try:
        token = server.admin_token()
        ts = point_times(1)[0]
        headers = {"DD-API-KEY": token, "Content-Type": "application/json"}
        big = json.dumps({"series": [{"metric": "e2e.limit", "points": [[ts, 1]], "tags": ["pad:" + "x" * 3000]}]})
        r = requests.post(server.base + "/api/v1/series", headers=headers, data=big)
        assert r.status_code == 413 and "2000" in r.text
        # Small on the wire, large once inflated: refused after decompression.
        bomb = json.dumps({"series": [{"metric": "e2e.limit", "points": [[ts, 1]], "tags": ["pad:" + "y" * 50000]}]})
        r = requests.post(server.base + "/api/v1/series", headers={**headers, "Content-Encoding": "gzip"},
                          data=gzip.compress(bomb.encode()))
        assert r.status_code == 413 and "decompressed" in r.text
        r = requests.post(server.base + "/api/v1/series", headers={**headers, "Content-Encoding": "br"}, data=b"x")
        assert r.status_code == 415 and "errors" in r.json()
        r = requests.post(server.base + "/api/v1/series", headers=headers, data='{"series": [{"metric": 5}]}')
        assert r.status_code == 400 and "metric" in r.json()["errors"][0]
        assert query_range(server, token, '{"e2e.limit"}', ts, ts, 10) == []
    finally:
        server.stop()
