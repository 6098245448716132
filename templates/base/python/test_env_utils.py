"""The Python reader against the fork-stack conformance vectors (conformance/v1/*.json), plus the
Python-specific API (PROJECT_NAME, use_config, get_secret's default).

    python3 -m unittest -v

The vectors are found by walking up from this file to conformance/v1/VERSION, or in
FORK_STACK_CONFORMANCE_DIR. Each case becomes one test method, named after its file and case.
"""

import base64
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Callable, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import env_utils  # noqa: E402
from env_utils import EnvConfig, ForkStackError  # noqa: E402

FAKE_CLI_SCRIPT = """#!/bin/sh
dir=$(dirname "$0")
pwd -P > "$dir/cwd"
: > "$dir/args"
for arg in "$@"; do printf '%s\\n' "$arg" >> "$dir/args"; done
cat > "$dir/stdin"
if [ -f "$dir/stderr" ]; then cat "$dir/stderr" >&2; fi
exit "$(cat "$dir/exit" 2>/dev/null || echo 0)"
"""


def conformance_dir() -> str:
    from_env = os.environ.get("FORK_STACK_CONFORMANCE_DIR")
    if from_env:
        return os.path.abspath(from_env)
    directory = os.path.dirname(os.path.abspath(__file__))
    while True:
        candidate = os.path.join(directory, "conformance")
        if os.path.isfile(os.path.join(candidate, "v1", "VERSION")):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            raise RuntimeError("conformance/ not found above %s; set FORK_STACK_CONFORMANCE_DIR" % __file__)
        directory = parent


def load_vectors() -> List[Dict[str, Any]]:
    directory = os.path.join(conformance_dir(), "v1")
    files = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                doc = json.load(handle)
            files.append({"file": name, "contract": doc["contract"], "cases": doc["cases"]})
    return files


