"""Notes, on the local stack: a row in SQLite and a file in the bucket per note, in whichever
environment is current.

    python3 example/app.py                 what the current environment holds
    python3 example/app.py add "hello"     writes a row and a file in the current environment
    python3 example/app.py --json [...]    the same, as JSON

Everything it touches comes from the reader (env_utils.py): DATABASE_URL (a file: URL), BUCKET_NAME
(a directory) and the secrets — so `make envs-switch alice` moves it to alice's copies without a
restart of anything but this process.
"""

import argparse
import json
import os
import sqlite3
import sys
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

# env_utils.py sits in the project root, next to this folder.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import env_utils  # noqa: E402

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at TEXT NOT NULL)"


def connect(config: env_utils.EnvConfig) -> sqlite3.Connection:
    url = config.get_database_url()
    if not url.startswith("file:"):
        raise SystemExit("this example needs the sqlite provider (a file: DATABASE_URL); got a %s URL" % url.split(":", 1)[0])
    # The file: URL is percent-encoded the way SQLite's URI filenames are: open it as a URI, read-write
    # but never create: a missing file means the environment was never created (or was deleted).
    try:
        db = sqlite3.connect(url + ("&" if "?" in url else "?") + "mode=rw", uri=True)
    except sqlite3.OperationalError as error:
        raise SystemExit("cannot open the database of %s (%s): %s. Create the environment first: make envs-new %s"
                         % (config.get_current_env(), url, error, config.get_current_env()))
    db.execute(SCHEMA)
    return db


def bucket_files(bucket: str) -> List[str]:
    found = []
    for directory, _, files in os.walk(bucket):
        for name in files:
            found.append(os.path.relpath(os.path.join(directory, name), bucket))
    return sorted(found)


def status(config: env_utils.EnvConfig) -> Dict[str, Any]:
    bucket = config.get_bucket_name()
    db = connect(config)
    try:
        notes = [{"id": row[0], "body": row[1]} for row in db.execute("SELECT id, body FROM notes ORDER BY id")]
    finally:
        db.close()
    return {
        "env": config.get_current_env(),
        "project": config.get_project_name(),
        "database_url": config.get_database_url(),
        "bucket": bucket,
        "notes": notes,
        "files": bucket_files(bucket),
        "greeting": config.lookup_secret("GREETING"),
    }


def add_note(config: env_utils.EnvConfig, body: str) -> Dict[str, Any]:
    """One note = one row and one file, both in the current environment."""
    bucket = config.get_bucket_name()
    db = connect(config)
    try:
        with db:  # one transaction
            cursor = db.execute("INSERT INTO notes (body, created_at) VALUES (?, ?)", (body, datetime.now(timezone.utc).isoformat()))
        note_id = cursor.lastrowid
    finally:
        db.close()
    key = config.get_s3_key("notes", "%d.txt" % note_id)
    path = os.path.join(bucket, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(body + "\n")
    return {"env": config.get_current_env(), "id": note_id, "key": key}


def main(argv: Optional[List[str]] = None, config: Optional[env_utils.EnvConfig] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    sub = parser.add_subparsers(dest="command")
    add = sub.add_parser("add", help="write a note (a row and a file)")
    add.add_argument("body")
    args = parser.parse_args(argv)
    config = config or env_utils.get_config()
    try:
        result = add_note(config, args.body) if args.command == "add" else status(config)
    except env_utils.ForkStackError as error:
        print("error: %s" % error, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.command == "add":
        print("note %(id)d written in %(env)s (row + %(key)s)" % result)
    else:
        print("environment  %s" % result["env"])
        print("database     %s" % result["database_url"])
        print("bucket       %s" % result["bucket"])
        print("notes        %d  %s" % (len(result["notes"]), ", ".join(n["body"] for n in result["notes"])))
        print("files        %d  %s" % (len(result["files"]), ", ".join(result["files"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
