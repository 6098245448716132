"""`pip install` of this folder works offline into a fresh virtual environment, and the installed
module answers like the copy-paste file. Slow-ish (creates a venv): a few seconds.

The build backend (pep517_backend.py) is standard library only, so pip needs nothing from an index:
the install runs with --no-index and pip's usual build isolation.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_FILES = ["pyproject.toml", "README.md", "env_utils.py", "fork_stack_env.py", "pep517_backend.py"]


def run(args, **kwargs):
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(args, capture_output=True, text=True, check=False, env=env, **kwargs)


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fork-stack-pip-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        # Build from a copy, so that nothing a build might write lands in the repository.
        self.src = os.path.join(self.tmp, "src")
        os.mkdir(self.src)
        for name in PACKAGE_FILES:
            shutil.copy(os.path.join(HERE, name), self.src)

    def make_venv(self):
        venv = os.path.join(self.tmp, "venv")
        result = run([sys.executable, "-m", "venv", venv])
        self.assertEqual(result.returncode, 0, result.stderr)
        return os.path.join(venv, "Scripts" if os.name == "nt" else "bin", "python")

    def test_sdist_and_wheel_hold_exactly_the_reader(self):
        sys.path.insert(0, self.src)
        try:
            import pep517_backend
        finally:
            sys.path.remove(self.src)
        out = os.path.join(self.tmp, "out")
        os.mkdir(out)
        wheel = pep517_backend.build_wheel(out)
        sdist = pep517_backend.build_sdist(out)
        self.assertEqual((wheel, sdist), ("fork_stack_env-0.1.0-py3-none-any.whl", "fork_stack_env-0.1.0.tar.gz"))
        import tarfile
        import zipfile

        with zipfile.ZipFile(os.path.join(out, wheel)) as archive:
            names = sorted(archive.namelist())
            metadata = archive.read("fork_stack_env-0.1.0.dist-info/METADATA").decode()
        self.assertEqual(names, sorted(["env_utils.py", "fork_stack_env.py"] + ["fork_stack_env-0.1.0.dist-info/" + f for f in ("METADATA", "WHEEL", "RECORD", "top_level.txt")]))
        self.assertIn("Name: fork-stack-env\nVersion: 0.1.0\n", metadata)
        self.assertIn("Requires-Python: >=3.9", metadata)
        with tarfile.open(os.path.join(out, sdist)) as archive:
            self.assertEqual(sorted(archive.getnames()), sorted("fork_stack_env-0.1.0/" + f for f in PACKAGE_FILES + ["PKG-INFO"]))

    def test_pip_install_offline_into_a_fresh_venv(self):
        python = self.make_venv()
        result = run([python, "-m", "pip", "install", "--no-index", self.src])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

        project = os.path.join(self.tmp, "project")
        os.makedirs(os.path.join(project, "src"))
        with open(os.path.join(project, "fork-stack.toml"), "w") as handle:
            handle.write('project = "shop"\n[database]\nprovider = "turso"\n')
        code = (
            "import fork_stack_env, env_utils\n"
            "assert fork_stack_env is env_utils\n"
            "from fork_stack_env import get_database_url, get_bucket_name, CONTRACT_VERSION, PROJECT_NAME\n"
            "print(CONTRACT_VERSION, PROJECT_NAME, get_database_url(), get_bucket_name(), fork_stack_env.__file__)\n"
        )
        env = {k: v for k, v in os.environ.items() if k not in ("ENV", "FORK_STACK_ENV", "PYTHONPATH")}
        env["ENV"] = "alice"
        result = subprocess.run([python, "-c", code], cwd=os.path.join(project, "src"), capture_output=True, text=True, env=env, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        version, project_name, url, bucket, location = result.stdout.split()
        self.assertEqual((version, project_name, url, bucket), ("1", "shop", "libsql://shop-alice.turso.io", "shop-bucket-alice"))
        self.assertTrue(location.startswith(os.path.join(self.tmp, "venv")), location)


if __name__ == "__main__":
    unittest.main()
