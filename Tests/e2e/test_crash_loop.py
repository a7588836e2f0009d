"""SIGKILL at random moments under concurrent ingest, many times over one data directory.

Each cycle starts `basin serve` on the same data directory, runs concurrent Datadog v1 writers
and SIGKILLs the server after a random delay while requests are in flight. Every 5 cycles and
after the last one the server is restarted and every raw sample is read back with an instant
query of a range selector (which returns each stored sample, so duplicates show). Checks:
every acknowledged (202) sample is there with its value, no series repeats a timestamp, and
every sample found is one that was sent, with the value sent. Samples of requests that failed
with a connection error may or may not be there.

Every (series, timestamp) is written at most once in the whole test, with a value that encodes
it. Timestamps span the 6 hours before the test started (several 2-hour blocks); writers move
forwards or backwards through time from random places and some writes land late in the oldest
hours.

Environment: BASIN_CRASH_CYCLES (default 20; the long mode is 100), BASIN_CRASH_SEED (printed;
set it to replay a run's random choices; thread interleaving still varies).
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

METRIC = "crash.loop"
WORKERS = 4
GROUPS = 4                  # a request writes one group of series; workers share the groups
SERIES_PER_GROUP = 4
POINTS = 4                  # points per series per request
STEP_MS = 250               # 4 points per second: fractional-second timestamps too
TILE_MS = POINTS * STEP_MS  # the time range one request covers
SPAN_MS = 6 * 3600 * 1000   # written timestamps lie in [base, base + 6h)
TILES = SPAN_MS // TILE_MS
LATE_FRACTION = 0.15        # requests that go back into the oldest third of the span
MAX_REQUESTS_PER_WORKER_CYCLE = 2000
CYCLE_WRITE_SECONDS = 20    # hard stop for a writer, far beyond the kill delay

# Make the head flush to blocks (and blocks compact) many times during the test. Older
# binaries ignore unknown BASIN_* variables.
SERVER_ENV = {
    "BASIN_HEAD_MAX_SAMPLES": "3000",
    "BASIN_HEAD_FLUSH_INTERVAL": "1s",
    "BASIN_COMPACTION_INTERVAL": "1s",
}


def host_name(group, index):
    return f"h{group}-{index}"


class Ledger:
    """What was sent and what was acknowledged, and which (group, time tile) pairs are used."""

    def __init__(self, base_ms):
        self.base_ms = base_ms
        self.lock = threading.Lock()
        self.used = [bytearray(TILES) for _ in range(GROUPS)]
        self.sent = {}        # (host, ts_ms) -> value, for every request attempted
        self.acked = {}       # (host, ts_ms) -> value, for requests answered 202
        self.unexpected = []  # non-202 answers and connection errors while the server was up

    def take_tile(self, group, start, direction):
        """The first unused tile of `group` from `start` in `direction` (wrapping), marked used."""
        with self.lock:
            used = self.used[group]
            for n in range(TILES):
                tile = (start + direction * n) % TILES
                if not used[tile]:
                    used[tile] = 1
                    return tile
        return None

    def value(self, group, index, ts_ms):
        """The one value ever written at (series, ts): encodes both, exact in binary64."""
        return (group * SERIES_PER_GROUP + index) * 10_000_000 + (ts_ms - self.base_ms) // STEP_MS + 0.5

    def batch(self, group, tile, shuffle_rng=None):
        """The request body for one tile of one group, and its samples."""
        series, samples = [], []
        for index in range(SERIES_PER_GROUP):
            host = host_name(group, index)
            points = []
            for k in range(POINTS):
                ts_ms = self.base_ms + tile * TILE_MS + k * STEP_MS
                value = self.value(group, index, ts_ms)
                ts = ts_ms // 1000 if ts_ms % 1000 == 0 else ts_ms / 1000
                points.append([ts, value])
                samples.append(((host, ts_ms), value))
            if shuffle_rng is not None:
                shuffle_rng.shuffle(points)  # out of order within one request too
            series.append({"metric": METRIC, "host": host, "type": "gauge", "points": points})
        return json.dumps({"series": series}), samples


class Cycle:
    """One server lifetime's writers: 4 threads posting until stopped or killed."""

    def __init__(self, number, server, token, ledger):
        self.number = number
        self.server = server
        self.token = token
        self.ledger = ledger
        self.killed = threading.Event()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.acked_requests = 0
        self.failed_requests = 0
        self.threads = [threading.Thread(target=self.writer, args=(w,), daemon=True) for w in range(WORKERS)]

    def writer(self, worker):
        rng = random.Random(f"{SEED}:{self.number}:{worker}")
        direction = rng.choice((1, -1))
        cursor = rng.randrange(TILES)
        session = requests.Session()
        headers = {"DD-API-KEY": self.token, "Content-Type": "application/json"}
        deadline = time.monotonic() + CYCLE_WRITE_SECONDS
        for _ in range(MAX_REQUESTS_PER_WORKER_CYCLE):
            if self.stop.is_set() or time.monotonic() > deadline:
                break
            group = rng.randrange(GROUPS)
            if rng.random() < LATE_FRACTION:
                tile = self.ledger.take_tile(group, rng.randrange(TILES // 3), 1)
            else:
                tile = self.ledger.take_tile(group, cursor, direction)
                if tile is not None:
                    cursor = tile + direction
            if tile is None:
                break  # this group's time range is full
            body, samples = self.ledger.batch(group, tile, rng if rng.random() < 0.2 else None)
            with self.ledger.lock:
                self.ledger.sent.update(samples)
            with self.lock:
                self.in_flight += 1
            try:
                r = session.post(self.server.base + "/api/v1/series", data=body, headers=headers, timeout=15)
            except requests.RequestException as error:
                with self.lock:
                    self.in_flight -= 1
                    self.failed_requests += 1
                if not self.killed.is_set():
                    with self.ledger.lock:
                        self.ledger.unexpected.append(f"cycle {self.number}: {error!r} before the kill")
                break  # the server is gone; the next cycle starts a new one
            with self.lock:
                self.in_flight -= 1
            if r.status_code == 202:
                with self.ledger.lock:
                    self.ledger.acked.update(samples)
                with self.lock:
                    self.acked_requests += 1
            else:
                with self.ledger.lock:
                    self.ledger.unexpected.append(f"cycle {self.number}: HTTP {r.status_code} {r.text[:200]}")
        session.close()

    def run(self, kill_delay):
        """Writes for `kill_delay` seconds, SIGKILLs the server, and returns the in-flight count at the kill."""
        for t in self.threads:
            t.start()
        time.sleep(kill_delay)
        with self.lock:
            in_flight = self.in_flight
        self.killed.set()
        self.server.kill()
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in self.threads), f"cycle {self.number}: a writer did not stop"
        return in_flight


def read_all(server, token, ledger):
    """Every raw sample of the metric: {(host, ts_ms): [values...]} plus problems seen in the shape."""
    end_ms = ledger.base_ms + SPAN_MS + 3600 * 1000
    range_seconds = (SPAN_MS + 2 * 3600 * 1000) // 1000  # (base - 1h, base + 7h]
    r = requests.post(server.base + "/prometheus/api/v1/query",
                      data={"query": '{"%s"}[%ds]' % (METRIC, range_seconds), "time": "%.3f" % (end_ms / 1000)},
                      headers={"Authorization": f"Bearer {token}"}, timeout=120)
    assert r.status_code == 200, r.text[:1000]
    body = r.json()
    assert body["status"] == "success", body
    assert body["data"]["resultType"] == "matrix", body["data"]["resultType"]
    found, problems, seen_series = {}, [], set()
    for series in body["data"]["result"]:
        labels = series["metric"]
        host = labels.get("host")
        if set(labels) != {"__name__", "host"} or labels["__name__"] != METRIC:
            problems.append(f"unexpected labels {labels}")
        if host in seen_series:
            problems.append(f"series host={host} returned twice")
        seen_series.add(host)
        previous = None
        for t, v in series["values"]:
            ts_ms = round(float(t) * 1000)
            if previous is not None and ts_ms <= previous:
                problems.append(f"host={host}: timestamp {t} after {previous / 1000} (repeated or unsorted)")
            previous = ts_ms
            found.setdefault((host, ts_ms), []).append(float(v))
    return found, problems


def verify(server, token, ledger, after_cycle):
    started = time.monotonic()
    found, problems = read_all(server, token, ledger)
    read_seconds = time.monotonic() - started
    duplicated = [(k, vs) for k, vs in found.items() if len(vs) > 1]
    missing = [(k, v) for k, v in ledger.acked.items() if k not in found]
    wrong_acked = [(k, v, found[k]) for k, v in ledger.acked.items() if k in found and found[k] != [v]]
    unsent = [(k, vs) for k, vs in found.items() if k not in ledger.sent]
    wrong = [(k, vs, ledger.sent[k]) for k, vs in found.items() if k in ledger.sent and any(x != ledger.sent[k] for x in vs)]
    samples_found = sum(len(vs) for vs in found.values())
    print(f"verify after cycle {after_cycle}: acknowledged {len(ledger.acked)}, sent {len(ledger.sent)}, "
          f"found {samples_found} (read {read_seconds:.1f}s, checked {time.monotonic() - started - read_seconds:.1f}s)")
    report = []
    for name, items in [("shape problems", problems), ("duplicated (series, ts)", duplicated),
                        ("acknowledged samples missing", missing), ("acknowledged samples with another value", wrong_acked),
                        ("samples never sent", unsent), ("samples with a value never sent", wrong)]:
        if items:
            report.append(f"{len(items)} {name}, e.g. {sorted(items)[:5]}")
    assert not report, (f"seed {SEED}, after cycle {after_cycle}:\n" + "\n".join(report)
                        + "\nserver log tail:\n" + server.log())
    return samples_found


def test_sigkill_loop_under_concurrent_ingest_loses_and_duplicates_nothing(data_dir):
    print(f"\ncrash loop: {CYCLES} cycles, seed {SEED} (replay with BASIN_CRASH_SEED={SEED})")
    rng = random.Random(SEED)
    ledger = Ledger(base_ms=(int(time.time()) - SPAN_MS // 1000) * 1000)
    test_started = time.monotonic()
    server = None
    kills_in_flight = 0
    try:
        for number in range(1, CYCLES + 1):
            server = BasinProcess(data_dir).start(env=SERVER_ENV)
            token = server.admin_token()
            if number > 1 and (number - 1) % VERIFY_EVERY == 0:
                verify(server, token, ledger, number - 1)  # restarted after a kill: check, then continue
            cycle = Cycle(number, server, token, ledger)
            delay = rng.uniform(0.2, 1.5)
            in_flight = cycle.run(delay)
            kills_in_flight += in_flight > 0
            print(f"cycle {number}: killed after {delay:.2f}s with {in_flight} in flight; "
                  f"{cycle.acked_requests} acknowledged, {cycle.failed_requests} cut off")
            assert not ledger.unexpected, (f"seed {SEED}: unexpected answers while the server was up: "
                                           f"{ledger.unexpected[:5]}\nserver log tail:\n{server.log()}")
        assert ledger.acked, "no request was ever acknowledged; the test proved nothing"

        server = BasinProcess(data_dir).start(env=SERVER_ENV)
        found = verify(server, server.admin_token(), ledger, CYCLES)
        server.stop()
        print(f"crash loop done: {CYCLES} cycles ({kills_in_flight} killed with requests in flight), "
              f"{len(ledger.acked)} acknowledged samples, {found} samples found, "
              f"{time.monotonic() - test_started:.1f}s, seed {SEED}")
    finally:
        if server is not None and server.proc is not None and server.proc.poll() is None:
            server.kill()
