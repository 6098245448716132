"""Integration test: the real CLI creates an environment from dev, switches to it, the example
app reads that environment's values through env_utils.py — exactly what the CLI created — then
dev is current again, unchanged, and the environment is deleted.

    make test-integration

Runs only with FORK_STACK_INTEGRATION=1, against whatever the credentials in your shell reach: your
accounts (it creates and deletes a throwaway environment), or the provider fakes fork-stack's own
tests use. The CLI is FORK_STACK_CLI (default `npx --no-install fork-stack`); the environment's name
is FORK_STACK_TEST_ENV (default itest).
"""

import json
import os
import shlex
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "example"))

import app  # noqa: E402

CLI = shlex.split(os.environ.get("FORK_STACK_CLI") or "npx --no-install fork-stack")
ENV = os.environ.get("FORK_STACK_TEST_ENV") or "itest"
PARENT = "dev"


def child_env():
    """The app and the CLI pick the environment from .current-env, as on a developer's machine."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORK_STACK_ENV", "ENV")}
    env.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def run(args):
    return subprocess.run(args, cwd=HERE, env=child_env(), capture_output=True, text=True, check=False)


@unittest.skipUnless(os.environ.get("FORK_STACK_INTEGRATION") == "1", "set FORK_STACK_INTEGRATION=1 (make test-integration)")
class IntegrationTest(unittest.TestCase):
    def cli(self, *args):
        result = run(CLI + list(args))
        self.assertEqual(result.returncode, 0, "fork-stack %s failed:\n%s%s" % (" ".join(args), result.stdout, result.stderr))
        return result.stdout

    def app(self):
        result = run([sys.executable, os.path.join("example", "app.py"), "--json"])
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def setUp(self):
        self.finished = False

    def tearDown(self):
        # Never leave the environment behind when the test stopped half-way.
        if not self.finished:
            run(CLI + ["switch", PARENT])
            run(CLI + ["delete", ENV, "--yes"])

    def test_create_switch_read_delete(self):
        self.cli("switch", PARENT)
        parent = self.app()
        self.assertEqual(parent["env"], PARENT)

        self.cli("create", ENV, "--switch")
        with open(os.path.join(HERE, ".current-env")) as handle:
            self.assertEqual(handle.read().strip(), ENV)
        created = json.loads(self.cli("env", ENV, "--format", "json", "--reveal"))
        mine = self.app()

        # The app reads exactly what the CLI created, through the reader.
        self.assertEqual(mine["env"], ENV)
        self.assertEqual(mine["database"]["url"], app.mask_url(created["DATABASE_URL"]))
        self.assertEqual(mine["database"]["auth_token"], "set" if created.get("DATABASE_AUTH_TOKEN") else None)
        self.assertEqual(mine["storage"]["bucket"], created["BUCKET_NAME"])
        self.assertEqual(mine["storage"]["endpoint"], created.get("AWS_ENDPOINT_URL_S3"))
        self.assertEqual(mine["storage"]["region"], created.get("AWS_REGION"))

        # Its own resources, not the parent's; the parent's secrets were copied.
        self.assertEqual(mine["storage"]["bucket"], "myapp-bucket-%s" % ENV)
        self.assertNotEqual(mine["database"]["url"], parent["database"]["url"])
        self.assertEqual(mine["secrets"], parent["secrets"])
        listed = json.loads(self.cli("list", "--json"))["environments"]
        self.assertEqual([e["state"] for e in listed if e["name"] == ENV], ["ready"])

        self.cli("switch", PARENT)
        self.assertEqual(self.app(), parent)
        self.cli("delete", ENV, "--yes")
        self.assertNotIn(ENV, [e["name"] for e in json.loads(self.cli("list", "--json"))["environments"]])
        self.assertEqual(self.app(), parent)
        self.finished = True


if __name__ == "__main__":
    unittest.main()
