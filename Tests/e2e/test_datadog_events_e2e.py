"""datadogpy and datadog-api-client, unmodified, against the real binary: events (create, list,
get), service checks (read back with APL over `_service_checks`), distribution points, logs and
the Agent housekeeping routes; an event written through SignalFx is listed by Datadog's API."""
import time
import warnings

import requests
from datadog import api, initialize


def apl(server, token, query):
    r = requests.post(server.base + "/v1/datasets/_apl?format=tabular", timeout=30,
                      headers={"Authorization": f"Bearer {token}"},
                      json={"apl": query, "startTime": "1970-01-01T00:00:00Z", "endTime": "2100-01-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    table = r.json()["tables"][0]
    names = [f["name"] for f in table["fields"]]
    rows = [dict(zip(names, row)) for row in zip(*table["columns"])]
    return [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]


def api_client(basin, token):
    from datadog_api_client import ApiClient, Configuration
    configuration = Configuration(host=basin.base)
    configuration.api_key["apiKeyAuth"] = token
    configuration.api_key["appKeyAuth"] = token
    return ApiClient(configuration)


def test_datadogpy_event_create_query_get(basin):
    token = basin.admin_token()
    initialize(api_key=token, app_key=token, api_host=basin.base, host_name="e2e-host")
    now = int(time.time())
    created = api.Event.create(title="e2e deploy", text="line1\nline2", tags=["env:prod", "service:api"],
                               alert_type="success", priority="normal", aggregation_key="k1",
                               source_type_name="my_apps", date_happened=now)
    assert created["status"] == "ok"
    event = created["event"]
    assert event["id_str"] == str(event["id"])
    api.Event.create(title="e2e other", text="x", tags=["env:dev"])

    listed = api.Event.query(start=now - 60, end=now + 60, tags=["env:prod"])
    assert [e["title"] for e in listed["events"]] == ["e2e deploy"]
    assert listed["events"][0]["host"] == "e2e-host"
    both = api.Event.query(start=now - 60, end=now + 60)
    assert sorted(e["title"] for e in both["events"]) == ["e2e deploy", "e2e other"]
    only_source = api.Event.query(start=now - 60, end=now + 60, sources="my_apps")
    assert [e["title"] for e in only_source["events"]] == ["e2e deploy"]

    got = api.Event.get(event["id"])
    assert got["event"]["title"] == "e2e deploy"
    assert got["event"]["text"] == "line1\nline2"
    assert got["event"]["alert_type"] == "success"
    assert set(got["event"]["tags"]) == {"env:prod", "service:api"}


def test_datadogpy_service_check_is_stored(basin):
    token = basin.admin_token()
    initialize(api_key=token, app_key=token, api_host=basin.base)
    response = api.ServiceCheck.check(check="e2e.app.ok", host_name="web-1", status=2, message="boom", tags=["env:prod"])
    assert response == {"status": "ok"}
    rows = apl(basin, token, "['_service_checks'] | where check == 'e2e.app.ok' | project check, status, host, message, dialect")
    assert rows == [{"check": "e2e.app.ok", "status": 2, "host": "web-1", "message": "boom", "dialect": "datadog"}]


def test_datadog_api_client_events_create_list_get(basin):
    from datadog_api_client.v1.api.events_api import EventsApi
    from datadog_api_client.v1.model.event_alert_type import EventAlertType
    from datadog_api_client.v1.model.event_create_request import EventCreateRequest
    from datadog_api_client.v1.model.event_priority import EventPriority

    token = basin.admin_token()
    now = int(time.time())
    with api_client(basin, token) as client:
        events = EventsApi(client)
        created = events.create_event(body=EventCreateRequest(
            title="api-client deploy", text="Deployed build 43", tags=["env:prod", "service:api"],
            alert_type=EventAlertType.INFO, priority=EventPriority.LOW, host="web-1", date_happened=now,
            source_type_name="my_apps", aggregation_key="deploy-43"))
        assert created.status == "ok"
        event_id = created.event.id
        listed = events.list_events(start=now - 60, end=now + 60, tags="env:prod,service:api", priority=EventPriority.LOW)
        assert [e.title for e in listed.events] == ["api-client deploy"]
        assert listed.events[0].id == event_id
        got = events.get_event(event_id)
        assert got.event.title == "api-client deploy"
        assert got.event.host == "web-1"
        assert got.event.date_happened == now


def test_datadog_api_client_submit_service_check(basin):
    from datadog_api_client.v1.api.service_checks_api import ServiceChecksApi
    from datadog_api_client.v1.model.service_check import ServiceCheck
    from datadog_api_client.v1.model.service_check_status import ServiceCheckStatus
    from datadog_api_client.v1.model.service_checks import ServiceChecks

    token = basin.admin_token()
    with api_client(basin, token) as client:
        response = ServiceChecksApi(client).submit_service_check(body=ServiceChecks([ServiceCheck(
            check="e2e.api.ok", host_name="web-2", status=ServiceCheckStatus.WARNING, tags=["env:prod"], message="slow")]))
    assert response.status == "ok"
    rows = apl(basin, token, "['_service_checks'] | where check == 'e2e.api.ok' | project status, host, message")
    assert rows == [{"status": 1, "host": "web-2", "message": "slow"}]


def test_signalfx_event_is_listed_by_datadog_api(basin):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from signalfx.ingest import JsonSignalFxIngestClient
    token = basin.admin_token()
    now_ms = int(time.time() * 1000)
    sfx = JsonSignalFxIngestClient(token, endpoint=basin.base)
    sfx.send_event(event_type="sfx.e2e.deploy", dimensions={"host": "sfx-host", "env": "prod"}, timestamp=now_ms)
    sfx.stop()
    initialize(api_key=token, app_key=token, api_host=basin.base)
    deadline = time.time() + 10
    titles = []
    while time.time() < deadline:
        listed = api.Event.query(start=now_ms // 1000 - 60, end=now_ms // 1000 + 60, tags=["env:prod"])
        titles = [e["title"] for e in listed["events"]]
        if "sfx.e2e.deploy" in titles:
            break
        time.sleep(0.2)
    assert "sfx.e2e.deploy" in titles
    event = next(e for e in listed["events"] if e["title"] == "sfx.e2e.deploy")
    assert api.Event.get(event["id"])["event"]["host"] == "sfx-host"


def test_distribution_points_logs_and_agent_routes(basin):
    token = basin.admin_token()
    initialize(api_key=token, app_key=token, api_host=basin.base)
    ts = int(time.time()) // 10 * 10
    assert api.Distribution.send(metric="e2e.dist", points=[(ts, [1.0, 2.0, 3.0])], host="web-1") == {"status": "ok"}
    r = requests.post(basin.base + "/prometheus/api/v1/query", data={"query": '{__name__="e2e.dist", dd_dist="sum"}', "time": ts},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert [float(s["value"][1]) for s in r.json()["data"]["result"]] == [6.0]

    from datadog_api_client.v2.api.logs_api import LogsApi
    from datadog_api_client.v2.model.http_log import HTTPLog
    from datadog_api_client.v2.model.http_log_item import HTTPLogItem
    with api_client(basin, token) as client:
        LogsApi(client).submit_log(body=HTTPLog([HTTPLogItem(
            ddsource="nginx", ddtags="env:staging,version:5.1", hostname="i-012345678", message="e2e hello", service="payment")]))
    rows = apl(basin, token, "['logs'] | where message == 'e2e hello' | project service, hostname")
    assert rows == [{"service": "payment", "hostname": "i-012345678"}]

    headers = {"DD-API-KEY": token}
    for path in ["/intake/", "/api/v1/metadata", "/api/v2/host_metadata", "/support/flare"]:
        r = requests.post(basin.base + path, headers=headers, json={})
        assert r.status_code == 200 and r.json() == {}, path
    r = requests.post(basin.base + "/api/intake/metrics/v3/series", headers=headers, data=b"\x00")
    assert r.status_code == 400 and "v3" in r.json()["errors"][0]