class Workspace:
    """A case's files laid out in a fresh temporary directory (conformance/README.md, "Running a case")."""

    def __init__(self, case: Dict[str, Any]) -> None:
        self.base = os.path.realpath(tempfile.mkdtemp(prefix="fork-stack-conformance-"))
        self.root = os.path.join(self.base, "project")
        self.fake = os.path.join(self.base, "fake-cli")
        os.mkdir(self.root)
        os.mkdir(self.fake)
        with open(os.path.join(self.fake, "cli.sh"), "w") as handle:
            handle.write(FAKE_CLI_SCRIPT)
        self.modes: List[str] = []
        later = []
        for rel, spec in case["files"].items():
            path = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if isinstance(spec, str):
                self._write(path, self.sub(spec).encode("utf-8"))
                continue
            if spec.get("dir"):
                os.makedirs(path, exist_ok=True)
            elif "base64" in spec:
                self._write(path, base64.b64decode(spec["base64"]))
            else:
                self._write(path, self.sub(spec.get("content", "")).encode("utf-8"))
            if "mode" in spec:
                later.append((path, int(spec["mode"], 8)))
        for path, mode in later:
            os.chmod(path, mode)
            self.modes.append(path)
        self.cwd = os.path.join(self.root, case.get("cwd", "."))
        os.makedirs(self.cwd, exist_ok=True)
        self.env = {k: self.sub(v) for k, v in case.get("env", {}).items()}

    @staticmethod
    def _write(path: str, data: bytes) -> None:
        with open(path, "wb") as handle:
            handle.write(data)

    def sub(self, text: str) -> str:
        return text.replace("{root}", self.root).replace("{fake_cli}", "/bin/sh %s/cli.sh" % self.fake)

    def substitute(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.sub(value)
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        return value

    def arm_cli(self, cli: Optional[Dict[str, Any]]) -> None:
        for name in ("args", "stdin", "cwd", "exit", "stderr"):
            try:
                os.remove(os.path.join(self.fake, name))
            except FileNotFoundError:
                pass
        self._write(os.path.join(self.fake, "exit"), str((cli or {}).get("exit", 0)).encode())
        if (cli or {}).get("stderr"):
            self._write(os.path.join(self.fake, "stderr"), cli["stderr"].encode("utf-8"))

    def cli_call(self) -> Optional[Dict[str, Any]]:
        args_file = os.path.join(self.fake, "args")
        if not os.path.exists(args_file):
            return None

        def read(name: str) -> str:
            with open(os.path.join(self.fake, name), "rb") as handle:
                return handle.read().decode("utf-8")

        return {"args": read("args").split("\n")[:-1], "stdin": read("stdin"), "cwd": read("cwd").rstrip("\n")}

    def cleanup(self) -> None:
        for path in self.modes:
            os.chmod(path, 0o700)
        shutil.rmtree(self.base, ignore_errors=True)


def call(reader: EnvConfig, name: str, args: List[str]) -> Any:
    dispatch: Dict[str, Callable[[], Any]] = {
        "current_env": reader.get_current_env,
        "project_name": reader.get_project_name,
        "database_url": reader.get_database_url,
        "database_auth_token": reader.get_database_auth_token,
        "local_db_path": lambda: str(reader.get_local_db_path()),
        "bucket_name": lambda: reader.get_bucket_name(*args),
        "s3_key": lambda: reader.get_s3_key(*args),
        "secret": lambda: reader.get_secret(*args),
        "lookup_secret": lambda: reader.lookup_secret(*args),
        "all_secrets": reader.get_all_secrets,
        "set_secret": lambda: reader.set_secret(*args),
        "cache_url": reader.get_cache_url,
        "cache_key_prefix": reader.get_cache_key_prefix,
        "queue_url": reader.get_queue_url,
        "queue_prefix": reader.get_queue_prefix,
        "contract_version": lambda: reader.contract_version,
    }
    if name not in dispatch:
        raise AssertionError("unknown call %s in the vectors: add it to this runner" % name)
    return dispatch[name]()


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def make_test(case: Dict[str, Any]) -> Callable[[unittest.TestCase], None]:
    def test(self: unittest.TestCase) -> None:
        if case.get("requires_non_root") and is_root():
            self.skipTest(case["requires_non_root"])
        ws = Workspace(case)
        self.addCleanup(ws.cleanup)
        reader = EnvConfig(cwd=ws.cwd, environ=ws.env)
        for expectation in case["expect"]:
            args = expectation.get("args", [])
            where = "%s: %s(%s)" % (case["name"], expectation["call"], ", ".join(json.dumps(a) for a in args))
            if expectation["call"] == "set_secret":
                ws.arm_cli(expectation.get("cli"))
            if "error" in expectation:
                with self.assertRaises(ForkStackError, msg=where) as caught:
                    call(reader, expectation["call"], args)
                self.assertEqual(caught.exception.code, expectation["error"], "%s: %s" % (where, caught.exception))
                for part in expectation.get("message_contains", []):
                    self.assertIn(ws.sub(part), str(caught.exception), where)
            else:
                result = call(reader, expectation["call"], args)
                if "value" in expectation:
                    self.assertEqual(result, ws.substitute(expectation["value"]), where)
            if "cli_called" in expectation:
                self.assertEqual(ws.cli_call(), ws.substitute(expectation["cli_called"]), where)

    test.__doc__ = case.get("description")
    return test


class ConformanceTest(unittest.TestCase):
    """One test per vector case; filled in below."""

    maxDiff = None

    def test_vectors_are_contract_version_1(self) -> None:
        with open(os.path.join(conformance_dir(), "v1", "VERSION")) as handle:
            self.assertEqual(handle.read().strip(), env_utils.CONTRACT_VERSION)
        files = load_vectors()
        for doc in files:
            self.assertEqual(doc["contract"], env_utils.CONTRACT_VERSION, doc["file"])
        self.assertGreaterEqual(sum(len(doc["cases"]) for doc in files), 60)


for _doc in load_vectors():
    for _case in _doc["cases"]:
        _name = "test_%s__%s" % (re.sub(r"\W", "_", _doc["file"][: -len(".json")]), re.sub(r"\W", "_", _case["name"]))
        setattr(ConformanceTest, _name, make_test(_case))


def _built_cli() -> Optional[str]:
    """The repository's built CLI, when this file runs from templates/base/python in a checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    for _ in range(4):
        candidate = os.path.join(here, "packages", "fork-stack", "dist", "cli.js")
        if os.path.isfile(candidate):
            return candidate
        here = os.path.dirname(here)
    return None


class PythonApiTest(unittest.TestCase):
    """What the vectors cannot express: module attributes, defaults, plug-in points."""

    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="fork-stack-python-"))
        self.addCleanup(shutil.rmtree, self.root, True)
        with open(os.path.join(self.root, "fork-stack.toml"), "w") as handle:
            handle.write('project = "shop"\n[database]\nprovider = "turso"\n')
        self.addCleanup(env_utils.use_config, env_utils.EnvConfig())

    def test_get_local_db_path_returns_a_pathlib_path_whose_parent_can_be_made(self) -> None:
        # The per-stack templates this reader replaced returned a pathlib.Path; code doing
        # get_local_db_path().parent.mkdir() must keep working after the migration.
        with open(os.path.join(self.root, "fork-stack.toml"), "w") as handle:
            handle.write('project = "shop"\n[database]\nprovider = "sqlite"\n')
        path = env_utils.get_local_db_path(cwd=self.root, environ={"ENV": "alice"})
        self.assertIsInstance(path, pathlib.Path)
        self.assertEqual(path, pathlib.Path(self.root, ".fork-stack", "data", "shop.alice.db"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        self.assertTrue(path.is_file())
        self.assertIsInstance(env_utils.get_local_db_path(cwd=self.root, environ={"ENV": "bob"}), pathlib.Path)

    def test_set_secret_stores_a_trailing_carriage_return_through_the_real_cli(self) -> None:
        cli = _built_cli()
        if cli is None:
            if os.environ.get("CI") == "true":
                self.fail("packages/fork-stack/dist/cli.js is not built; run npm run build -w fork-stack")
            self.skipTest("the fork-stack CLI is not built here (packages/fork-stack/dist/cli.js)")
        node = shutil.which("node") or "node"
        environ = {"PATH": os.environ.get("PATH", ""), "HOME": self.root, "FORK_STACK_CLI": "%s %s" % (node, cli), "NO_COLOR": "1"}
        os.remove(os.path.join(self.root, "fork-stack.toml"))
        init = subprocess.run([node, cli, "init", "--yes", "--secrets", "dotenv"], cwd=self.root, env=environ, capture_output=True, text=True)
        self.assertEqual(init.returncode, 0, init.stderr)
        config = EnvConfig(cwd=self.root, environ=environ)
        for value in ["abc\r", "crlf\r\n", "\r", "plain"]:
            config.set_secret("K", value)
            self.assertEqual(config.get_secret("K"), value, repr(value))

    def test_module_functions_take_cwd_and_environ(self) -> None:
        environ = {"ENV": "Production"}
        self.assertEqual(env_utils.get_current_env(cwd=self.root, environ=environ), "prod")
        self.assertEqual(env_utils.get_database_url(cwd=self.root, environ=environ), "libsql://shop.turso.io")
        self.assertEqual(env_utils.get_bucket_name(cwd=self.root, environ=environ), "shop-bucket-prod")
        self.assertEqual(env_utils.get_s3_key("avatars", "a.png", cwd=self.root, environ=environ), "avatars/a.png")

    def test_project_name_is_a_lazy_module_attribute(self) -> None:
        env_utils.use_config(EnvConfig(cwd=self.root, environ={}))
        self.assertEqual(env_utils.PROJECT_NAME, "shop")
        from env_utils import PROJECT_NAME

        self.assertEqual(PROJECT_NAME, "shop")

    def test_get_secret_default(self) -> None:
        self.assertEqual(env_utils.get_secret("NOPE", "fallback", cwd=self.root, environ={}), "fallback")
        self.assertIsNone(env_utils.get_secret("NOPE", None, cwd=self.root, environ={}))
        with self.assertRaises(ForkStackError) as caught:
            env_utils.get_secret("NOPE", cwd=self.root, environ={"ENV": "alice"})
        self.assertEqual(caught.exception.code, "missing-value")
        self.assertIn('fork-stack switch alice', str(caught.exception))

    def test_subclass_overrides_one_accessor(self) -> None:
        class PlanetscaleConfig(EnvConfig):
            def get_database_url(self) -> str:
                return "mysql://aws.connect.psdb.cloud/%s-%s" % (self.get_project_name(), self.get_current_env())

        env_utils.use_config(PlanetscaleConfig(cwd=self.root, environ={"ENV": "bob"}))
        self.assertEqual(env_utils.get_database_url(), "mysql://aws.connect.psdb.cloud/shop-bob")
        self.assertEqual(env_utils.get_database_url(environ={"ENV": "carol"}), "mysql://aws.connect.psdb.cloud/shop-carol")
        self.assertEqual(env_utils.get_bucket_name(), "shop-bucket-bob")

    def test_importing_never_reads_files(self) -> None:
        with open(os.path.join(self.root, "fork-stack.toml"), "w") as handle:
            handle.write("not toml at all\n")
        code = "import sys; sys.path.insert(0, %r); import env_utils; print(env_utils.CONTRACT_VERSION)" % os.path.dirname(
            os.path.abspath(env_utils.__file__)
        )
        import subprocess

        result = subprocess.run([sys.executable, "-c", code], cwd=self.root, capture_output=True, text=True, check=False)
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "1"), result.stderr)


if __name__ == "__main__":
    unittest.main()
