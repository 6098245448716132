"""Unit tests of the notes app on the local stack: the store in two environments and the HTTP handler
on a real socket. No CLI needed.

    python3 -m unittest -v test_app
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import app  # noqa: E402
import env_utils  # noqa: E402


class AppTest(unittest.TestCase):
    def setUp(self):
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="example-notes-"))
        self.addCleanup(shutil.rmtree, self.root, True)
        shutil.copy(os.path.join(HERE, "fork-stack.toml"), self.root)

    def store(self, env, create=True):
        config = env_utils.EnvConfig(cwd=self.root, environ={"FORK_STACK_ENV": env})
        if create:  # what `fork-stack create` leaves: the database file and the bucket directory
            os.makedirs(os.path.dirname(config.get_local_db_path()), exist_ok=True)
            open(config.get_local_db_path(), "a").close()
            os.makedirs(config.get_bucket_name(), exist_ok=True)
        return app.Store(config)

    def test_notes_stay_in_their_environment(self):
        dev, alice = self.store("dev"), self.store("alice")
        dev.add("dev")
        self.assertEqual(alice.add("alice <b>")["key"], "notes/1.txt")
        self.assertEqual([n["body"] for n in alice.status()["notes"]], ["alice <b>"])
        self.assertEqual(dev.status()["files"], ["notes/1.txt"])
        self.assertIn("alice &lt;b&gt;", app.page(alice.status()))

    def test_an_environment_that_does_not_exist_is_not_created(self):
        ghost = self.store("ghost", create=False)
        with self.assertRaises(Exception):
            ghost.add("boo")
        self.assertFalse(os.path.exists(ghost.config.get_local_db_path()))

    def test_http(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), app.make_handler(self.store("alice")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        base = "http://127.0.0.1:%d" % server.server_address[1]
        req = urllib.request.Request(base + "/notes", data=b"body=hello", headers={"Accept": "application/json"})
        with urllib.request.urlopen(req) as response:
            self.assertEqual((response.status, json.loads(response.read())), (201, {"env": "alice", "id": 1, "key": "notes/1.txt"}))
        with urllib.request.urlopen(base + "/api/status") as response:
            self.assertEqual([n["body"] for n in json.loads(response.read())["notes"]], ["hello"])
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(urllib.request.Request(base + "/notes", data=b"body="))
        self.assertEqual(raised.exception.code, 400)


if __name__ == "__main__":
    unittest.main()
