"""Disk full: ingest answers 503 with Retry-After, writing resumes by itself once space is freed,
and every acknowledged sample survives a SIGKILL.

The data directory lives on a small tmpfs mounted by the test (root only; skipped otherwise). On
tmpfs a full disk shows as ENOSPC from `pwrite`, the path most file systems take; the `fdatasync`
and segment-creation paths are covered by the unit tests (DiskFullTests), which inject ENOSPC.

Block cuts are kept out of the way (`--head-max-samples` far above what the test writes): a cut
deletes the log segments behind it, so it would free space in the middle of the fill, and the
blocks of this payload (labels stored once per series) are a fraction of its log records (labels
repeated in every record), so the disk would never fill through them. That a failed block write
leaves no temporary file behind is a unit test.
"""
import os
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BasinProcess

# The log defines a series once per segment and then refers to it, so a sample costs ~11 bytes;
# 1,000 samples per request fill the ~5 MB left on the tmpfs in a few hundred requests.
TMPFS_SIZE = "6m"
FILLER_BYTES = 1 << 20
SERIES_PER_REQUEST = 20
POINTS_PER_SERIES = 50
MAX_REQUESTS = 2000


@pytest.fixture
def tmpfs():
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    root = tempfile.mkdtemp(prefix="basin-disk-full-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", root],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        os.rmdir(root)
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or mounted.returncode}")
    try:
        yield root
    finally:
        if subprocess.run(["umount", root], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", root], capture_output=True)
        os.rmdir(root)


def start(data_dir, log_path):
    server = BasinProcess(data_dir)
    server.log_path = log_path  # not on the tmpfs: a full disk must not swallow the server's log
    return server.start("--head-max-samples", "100000000")


def series_body(request_index, ts):
    return {"series": [
        {"metric": "disk.full",
         "points": [[ts + k / 10, float(request_index * 100_000 + s * 100 + k)] for k in range(POINTS_PER_SERIES)],
         "tags": [f"s:{s}"]}
        for s in range(SERIES_PER_REQUEST)
    ]}


def test_disk_full_answers_503_resumes_when_space_returns_and_loses_nothing(tmpfs):
    data_dir = os.path.join(tmpfs, "data")
    filler = os.path.join(tmpfs, "filler")
    with open(filler, "wb") as f:  # freed later to give the disk space back
        f.write(b"\0" * FILLER_BYTES)
        f.flush()
        os.fsync(f.fileno())
    log_path = tempfile.mktemp(prefix="basin-disk-full-", suffix=".log")
    server = start(data_dir, log_path)
    try:
        token = server.admin_token()
        session = requests.Session()
        headers = {"DD-API-KEY": token}
        base_ts = int(time.time()) - 3600
        acknowledged = {}  # (series tag, timestamp) -> value
        next_index = 0

        def send():
            nonlocal next_index
            i = next_index
            next_index += 1
            body = series_body(i, base_ts + i * POINTS_PER_SERIES / 10)
            r = session.post(server.base + "/api/v1/series", headers=headers, json=body, timeout=30)
            if r.status_code == 202:
                for entry in body["series"]:
                    for ts, value in entry["points"]:
                        acknowledged[(entry["tags"][0], round(ts * 1000))] = value
            return r

        # Fill the disk.
        full = None
        while next_index < MAX_REQUESTS:
            r = send()
            if r.status_code == 503:
                full = r
                break
            assert r.status_code == 202, (r.status_code, r.text)
        assert full is not None, f"no 503 after {MAX_REQUESTS} requests: {server.log()}"
        assert acknowledged, "the disk filled before anything was acknowledged"

        # Datadog's error envelope, a message that says what happened, and a retry delay.
        body = full.json()
        assert set(body) == {"errors"}, body
        assert len(body["errors"]) == 1 and body["errors"][0].startswith("disk full: "), body
        assert body["errors"][0].endswith("; retry later"), body
        assert full.headers.get("Content-Type") == "application/json"
        assert int(full.headers["Retry-After"]) > 0, full.headers
        still_full = send()
        assert still_full.status_code == 503 and "Retry-After" in still_full.headers

        metrics = requests.get(server.base + "/metrics", timeout=10).text
        rejections = [line for line in metrics.splitlines() if line.startswith("basin_storage_disk_full_rejections_total")]
        assert rejections and float(rejections[0].split()[-1]) >= 2, rejections

        # Give the space back: writing resumes without a restart.
        os.remove(filler)
        for _ in range(5):
            r = send()
            assert r.status_code == 202, (r.status_code, r.text)

        server.kill()  # no graceful shutdown: only what reached the disk survives
        server = start(data_dir, log_path)
        r = requests.post(server.base + "/prometheus/api/v1/query", data={"query": '{"disk.full"}[2h]'},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 200, r.text
        found = {}
        for series in r.json()["data"]["result"]:
            for t, v in series["values"]:
                found[("s:" + series["metric"]["s"], round(float(t) * 1000))] = float(v)
        missing = [k for k, v in acknowledged.items() if found.get(k) != v]
        assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged samples missing, e.g. {missing[:5]}"
    finally:
        server.stop()
        if os.path.exists(log_path):
            os.remove(log_path)
