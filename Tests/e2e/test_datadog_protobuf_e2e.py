"""The Datadog Agent's protobuf intakes against the real binary.

The Agent itself is not installable here, so the bodies are what it sends, built by hand:
agent-payload `MetricPayload` on `/api/v2/series` and `SketchPayload` on `/api/beta/sketches`,
zstd-compressed (the Agent's default `serializer_compressor_kind`) with the `zstandard`
package, with the Agent's headers. Values are read back through `/api/v1/query`.
"""
import struct
import time

import requests
import zstandard


# --- a minimal protobuf encoder (proto3 wire format) ---

def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key(field, wire_type):
    return varint(field << 3 | wire_type)


def length_delimited(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def string(field, text):
    return length_delimited(field, text.encode())


def int_field(field, value):
    return key(field, 0) + varint(value)


def double(field, value):
    return key(field, 1) + struct.pack("<d", value)


def metric_series(metric, points, metric_type, host, tags, unit=None, interval=None):
    body = length_delimited(1, string(1, "host") + string(2, host))
    body += string(2, metric)
    body += b"".join(string(3, t) for t in tags)
    body += b"".join(length_delimited(4, double(1, v) + int_field(2, ts)) for ts, v in points)
    body += int_field(5, metric_type)
    if unit:
        body += string(6, unit)
    if interval is not None:
        body += int_field(8, interval)
    return length_delimited(1, body)


GAMMA = 1.015625


def bin_key(value):
    import math
    if abs(value) < 1e-9:
        return 0
    k = min(max(math.floor(math.log(abs(value)) / math.log(GAMMA)) + 1338, 1), 32766)
    return k if value > 0 else -k


def zigzag(v):
    return (v << 1) ^ (v >> 63)


def dogsketch(ts, values):
    bins = {}
    for v in values:
        bins[bin_key(v)] = bins.get(bin_key(v), 0) + 1
    keys = sorted(bins)
    body = int_field(1, ts) + int_field(2, len(values))
    body += double(3, min(values)) + double(4, max(values)) + double(5, sum(values) / len(values)) + double(6, sum(values))
    body += length_delimited(7, b"".join(varint(zigzag(k)) for k in keys))
    body += length_delimited(8, b"".join(varint(bins[k]) for k in keys))
    return body


def sketch(metric, host, tags, dogsketches):
    body = string(1, metric) + string(2, host) + b"".join(string(4, t) for t in tags)
    body += b"".join(length_delimited(7, d) for d in dogsketches)
    return length_delimited(1, body)


def agent_headers(token):
    return {
        "DD-API-KEY": token,
        "Content-Type": "application/x-protobuf",
        "Content-Encoding": "zstd",
        "DD-Agent-Version": "7.64.0",
        "DD-Agent-Payload": "5.0.130",
        "User-Agent": "datadog-agent/7.64.0",
    }


def query(basin, token, text, start, end):
    response = requests.get(basin.base + "/api/v1/query",
                            params={"from": start, "to": end, "query": text},
                            headers={"DD-API-KEY": token, "DD-APPLICATION-KEY": token}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def window(step=20):
    now = int(time.time()) // step * step
    times = [now - step * (3 - i) for i in range(4)]
    return times, times[0] - 600, times[0] + 3000


def test_agent_metric_payload_zstd_round_trips(basin):
    token = basin.admin_token()
    times, start, end = window()
    values = [1.5, 2.25, 0.001, 123456.789]
    payload = metric_series("e2epb.cpu", list(zip(times, values)), 3, "agent-host", ["env:e2e", "team:core"],
                            unit="percent", interval=0)
    payload += metric_series("e2epb.requests", [(times[0], 0.5)], 2, "agent-host", ["env:e2e"], interval=10)
    body = zstandard.ZstdCompressor(level=3).compress(payload)
    response = requests.post(basin.base + "/api/v2/series", data=body, headers=agent_headers(token), timeout=10)
    assert response.status_code == 202, response.text
    assert response.json() == {"errors": []}

    result = query(basin, token, "e2epb.cpu{host:agent-host,env:e2e}", start, end)
    [series] = result["series"]
    assert [(int(t) // 1000, v) for t, v in series["pointlist"]] == list(zip(times, values))
    assert series["unit"][0]["name"] == "percent"

    # RATE with interval 10: .as_count() multiplies back by the interval.
    counted = query(basin, token, "sum:e2epb.requests{*}.as_count()", start, end)
    assert [v for _, v in counted["series"][0]["pointlist"]] == [5.0]

    metadata = requests.get(basin.base + "/api/v1/metrics/e2epb.requests",
                            headers={"DD-API-KEY": token, "DD-APPLICATION-KEY": token}, timeout=10).json()
    assert metadata["type"] == "rate" and metadata["statsd_interval"] == 10


def test_agent_sketch_payload_zstd_answers_percentiles(basin):
    token = basin.admin_token()
    times, start, end = window()
    values = [float(v) for v in range(1, 1001)]
    payload = sketch("e2epb.latency", "agent-host", ["env:e2e"], [dogsketch(times[0], values)])
    body = zstandard.ZstdCompressor(level=3).compress(payload)
    response = requests.post(basin.base + "/api/beta/sketches", data=body, headers=agent_headers(token), timeout=10)
    assert response.status_code == 202, response.text

    def one(text):
        [series] = query(basin, token, text, start, end)["series"]
        [(t, v)] = series["pointlist"]
        assert int(t) // 1000 == times[0]
        return v

    assert one("count:e2epb.latency{*}") == 1000
    assert one("sum:e2epb.latency{env:e2e}") == 500500
    assert one("avg:e2epb.latency{*}") == 500.5
    assert one("min:e2epb.latency{*}") == 1 and one("max:e2epb.latency{*}") == 1000
    for name, q in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)]:
        exact = values[int(q * (len(values) - 1))]
        assert abs(one(f"{name}:e2epb.latency{{*}}") - exact) <= exact * 0.01
