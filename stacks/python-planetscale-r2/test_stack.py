"""Unit tests of this stack: its fork-stack.toml read through env_utils.py, and the example app on
the values `fork-stack switch` writes. Standard library only; no account, no CLI, no network
(`make test-integration` runs the CLI).

    python3 -m unittest -v test_stack
"""

import contextlib
import importlib.util
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "example"))

import app  # noqa: E402
import env_utils  # noqa: E402

# What fork-stack.toml's naming conventions give when no env file exists yet (None: no convention,
# the value comes only from `fork-stack switch`).
CONVENTIONS = {
    "prod": {
        "database_url": None,
        "bucket": "myapp-bucket-prod"
    },
    "dev": {
        "database_url": None,
        "bucket": "myapp-bucket-dev"
    },
    "alice": {
        "database_url": None,
        "bucket": "myapp-bucket-alice"
    }
}

# An env file as `fork-stack switch alice` writes it for this stack (values shaped like the providers').
ALICE_ENV_FILE = {
    "FORK_STACK_ENV": "alice",
    "DATABASE_URL": "mysql://abc123user:pw-alice@aws.connect.psdb.cloud/myapp?sslaccept=strict",
    "BUCKET_NAME": "myapp-bucket-alice",
    "BUCKET_UPLOADS": "myapp-bucket-alice",
    "AWS_REGION": "auto",
    "AWS_ENDPOINT_URL_S3": "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com"
}

ALICE_DESCRIBED = {
    "env": "alice",
    "project": "myapp",
    "database": {
        "provider": "planetscale",
        "url": "mysql://abc123user:****@aws.connect.psdb.cloud/myapp?sslaccept=strict",
        "auth_token": None
    },
    "storage": {
        "provider": "r2",
        "bucket": "myapp-bucket-alice",
        "endpoint": "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
        "region": "auto"
    },
    "secrets": []
}


class StackTest(unittest.TestCase):
    def setUp(self):
        # A copy of the stack's config in a fresh project: what a user has after copying the stack.
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="stack-python-planetscale-r2-"))
        self.addCleanup(shutil.rmtree, self.root, True)
        shutil.copy(os.path.join(HERE, "fork-stack.toml"), self.root)

    def config(self, env=None, **environ):
        if env:
            environ["FORK_STACK_ENV"] = env
        return env_utils.EnvConfig(cwd=self.root, environ=environ)

    def switch(self, env, values):
        """What `fork-stack switch <env>` leaves: .current-env and the env file."""
        os.makedirs(os.path.join(self.root, ".fork-stack", "envs"), exist_ok=True)
        with open(os.path.join(self.root, ".current-env"), "w") as handle:
            handle.write(env + "\n")
        with open(os.path.join(self.root, ".fork-stack", "envs", env + ".env"), "w") as handle:
            handle.write("".join("%s=%s\n" % (k, json.dumps(v)) for k, v in values.items()))

    def test_the_config_names_the_project_and_the_conventions(self):
        self.assertEqual(self.config("dev").get_project_name(), "myapp")
        for env, expected in CONVENTIONS.items():
            config = self.config(env)
            self.assertEqual(config.get_bucket_name(), expected["bucket"], env)
            self.assertEqual(config.get_bucket_name("uploads"), expected["bucket"], env)
            if expected["database_url"] is None:
                with self.assertRaises(env_utils.ForkStackError) as raised:
                    config.get_database_url()
                self.assertEqual(raised.exception.code, "missing-value")
                self.assertIn("fork-stack switch %s" % env, str(raised.exception))
            else:
                self.assertEqual(config.get_database_url(), expected["database_url"], env)

    def test_the_app_reads_what_switch_wrote(self):
        self.switch("alice", ALICE_ENV_FILE)
        described = app.describe(self.config())
        self.assertEqual(described, ALICE_DESCRIBED)
        self.assertNotIn("pw-alice", json.dumps(described))

    def test_production_needs_no_file(self):
        # The platform injects the variables; ENV=production selects prod.
        environ = dict(ALICE_ENV_FILE, ENV="production")
        del environ["FORK_STACK_ENV"]
        described = app.describe(self.config(**environ))
        self.assertEqual(described["env"], "prod")
        self.assertEqual(described["storage"]["bucket"], ALICE_ENV_FILE["BUCKET_NAME"])

    def test_the_process_environment_wins_over_the_env_file(self):
        self.switch("alice", ALICE_ENV_FILE)
        config = self.config(BUCKET_NAME="override-bucket")
        self.assertEqual(app.describe(config)["storage"]["bucket"], "override-bucket")

    def test_text_output(self):
        self.switch("alice", ALICE_ENV_FILE)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(app.main([], config=self.config()), 0)
        text = out.getvalue()
        self.assertIn("environment  alice  (project myapp)", text)
        self.assertIn(ALICE_ENV_FILE["BUCKET_NAME"], text)
        self.assertNotIn("pw-alice", text)

    def test_a_broken_env_file_is_a_clear_error(self):
        self.switch("alice", {})
        with open(os.path.join(self.root, ".fork-stack", "envs", "alice.env"), "w") as handle:
            handle.write("not a line\n")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(app.main([], config=self.config()), 1)
        self.assertIn("alice.env", err.getvalue())

    def test_mask_url(self):
        self.assertEqual(app.mask_url("postgresql://u:secret@h.example:5432/db?x=1"), "postgresql://u:****@h.example:5432/db?x=1")
        self.assertEqual(app.mask_url("libsql://db-org.turso.io"), "libsql://db-org.turso.io")

    @unittest.skipIf(importlib.util.find_spec("pymysql") is not None, "the pymysql client is installed here")
    def test_connect_without_the_client_says_what_to_install(self):
        self.switch("alice", ALICE_ENV_FILE)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(app.main(["--connect"], config=self.config()), 2)
        self.assertIn("pip install", err.getvalue())


if __name__ == "__main__":
    unittest.main()
