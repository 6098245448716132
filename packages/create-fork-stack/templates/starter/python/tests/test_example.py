"""The example app reads the right environment's values: python3 -m unittest discover -s tests -t .

Each test lays out a copy of this project's fork-stack.toml in a temporary directory, with the files
fork-stack writes (.current-env, .fork-stack/envs/<env>.env), so nothing here touches your environments.
"""

import os
import shutil
import tempfile
import unittest

import env_utils
from example.app import describe

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ExampleTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fork-stack-example-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        shutil.copy(os.path.join(PROJECT_ROOT, "fork-stack.toml"), self.dir)

    def write(self, relative, text):
        path = os.path.join(self.dir, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text)

    def test_an_environment_gets_its_own_values(self):
        self.write(".fork-stack/envs/alice.env", "DATABASE_URL=postgres://db/alice\nBUCKET_NAME=app-bucket-alice\n")
        self.write(".fork-stack/envs/bob.env", "DATABASE_URL=postgres://db/bob\nBUCKET_NAME=app-bucket-bob\n")
        alice = dict(describe(cwd=self.dir, environ={"FORK_STACK_ENV": "alice"}))
        bob = dict(describe(cwd=self.dir, environ={"FORK_STACK_ENV": "bob"}))
        self.assertEqual((alice["environment"], alice["DATABASE_URL"], alice["BUCKET_NAME"]), ("alice", "postgres://db/alice", "app-bucket-alice"))
        self.assertEqual((bob["environment"], bob["DATABASE_URL"], bob["BUCKET_NAME"]), ("bob", "postgres://db/bob", "app-bucket-bob"))

    def test_the_current_environment_comes_from_dot_current_env(self):
        self.write(".current-env", "alice\n")
        self.write(".fork-stack/envs/alice.env", "CACHE_URL=redis://cache:6379/3\n")
        values = dict(describe(cwd=self.dir, environ={}))
        self.assertEqual((values["environment"], values["CACHE_URL"]), ("alice", "redis://cache:6379/3"))

    def test_production_reads_the_process_environment_only(self):
        values = dict(describe(cwd=self.dir, environ={"ENV": "production", "DATABASE_URL": "postgres://prod/app", "QUEUE_URL": "redis://queue"}))
        self.assertEqual((values["environment"], values["DATABASE_URL"], values["QUEUE_URL"]), ("prod", "postgres://prod/app", "redis://queue"))

    def test_the_project_name_is_the_one_in_fork_stack_toml(self):
        values = dict(describe(cwd=self.dir, environ={}))
        self.assertEqual(values["project"], env_utils.get_project_name(cwd=PROJECT_ROOT, environ={}))
        with open(os.path.join(PROJECT_ROOT, "fork-stack.toml")) as handle:
            self.assertIn('project = "%s"' % values["project"], handle.read())

    def test_a_malformed_current_env_is_a_clear_error(self):
        self.write(".current-env", "Not A Name\n")
        with self.assertRaises(env_utils.ForkStackError) as raised:
            describe(cwd=self.dir, environ={})
        self.assertEqual(raised.exception.code, "invalid-current-env")


if __name__ == "__main__":
    unittest.main()
