"""Fixtures that run the real `basin` binary on a loopback port with a fresh data directory."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import shutil

import pytest
import requests

BINARY = os.environ.get("BASIN_BINARY") or os.path.join(
    os.path.dirname(__file__), "..", "..", ".build", "debug", "basin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BasinProcess:
    """One `basin serve` process; restartable on the same data directory."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(data_dir), os.path.basename(data_dir) + ".log")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, *extra, env=None):
        """Starts the server with extra flags and extra environment variables; waits for /readyz."""
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--data", self.data_dir, "--listen", f"127.0.0.1:{self.port}", *extra],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"basin exited with {self.proc.returncode}: {self.log()}")
            try:
                if requests.get(self.base + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("basin did not become ready: " + self.log())

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def admin_token(self):
        with open(os.path.join(self.data_dir, "admin-token")) as f:
            return f.read().strip()

    def kill(self):
        """SIGKILL: no shutdown code runs."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def create_token(self, scopes, org="default"):
        out = subprocess.run(
            [BINARY, "token", "create", "--data", self.data_dir, "--scopes", scopes, "--org", org],
            check=True, capture_output=True, text=True)
        return out.stdout.strip()


@pytest.fixture
def data_dir():
    root = tempfile.mkdtemp(prefix="basin-e2e-")
    yield os.path.join(root, "data")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def basin(data_dir):
    server = BasinProcess(data_dir).start()
    yield server
    server.stop()


def query_range(server, token, query, start, end, step):
    r = requests.post(server.base + "/prometheus/api/v1/query_range",
                      data={"query": query, "start": start, "end": end, "step": step},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "success", body
    return body["data"]["result"]
