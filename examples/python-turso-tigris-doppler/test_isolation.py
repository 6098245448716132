"""Isolation, end to end: the CLI forks dev into an environment, the app serves that environment on a
free port, a note posted to it (a row and a file) lands there, and dev's database and bucket are
byte for byte what they were. Then the environment is deleted.

    make test-isolation        (FORK_STACK=... picks the CLI; runs `make envs-init` first)
"""

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import app  # noqa: E402
import env_utils  # noqa: E402

CLI = shlex.split(os.environ.get("FORK_STACK_CLI") or "npx --no-install fork-stack")
ENV = os.environ.get("FORK_STACK_TEST_ENV") or "itest"


def child_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("FORK_STACK_ENV", "ENV")}
    env.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def fingerprint(env):
    """Every byte of an environment's database file and bucket directory."""
    config = env_utils.EnvConfig(cwd=HERE, environ={"FORK_STACK_ENV": env})
    digest = {}
    with open(config.get_local_db_path(), "rb") as handle:
        digest["database"] = hashlib.sha256(handle.read()).hexdigest()
    bucket = config.get_bucket_name()
    for directory, _, names in os.walk(bucket):
        for name in names:
            with open(os.path.join(directory, name), "rb") as handle:
                digest[os.path.relpath(os.path.join(directory, name), bucket)] = hashlib.sha256(handle.read()).hexdigest()
    return digest


@unittest.skipUnless(os.environ.get("FORK_STACK_INTEGRATION") == "1", "set FORK_STACK_INTEGRATION=1 (make test-isolation)")
class IsolationTest(unittest.TestCase):
    def cli(self, *args):
        result = subprocess.run(CLI + list(args), cwd=HERE, env=child_env(), capture_output=True, text=True, check=False)
        self.assertEqual(result.returncode, 0, "fork-stack %s: %s%s" % (" ".join(args), result.stdout, result.stderr))
        return result.stdout

    def serve(self):
        """The app in the current environment, on a free port (make up does the same on PORT)."""
        server = subprocess.Popen([sys.executable, "app.py", "--port", "0"], cwd=HERE, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        line = server.stdout.readline()
        match = re.match(r"serving (\S+) on (http://\S+)", line)
        self.assertIsNotNone(match, line)
        return match.group(1), match.group(2)

    def request(self, url, data=None):
        req = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read())

    def tearDown(self):
        subprocess.run(CLI + ["switch", "dev"], cwd=HERE, env=child_env(), capture_output=True, check=False)
        subprocess.run(CLI + ["delete", ENV, "--yes"], cwd=HERE, env=child_env(), capture_output=True, check=False)

    def test_a_note_written_in_a_fork_leaves_dev_unchanged(self):
        self.cli("switch", "dev")
        app.Store(env_utils.EnvConfig(cwd=HERE, environ={"FORK_STACK_ENV": "dev"})).add("dev's note")
        dev_before = fingerprint("dev")

        self.cli("create", ENV, "--switch")
        env, base = self.serve()
        self.assertEqual(env, ENV)
        status, before = self.request(base + "/api/status")
        self.assertEqual(before["env"], ENV)
        self.assertIn("dev's note", [n["body"] for n in before["notes"]])  # forked with dev's data

        status, added = self.request(base + "/notes", data=b"body=only+in+the+fork")
        self.assertEqual((status, added["env"]), (201, ENV))
        status, after = self.request(base + "/api/status")
        self.assertEqual(len(after["notes"]), len(before["notes"]) + 1)
        self.assertIn(added["key"], after["files"])
        with urllib.request.urlopen(base + "/", timeout=30) as response:
            self.assertIn(b"only in the fork", response.read())

        # dev did not change: same bytes in its database file and bucket.
        self.assertEqual(fingerprint("dev"), dev_before)
        dev = app.Store(env_utils.EnvConfig(cwd=HERE, environ={"FORK_STACK_ENV": "dev"})).status()
        self.assertNotIn("only in the fork", [n["body"] for n in dev["notes"]])
        self.assertNotIn(added["key"], dev["files"])


if __name__ == "__main__":
    unittest.main()
