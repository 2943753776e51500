"""Publish each built generation to an S3-compatible bucket (every Chinese cloud's object store speaks it).

Set ``SITE_OBJECT_STORE`` (environment ``JICENG_S3_ENDPOINT``, ``JICENG_S3_BUCKET``, ``JICENG_S3_ACCESS_KEY``,
``JICENG_S3_SECRET_KEY``, optional ``JICENG_S3_PREFIX``, ``JICENG_S3_GRACE_SECONDS``, ``JICENG_CDN_PURGE``) and
every build also brings the bucket up to date:

- **Only what changed goes up.** The bucket holds a manifest (``<prefix>.jiceng/manifest.json``: each path's
  SHA-256) beside the site; a file whose digest the manifest already has is not sent again. Local digests are
  kept by inode, size and time, so an unchanged file (a hard link from the previous generation) is not read.
- **Each object as a browser needs it**: its content type; ``Content-Encoding`` on the compressed copies
  (``x.html.br`` is ``text/html`` encoded ``br``); the site's cache policy (fingerprinted names immutable for
  ten years, pages and JSON revalidated, the rest a day: ``middleware.cache_control``).
- **Readers never see a page whose assets are missing**: files that are named by their content (assets,
  pictures, annexes, search bundles) go up first, then every other file but the pages, then the pages and
  their JSON, then the manifest. Objects the site no longer has are deleted only after a grace period
  (a reader may hold a page that names them), recorded in the manifest.
- **A CDN is told** which paths changed (``JICENG_CDN_PURGE``: a dotted path to a callable taking them).
- **An outage changes nothing already served**: the error is kept in the build's problems and in
  ``<site>.store-state.json``; the scheduler tries again (``tasks.retry_store_sync``), and the next build's
  comparison with the manifest sends whatever is still missing.
"""

import hashlib
import json
import logging
import os
import time
from pathlib import Path

from whitenoise.media_types import MediaTypes

from django.conf import settings
from django.utils.module_loading import import_string

from .middleware import FINGERPRINTED, cache_control

log = logging.getLogger(__name__)

MANIFEST = ".jiceng/manifest.json"
ENCODINGS = {".br": "br", ".gz": "gzip"}
MEDIA_TYPES = MediaTypes()


class StoreError(Exception):
    """The bucket could not be brought up to date (in Chinese); what it served before is unchanged."""


def configured():
    return bool(getattr(settings, "SITE_OBJECT_STORE", None))


def client(config):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=config["endpoint_url"],
        aws_access_key_id=config["access_key"],
        aws_secret_access_key=config["secret_key"],
        region_name=config.get("region") or "us-east-1",
        config=Config(
            s3={"addressing_style": "path"},
            retries={"max_attempts": int(config.get("attempts", 3)), "mode": "standard"},
            connect_timeout=float(config.get("connect_timeout", 3)),
            read_timeout=float(config.get("read_timeout", 30)),
        ),
    )


def headers(path):
    """(content type, content encoding or None, cache control) of a site path: what the project's own server
    (WhiteNoise and ``middleware.cache_control``) sends for it."""
    name, encoding = path, None
    for suffix, value in ENCODINGS.items():
        if path.endswith(suffix):
            name, encoding = path[: -len(suffix)], value
            break
    kind = MEDIA_TYPES.get_type(name)
    if kind.startswith("text/"):
        kind += "; charset=utf-8"
    return kind, encoding, cache_control("/" + name)


def rank(path):
    """Upload order: content-named files, then other files, then pages and JSON (and their copies)."""
    base = path.removesuffix(".br").removesuffix(".gz")
    if FINGERPRINTED.search("/" + base):
        return 0
    if base.endswith((".html", ".json", ".xml")):
        return 2
    return 1


