"""axiom-py, unmodified, against the real binary: datasets, ingest (events, NDJSON, CSV with
options, gzip) through both URL generations (`url` → /v1/datasets/{ds}/ingest and
/v1/datasets/_apl; `edge_url` → /v1/ingest/{ds} and /v1/query/_apl), APL queries read back
with real result checks, and the records surviving a restart."""
import gzip
import time
from datetime import datetime, timedelta, timezone

import pytest
from axiom_py import Client
from axiom_py.client import AplOptions, ContentEncoding, ContentType, IngestOptions


def columns(table):
    """A tabular table as {field name: column}."""
    return {f.name: col for f, col in zip(table.fields, table.columns or [])}


def window():
    now = datetime.now(timezone.utc)
    return AplOptions(start_time=now - timedelta(hours=3), end_time=now + timedelta(minutes=1))


@pytest.fixture(params=["url", "edge_url"])
def client(request, basin):
    token = basin.admin_token()
    if request.param == "url":
        return Client(token, url=basin.base)
    # Edge mode still needs `url` for the datasets API.
    return Client(token, url=basin.base, edge_url=basin.base)


def test_datasets_are_created_listed_described_and_deleted(client):
    ds = client.datasets.create("e2e-admin", "first")
    assert ds.name == "e2e-admin" and ds.description == "first"
    assert "e2e-admin" in [d.name for d in client.datasets.get_list()]
    assert client.datasets.update("e2e-admin", "second").description == "second"
    assert client.datasets.get("e2e-admin").description == "second"
    client.datasets.delete("e2e-admin")
    assert "e2e-admin" not in [d.name for d in client.datasets.get_list()]


def test_ingest_events_then_filter_summarize_and_project(client, basin):
    client.datasets.create("e2e-web", "")
    now = datetime.now(timezone.utc)
    events = [
        {"_time": (now - timedelta(minutes=i)).isoformat(), "status": [200, 404, 500][i % 3], "path": f"/p{i % 4}",
         "latency": i * 1.5, "geo": {"city": "Paris" if i % 2 else "Lyon"}, "tags": ["a", str(i)]}
        for i in range(30)
    ]
    status = client.ingest_events("e2e-web", events)
    assert (status.ingested, status.failed, status.failures) == (30, 0, [])
    assert status.processed_bytes > 0

    res = client.query("['e2e-web'] | where status == 500 | project path, status", window())
    cols = columns(res.tables[0])
    assert sorted(cols["status"]) == [500] * 10
    assert set(cols["path"]) <= {"/p0", "/p1", "/p2", "/p3"}
    assert res.status.rowsMatched == 10

    res = client.query("['e2e-web'] | summarize count(), avg(latency) by status | sort by status asc", window())
    cols = columns(res.tables[0])
    assert cols["status"] == [200, 404, 500]
    assert cols["count_"] == [10, 10, 10]
    agg = {f.name: f.agg for f in res.tables[0].fields}
    assert agg["count_"].name == "count"

    res = client.query("['e2e-web'] | where geo.city == 'Paris' | count", window())
    assert columns(res.tables[0])["count"] == [15]

    res = client.query("['e2e-web'] | summarize count() by bin(_time, 10m)", window())
    names = [t.name for t in res.tables]
    assert names == ["0", "_totals"]
    assert sum(columns(res.tables[0])["count_"]) == 30
    assert columns(res.tables[1])["count_"] == [30]
    assert res.tables[0].buckets.size == 600 * 10**9


def test_ndjson_and_csv_with_options_through_the_raw_ingest(client):
    client.datasets.create("e2e-raw", "")
    ndjson = b'{"t":"01/Dec/2026:10:00:00 +0000","msg":"one"}\n{"t":"01/Dec/2026:10:00:01 +0000","msg":"two"}\n'
    status = client.ingest("e2e-raw", gzip.compress(ndjson), ContentType.NDJSON, ContentEncoding.GZIP,
                           IngestOptions(timestamp_field="t", timestamp_format="02/Jan/2006:15:04:05 -0700"))
    assert (status.ingested, status.failed) == (2, 0)
    assert status.processed_bytes == len(ndjson)
    csv = b"msg;n\nthree;3\nfour;4\n"
    status = client.ingest("e2e-raw", csv, ContentType.CSV, ContentEncoding.IDENTITY, IngestOptions(CSV_delimiter=";"))
    assert (status.ingested, status.failed) == (2, 0)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    res = client.query("['e2e-raw'] | sort by _time asc", AplOptions(start_time=start, end_time=datetime.now(timezone.utc) + timedelta(minutes=1)))
    cols = columns(res.tables[0])
    assert cols["msg"] == ["one", "two", "three", "four"]
    assert cols["_time"][:2] == ["2026-12-01T10:00:00.000000000Z", "2026-12-01T10:00:01.000000000Z"]
    assert cols["n"][2:] == [3, 4]


def test_bad_input_gets_axiom_errors_and_partial_batches_keep_the_valid_events(client, basin):
    client.datasets.create("e2e-bad", "")
    status = client.ingest("e2e-bad", b'{"_time":"not a time","a":1}\n{"a":2}\n', ContentType.NDJSON, ContentEncoding.IDENTITY)
    assert (status.ingested, status.failed) == (1, 1)
    assert len(status.failures) == 1
    with pytest.raises(Exception) as e:
        client.query("['e2e-bad'] | join kind=inner (x) on a", window())
    assert "400" in str(e.value) or "join" in str(e.value)
    with pytest.raises(Exception):
        client.ingest_events("no-such-dataset", [{"a": 1}])


def test_records_survive_a_restart(basin):
    client = Client(basin.admin_token(), url=basin.base)
    client.datasets.create("e2e-durable", "")
    client.ingest_events("e2e-durable", [{"i": i} for i in range(100)])
    basin.stop()
    basin.start()
    client = Client(basin.admin_token(), url=basin.base)
    res = client.query("['e2e-durable'] | summarize count(), sum(i)", window())
    cols = columns(res.tables[0])
    assert (cols["count_"], cols["sum_i"]) == ([100], [4950])
