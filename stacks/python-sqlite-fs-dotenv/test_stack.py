"""Unit tests of this stack: its fork-stack.toml read through env_utils.py, and the example app in
two environments. Standard library only; no CLI needed (`make test-integration` runs the CLI).

    python3 -m unittest -v test_stack
"""

import contextlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "example"))

import app  # noqa: E402
import env_utils  # noqa: E402


class StackTest(unittest.TestCase):
    def setUp(self):
        # A copy of the stack's config in a fresh project: what a user has after copying the stack.
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="stack-python-local-"))
        self.addCleanup(shutil.rmtree, self.root, True)
        shutil.copy(os.path.join(HERE, "fork-stack.toml"), self.root)

    def config(self, env, **extra):
        return env_utils.EnvConfig(cwd=self.root, environ=dict({"FORK_STACK_ENV": env}, **extra))

    def create(self, *envs):
        """What `fork-stack create` leaves for the app: the database file and the bucket directory."""
        for env in envs:
            config = self.config(env)
            os.makedirs(os.path.dirname(config.get_local_db_path()), exist_ok=True)
            open(config.get_local_db_path(), "a").close()
            os.makedirs(config.get_bucket_name(), exist_ok=True)

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)

    def test_each_environment_has_its_own_database_file_and_bucket_directory(self):
        alice = self.config("alice")
        self.assertEqual(alice.get_project_name(), "myapp")
        self.assertEqual(alice.get_database_url(), "file:%s/.fork-stack/data/myapp.alice.db" % self.root)
        self.assertEqual(str(alice.get_local_db_path()), "%s/.fork-stack/data/myapp.alice.db" % self.root)
        self.assertEqual(alice.get_bucket_name(), "%s/.fork-stack/buckets/myapp-bucket-alice" % self.root)
        self.assertEqual(alice.get_bucket_name("uploads"), alice.get_bucket_name())
        self.assertEqual(self.config("dev").get_bucket_name(), "%s/.fork-stack/buckets/myapp-bucket-dev" % self.root)
        self.assertEqual(self.config("production").get_current_env(), "prod")

    def test_the_current_env_file_and_the_env_file_decide(self):
        self.write(".current-env", "alice\n")
        self.write(".fork-stack/envs/alice.env", "DATABASE_URL=file:/elsewhere/alice.db\nGREETING='hi alice'\n")
        config = env_utils.EnvConfig(cwd=os.path.join(self.root), environ={})
        self.assertEqual(config.get_current_env(), "alice")
        self.assertEqual(config.get_database_url(), "file:/elsewhere/alice.db")
        self.assertEqual(config.get_secret("GREETING"), "hi alice")
        # The process environment wins over the file (how production injects values).
        self.assertEqual(env_utils.EnvConfig(cwd=self.root, environ={"GREETING": "from the platform"}).get_secret("GREETING"), "from the platform")

    def test_a_note_lands_in_the_current_environment_only(self):
        self.create("dev", "alice")
        dev, alice = self.config("dev"), self.config("alice")
        app.add_note(dev, "dev's note")
        first = app.add_note(alice, "alice's note")
        app.add_note(alice, "another")
        self.assertEqual(first, {"env": "alice", "id": 1, "key": "notes/1.txt"})
        self.assertEqual([n["body"] for n in app.status(alice)["notes"]], ["alice's note", "another"])
        self.assertEqual(app.status(alice)["files"], ["notes/1.txt", "notes/2.txt"])
        self.assertEqual([n["body"] for n in app.status(dev)["notes"]], ["dev's note"])
        self.assertEqual(app.status(dev)["files"], ["notes/1.txt"])
        with open(os.path.join(alice.get_bucket_name(), "notes", "2.txt"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "another\n")
        db = sqlite3.connect(alice.get_local_db_path())
        try:
            self.assertEqual(db.execute("SELECT count(*) FROM notes").fetchone()[0], 2)
        finally:
            db.close()

    def test_the_command_line(self):
        self.create("bob")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(app.main(["--json", "add", "hello"], config=self.config("bob")), 0)
        self.assertEqual(json.loads(out.getvalue()), {"env": "bob", "id": 1, "key": "notes/1.txt"})
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(app.main([], config=self.config("bob")), 0)
        self.assertIn("notes        1  hello", out.getvalue())

    def test_an_environment_that_was_never_created_is_not_created_by_the_app(self):
        with self.assertRaises(SystemExit) as raised:
            app.add_note(self.config("ghost"), "boo")
        self.assertIn("make envs-new ghost", str(raised.exception))
        self.assertFalse(os.path.exists(self.config("ghost").get_local_db_path()))

    def test_a_database_url_of_another_provider_is_refused_with_a_message(self):
        config = self.config("alice", DATABASE_URL="libsql://myapp-alice-org.turso.io")
        with self.assertRaises(SystemExit) as raised:
            app.status(config)
        self.assertIn("needs the sqlite provider", str(raised.exception))

    def test_a_broken_current_env_is_a_clear_error(self):
        self.write(".current-env", "Not A Name\n")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(app.main([], config=env_utils.EnvConfig(cwd=self.root, environ={})), 1)
        self.assertIn(".current-env", err.getvalue())


if __name__ == "__main__":
    unittest.main()
