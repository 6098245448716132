"""Integration test: the real CLI creates an environment, switches to it, the example app reads that
environment's values through env_utils.py and writes a note there, dev stays as it was, and the
environment is deleted.

    make test-integration          (runs `make envs-init` first; FORK_STACK=... picks the CLI)

Runs only with FORK_STACK_INTEGRATION=1. The CLI is FORK_STACK_CLI (default `npx --no-install
fork-stack`); the environment's name is FORK_STACK_TEST_ENV (default itest).
"""

import json
import os
import shlex
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = shlex.split(os.environ.get("FORK_STACK_CLI") or "npx --no-install fork-stack")
ENV = os.environ.get("FORK_STACK_TEST_ENV") or "itest"


def child_env():
    """The app and the CLI pick the environment from .current-env, as on a developer's machine."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORK_STACK_ENV", "ENV")}
    env.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def run(args, **kwargs):
    return subprocess.run(args, cwd=HERE, env=kwargs.pop("env", None) or child_env(), capture_output=True, text=True, check=False, **kwargs)


@unittest.skipUnless(os.environ.get("FORK_STACK_INTEGRATION") == "1", "set FORK_STACK_INTEGRATION=1 (make test-integration)")
class IntegrationTest(unittest.TestCase):
    def cli(self, *args):
        result = run(CLI + list(args))
        self.assertEqual(result.returncode, 0, "fork-stack %s failed:\n%s%s" % (" ".join(args), result.stdout, result.stderr))
        return result.stdout

    def app(self, *args, env_name=None):
        env = child_env()
        if env_name:
            env["FORK_STACK_ENV"] = env_name
        result = run([sys.executable, os.path.join("example", "app.py"), "--json"] + list(args), env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def cli_vars(self, env):
        return json.loads(self.cli("env", env, "--format", "json", "--reveal"))

    def environments(self):
        return [e["name"] for e in json.loads(self.cli("list", "--json"))["environments"]]

    def setUp(self):
        self.finished = False

    def tearDown(self):
        # Never leave the environment behind when the test stopped half-way.
        if not self.finished:
            run(CLI + ["switch", "dev"])
            run(CLI + ["delete", ENV, "--yes"])

    def test_create_switch_read_write_delete(self):
        self.cli("switch", "dev")
        dev_before = self.app()
        self.app("add", "written in dev before the fork")
        dev = self.app()
        self.assertEqual(len(dev["notes"]), len(dev_before["notes"]) + 1)

        self.cli("create", ENV, "--switch")
        with open(os.path.join(HERE, ".current-env")) as handle:
            self.assertEqual(handle.read().strip(), ENV)
        created = self.cli_vars(ENV)
        mine = self.app()
        # The app reads exactly what the CLI created, through the reader.
        self.assertEqual(mine["env"], ENV)
        self.assertEqual(mine["database_url"], created["DATABASE_URL"])
        self.assertEqual(mine["bucket"], created["BUCKET_NAME"])
        self.assertTrue(mine["bucket"].endswith("/myapp-bucket-%s" % ENV), mine["bucket"])
        self.assertNotEqual(mine["database_url"], dev["database_url"])
        # A fork starts as a copy of its parent...
        self.assertEqual(mine["notes"], dev["notes"])
        self.assertEqual(mine["files"], dev["files"])

        # ...and what it writes stays in it.
        added = self.app("add", "written in %s" % ENV)
        self.assertEqual(added["env"], ENV)
        mine = self.app()
        self.assertEqual(len(mine["notes"]), len(dev["notes"]) + 1)
        self.assertIn("notes/%d.txt" % added["id"], mine["files"])
        self.assertEqual(self.app(env_name="dev"), dev)

        self.cli("switch", "dev")
        self.assertEqual(self.app(), dev)
        self.cli("delete", ENV, "--yes")
        self.assertNotIn(ENV, self.environments())
        self.assertFalse(os.path.exists(mine["bucket"]))
        self.assertFalse(os.path.exists(mine["database_url"][len("file:"):]))
        self.assertEqual(self.app(), dev)
        self.finished = True


if __name__ == "__main__":
    unittest.main()
