"""Notes: a small web app written for the python-turso-tigris-doppler stack, runnable on the local stack.

    python3 app.py [--port 8000]     serve http://127.0.0.1:8000 in the current environment

    GET  /             the environment's notes (rows) and files (bucket objects)
    POST /notes        body=<text>: one row in the database and one object in the bucket
    GET  /api/status   the same as JSON

The app only asks the reader (env_utils.py) — DATABASE_URL, DATABASE_AUTH_TOKEN, BUCKET_NAME,
AWS_ENDPOINT_URL_S3, the secrets — and picks its drivers from what it gets:

- database: a ``file:`` URL (the local stack, fork-stack.toml) opens with the standard library's sqlite3;
  a ``libsql://`` URL (Turso, fork-stack.production.toml) with the ``libsql`` package;
- bucket: an absolute directory (the local ``fs`` provider) is written with plain files; a bucket name
  (Tigris) with ``boto3``, which reads AWS_ENDPOINT_URL_S3 and the app's AWS_ACCESS_KEY_ID/SECRET.

libsql and boto3 are not installed here (no PyPI): the local run needs nothing beyond Python.
"""

import argparse
import html
import json
import os
import sqlite3
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import env_utils  # noqa: E402

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at TEXT NOT NULL)"


class Store:
    """The current environment's database and bucket, whichever providers the config names."""

    def __init__(self, config: env_utils.EnvConfig) -> None:
        self.config = config

    # -- database ------------------------------------------------------------------------------------

    def connect(self) -> Any:
        url = self.config.get_database_url()
        if url.startswith("file:"):
            # mode=rw: a missing file means the environment does not exist; never create one by accident.
            db = sqlite3.connect(url + ("&" if "?" in url else "?") + "mode=rw", uri=True)
        elif url.startswith("libsql://"):
            import libsql  # production: pip install libsql

            root = self.config.get_project_root() or os.getcwd()
            db = libsql.connect(os.path.join(root, ".fork-stack", "replica.db"), sync_url=url, auth_token=self.config.get_database_auth_token() or "")
            db.sync()
        else:
            raise RuntimeError("unsupported DATABASE_URL scheme %r" % url.split(":", 1)[0])
        db.execute(SCHEMA)
        return db

    def notes(self) -> List[Dict[str, Any]]:
        db = self.connect()
        try:
            return [{"id": r[0], "body": r[1]} for r in db.execute("SELECT id, body FROM notes ORDER BY id").fetchall()]
        finally:
            db.close()

    # -- bucket --------------------------------------------------------------------------------------

    def _s3(self) -> Any:
        import boto3  # production: pip install boto3

        return boto3.client("s3", endpoint_url=self.config.lookup_secret("AWS_ENDPOINT_URL_S3"), region_name=self.config.lookup_secret("AWS_REGION"))

    def files(self) -> List[str]:
        bucket = self.config.get_bucket_name()
        if os.path.isabs(bucket):
            found = []
            for directory, _, names in os.walk(bucket):
                found += [os.path.relpath(os.path.join(directory, n), bucket) for n in names]
            return sorted(found)
        listing = self._s3().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    def put(self, key: str, text: str) -> None:
        bucket = self.config.get_bucket_name()
        if os.path.isabs(bucket):
            path = os.path.join(bucket, key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self._s3().put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"), ContentType="text/plain")

    # -- the app -------------------------------------------------------------------------------------

    def add(self, body: str) -> Dict[str, Any]:
        db = self.connect()
        try:
            cursor = db.execute("INSERT INTO notes (body, created_at) VALUES (?, ?)", (body, datetime.now(timezone.utc).isoformat()))
            note_id = cursor.lastrowid
            db.commit()
        finally:
            db.close()
        key = self.config.get_s3_key("notes", "%d.txt" % note_id)
        self.put(key, body + "\n")
        return {"env": self.config.get_current_env(), "id": note_id, "key": key}

    def status(self) -> Dict[str, Any]:
        return {
            "env": self.config.get_current_env(),
            "database_url": self.config.get_database_url(),
            "bucket": self.config.get_bucket_name(),
            "notes": self.notes(),
            "files": self.files(),
            "greeting": self.config.lookup_secret("GREETING"),
        }


def page(status: Dict[str, Any]) -> str:
    items = "".join("<li>%s</li>" % html.escape(n["body"]) for n in status["notes"])
    files = "".join("<li><code>%s</code></li>" % html.escape(f) for f in status["files"])
    return (
        "<!doctype html><meta charset=utf-8><title>notes — %(env)s</title>"
        "<h1>Notes in <code>%(env)s</code></h1><p>%(greeting)s</p>"
        "<form method=post action=/notes><input name=body required autofocus> <button>Add</button></form>"
        "<h2>Rows</h2><ul>%(items)s</ul><h2>Files in <code>%(bucket)s</code></h2><ul>%(files)s</ul>"
    ) % {"env": html.escape(status["env"]), "greeting": html.escape(status["greeting"] or ""), "items": items, "files": files, "bucket": html.escape(status["bucket"])}


def make_handler(store: Store) -> type:
    class Handler(BaseHTTPRequestHandler):
        def send(self, code: int, body: str, content_type: str, headers: Dict[str, str] = {}) -> None:
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def fail(self, error: BaseException) -> None:
            self.send(500, json.dumps({"error": str(error)}), "application/json")

        def do_GET(self) -> None:  # noqa: N802
            try:
                if self.path == "/api/status":
                    return self.send(200, json.dumps(store.status()), "application/json")
                if self.path == "/":
                    return self.send(200, page(store.status()), "text/html; charset=utf-8")
                self.send(404, json.dumps({"error": "not found"}), "application/json")
            except (env_utils.ForkStackError, sqlite3.Error, OSError, RuntimeError) as error:
                self.fail(error)

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/notes":
                return self.send(404, json.dumps({"error": "not found"}), "application/json")
            length = int(self.headers.get("Content-Length") or 0)
            body = parse_qs(self.rfile.read(length).decode("utf-8")).get("body", [""])[0].strip()
            if not body:
                return self.send(400, json.dumps({"error": "body is required"}), "application/json")
            try:
                added = store.add(body)
            except (env_utils.ForkStackError, sqlite3.Error, OSError, RuntimeError) as error:
                return self.fail(error)
            if "application/json" in (self.headers.get("Accept") or ""):
                return self.send(201, json.dumps(added), "application/json")
            self.send(303, "", "text/plain", {"Location": "/"})

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write("[%s] %s\n" % (store.config.get_current_env(), format % args))

    return Handler


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description="notes web app")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    config = env_utils.get_config()
    try:
        env = config.get_current_env()
    except env_utils.ForkStackError as error:
        print("error: %s" % error, file=sys.stderr)
        return 1
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Store(config)))
    print("serving %s on http://%s:%d" % (env, args.host, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
