"""SIGKILL at random moments under concurrent record ingest, many times over one data directory.

Each cycle starts `basin serve` on the same data directory, runs concurrent Axiom NDJSON
writers and SIGKILLs the server after a random delay while requests are in flight. The server
is told to seal its records head into partitions every few hundred records and every second,
so kills land in the middle of seals, log rotations and log truncations too. Every 5 cycles and
after the last one the server is restarted and the records are counted per request with APL.
Checks: every acknowledged (200) request's 25 records are there exactly once (count 25 and 25
distinct `k`), no request has more than its 25, and a request that failed with a connection
error has all of its records or none (a request is one log record).

Record times span the 6 hours before the test started, written in random order, so seals
write partitions in many time windows and late records land beside sealed ones.

Environment: BASIN_CRASH_CYCLES (default 20; the long mode is 100), BASIN_CRASH_SEED (printed).
"""
import json
import os
import random
import threading
import time

import requests

from conftest import BasinProcess

CYCLES = int(os.environ.get("BASIN_CRASH_CYCLES", "20"))
SEED = int(os.environ.get("BASIN_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
VERIFY_EVERY = 5
WORKERS = 4
PER_REQUEST = 25
SPAN_NS = 6 * 3600 * 10**9
DATASET = "crash-records"
SERVER_ENV = {
    "BASIN_RECORDS_HEAD_MAX_RECORDS": "400",
    "BASIN_RECORDS_HEAD_FLUSH_INTERVAL": "1s",
    "BASIN_COMPACTION_INTERVAL": "1s",
}


class Ledger:
    def __init__(self, base_ns):
        self.base_ns = base_ns
        self.lock = threading.Lock()
        self.acked = set()
        self.sent = set()
        self.unexpected = []


def body(ledger, batch, rng):
    lines = []
    for k in range(PER_REQUEST):
        t = ledger.base_ns + rng.randrange(SPAN_NS)
        lines.append(json.dumps({"_time": t, "b": batch, "k": k, "msg": f"record {k} of {batch}",
                                 "nested": {"k": k, "tags": [batch, k]}}))
    return "\n".join(lines)


class Cycle:
    def __init__(self, number, server, token, ledger):
        self.number, self.server, self.token, self.ledger = number, server, token, ledger
        self.killed = threading.Event()
        self.threads = [threading.Thread(target=self.writer, args=(w,), daemon=True) for w in range(WORKERS)]
        self.in_flight = 0
        self.lock = threading.Lock()

    def writer(self, worker):
        rng = random.Random(f"{SEED}:{self.number}:{worker}")
        session = requests.Session()
        seq = 0
        deadline = time.time() + 20
        while not self.killed.is_set() and time.time() < deadline:
            batch = f"{self.number}-{worker}-{seq}"
            seq += 1
            data = body(self.ledger, batch, rng)
            with self.ledger.lock:
                self.ledger.sent.add(batch)
            with self.lock:
                self.in_flight += 1
            try:
                r = session.post(f"{self.server.base}/v1/datasets/{DATASET}/ingest", data=data, timeout=10,
                                 headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/x-ndjson"})
                if r.status_code == 200 and r.json()["ingested"] == PER_REQUEST:
                    with self.ledger.lock:
                        self.ledger.acked.add(batch)
                elif not self.killed.is_set():
                    self.ledger.unexpected.append(f"{batch}: {r.status_code} {r.text[:200]}")
            except requests.RequestException as error:
                if not self.killed.is_set():
                    self.ledger.unexpected.append(f"{batch}: {error!r} before the kill")
            finally:
                with self.lock:
                    self.in_flight -= 1

    def run(self, delay):
        for t in self.threads:
            t.start()
        time.sleep(delay)
        with self.lock:
            in_flight = self.in_flight
        self.killed.set()
        self.server.kill()
        for t in self.threads:
            t.join(timeout=30)
        return in_flight


def counts(server, token, ledger):
    """Per request id: (records, distinct k)."""
    apl = f"['{DATASET}'] | summarize n = count(), d = dcount(k) by b"
    r = requests.post(server.base + "/v1/datasets/_apl?format=tabular", timeout=120,
                      headers={"Authorization": f"Bearer {token}"},
                      json={"apl": apl, "startTime": "1970-01-01T00:00:00Z", "endTime": "2100-01-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    table = r.json()["tables"][0]
    cols = {f["name"]: c for f, c in zip(table["fields"], table["columns"])}
    return {b: (n, d) for b, n, d in zip(cols["b"], cols["n"], cols["d"])}


def verify(server, token, ledger, after_cycle):
    found = counts(server, token, ledger)
    with ledger.lock:
        acked, sent = set(ledger.acked), set(ledger.sent)
    missing = [b for b in acked if found.get(b) != (PER_REQUEST, PER_REQUEST)]
    assert not missing, f"after cycle {after_cycle}: acknowledged requests incomplete: {[(b, found.get(b)) for b in missing[:10]]}"
    partial = {b: v for b, v in found.items() if v != (PER_REQUEST, PER_REQUEST)}
    assert not partial, f"after cycle {after_cycle}: requests stored partly or twice: {list(partial.items())[:10]}"
    unknown = set(found) - sent
    assert not unknown, f"after cycle {after_cycle}: records of requests never sent: {list(unknown)[:10]}"
    return len(found)


def test_sigkill_loop_under_concurrent_record_ingest_loses_and_duplicates_nothing(data_dir):
    print(f"BASIN_CRASH_SEED={SEED}")
    rng = random.Random(SEED)
    ledger = Ledger(time.time_ns() - SPAN_NS)
    server = None
    try:
        for number in range(1, CYCLES + 1):
            server = BasinProcess(data_dir).start(env=SERVER_ENV)
            token = server.admin_token()
            if number == 1:
                r = requests.post(server.base + "/v1/datasets", json={"name": DATASET}, timeout=10,
                                  headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 200, r.text
            elif (number - 1) % VERIFY_EVERY == 0:
                verify(server, token, ledger, number - 1)
            delay = rng.uniform(0.3, 2.5)
            in_flight = Cycle(number, server, token, ledger).run(delay)
            print(f"cycle {number}: killed after {delay:.2f}s with {in_flight} in flight; {len(ledger.acked)} acknowledged")
        server = BasinProcess(data_dir).start(env=SERVER_ENV)
        stored = verify(server, server.admin_token(), ledger, CYCLES)
        assert not ledger.unexpected, ledger.unexpected[:10]
        assert len(ledger.acked) > CYCLES, "too few acknowledged requests to mean anything"
        print(f"records crash loop done: {CYCLES} cycles, {len(ledger.acked)} requests acknowledged, {stored} stored")
    finally:
        if server:
            server.stop()