class LocalDigests:
    """SHA-256 of the files of a generation, remembered by (inode, size, mtime) between builds."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.known = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}

    def scan(self, root):
        found, seen = {}, {}
        root = Path(root)
        for folder, dirs, names in os.walk(root, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                full = os.path.join(folder, name)
                stat = os.stat(full)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                key = f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"
                digest = self.known.get(key)
                if digest is None:
                    with open(full, "rb") as fh:
                        digest = hashlib.file_digest(fh, "sha256").hexdigest()
                seen[key] = digest
                found[rel] = digest
        self.known = seen
        return found

    def save(self):
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.known), encoding="utf-8")
        tmp.replace(self.path)


class Store:
    def __init__(self, config):
        self.config = config
        self.bucket = config["bucket"]
        self.prefix = (config.get("prefix") or "").strip("/")
        self.prefix = f"{self.prefix}/" if self.prefix else ""
        self.s3 = client(config)

    def key(self, path):
        return self.prefix + path

    def manifest(self):
        from botocore.exceptions import ClientError

        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key(MANIFEST))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return {"files": {}, "removed": {}}
            raise
        data = json.loads(body)
        return {"files": data.get("files", {}), "removed": data.get("removed", {})}

    def put(self, root, path):
        kind, encoding, cache = headers(path)
        extra = {"ContentType": kind, "CacheControl": cache}
        if encoding:
            extra["ContentEncoding"] = encoding
        with open(Path(root) / path, "rb") as fh:
            self.s3.put_object(Bucket=self.bucket, Key=self.key(path), Body=fh.read(), **extra)

    def write_manifest(self, files, removed, generation):
        body = json.dumps({"generation": generation, "files": files, "removed": removed}, sort_keys=True)
        self.s3.put_object(
            Bucket=self.bucket,
            Key=self.key(MANIFEST),
            Body=body.encode(),
            ContentType="application/json",
            CacheControl="no-cache",
        )

    def delete(self, paths):
        paths = list(paths)
        for start in range(0, len(paths), 1000):
            chunk = [{"Key": self.key(p)} for p in paths[start : start + 1000]]
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})


def publish(root, generation="", say=None, now=None, grace=None):
    """Bring the bucket up to the site in ``root``; returns {"uploaded", "deleted", "kept"} counts. Raises
    StoreError (in Chinese) when the bucket cannot be reached or refuses; the state file records it."""
    say = say or (lambda message: None)
    config = settings.SITE_OBJECT_STORE
    root = Path(root).resolve()
    now = time.time() if now is None else now
    grace = float(config.get("grace_seconds", 3600) if grace is None else grace)
    state = state_path()
    digests = LocalDigests(state.with_name(state.name + ".digests"))
    try:
        store = Store(config)
        local = digests.scan(root)
        remote = store.manifest()
        changed = sorted((p for p, d in local.items() if remote["files"].get(p) != d), key=lambda p: (rank(p), p))
        say(f"同步到对象存储：上传 {len(changed)} 个文件…")
        for n, path in enumerate(changed, start=1):
            store.put(root, path)
            if n % 500 == 0:
                say(f"同步到对象存储：已上传 {n}/{len(changed)}")
        removed = {p: t for p, t in remote["removed"].items() if p not in local}
        for path in remote["files"]:
            if path not in local and path not in removed:
                removed[path] = now + grace
        due = sorted(p for p, t in removed.items() if t <= now)
        store.write_manifest(local, {p: t for p, t in removed.items() if t > now}, generation)
        store.delete(due)
    except Exception as exc:
        record_state(generation, error=describe(exc))
        raise StoreError(f"对象存储同步失败（网站仍显示上一版，稍后自动重试）：{describe(exc)}") from exc
    digests.save()
    record_state(generation)
    purge = config.get("purge")
    if purge and (changed or due):
        try:
            import_string(purge)(sorted(set(changed) | set(due)))
        except Exception:  # the bucket is right; a CDN that missed a purge expires by itself
            log.exception("CDN purge hook failed")
    return {"uploaded": len(changed), "deleted": len(due), "kept": len(local) - len(changed)}


def describe(exc):
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


def state_path():
    output = Path(settings.SITE_OUTPUT_DIR)
    return output.with_name(output.name + ".store-state.json")


def record_state(generation, error=""):
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"generation": generation, "error": error, "at": time.time()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_state():
    try:
        return json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
