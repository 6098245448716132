"""What this app connects to in the current environment — stack python-planetscale-r2: PlanetScale, Cloudflare R2.

    python3 example/app.py             the current environment's connections (passwords masked)
    python3 example/app.py --json      the same, as JSON
    python3 example/app.py --connect   open them for real; needs PyMySQL and boto3

Every value comes from the reader (env_utils.py): the process environment first (production), then
.fork-stack/envs/<env>.env written by `fork-stack switch`, then fork-stack.toml's naming conventions.
So `make envs-switch alice` points this app at alice's database and bucket without a code change.

Without --connect nothing leaves this machine: the example shows which database and bucket the current
environment uses. The cloud clients are not part of this stack (the reader has no dependencies);
--connect imports them if they are installed and says what to install if not.
"""

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit, urlunsplit

# env_utils.py sits in the project root, next to this folder.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import env_utils  # noqa: E402

# Variables fork-stack writes for the providers themselves; everything else in the env file comes
# from the secrets provider and is the app's own.
STACK_KEYS = ("FORK_STACK_ENV", "DATABASE_URL", "DATABASE_AUTH_TOKEN", "BUCKET_", "AWS_", "CACHE_", "REDIS_URL",
              "UPSTASH_REDIS_", "QUEUE_", "QSTASH_")


def mask_url(url: str) -> str:
    """The URL with its password replaced by ****, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = "%s:%d" % (host, parts.port)
    return urlunsplit(parts._replace(netloc="%s:****@%s" % (parts.username or "", host)))


def describe(config: env_utils.EnvConfig) -> Dict[str, Any]:
    """What the current environment's app would connect to, read through the reader."""
    secrets = config.get_all_secrets()
    result: Dict[str, Any] = {
        "env": config.get_current_env(),
        "project": config.get_project_name(),
        "database": {
            "provider": "planetscale",
            "url": mask_url(config.get_database_url()),
            "auth_token": "set" if config.get_database_auth_token() else None,
        },
        "storage": {
            "provider": "r2",
            "bucket": config.get_bucket_name(),
            "endpoint": config.lookup_secret("AWS_ENDPOINT_URL_S3"),
            "region": config.lookup_secret("AWS_REGION"),
        },
        "secrets": sorted(k for k in secrets if not k.startswith(STACK_KEYS)),
    }
    return result


def open_database(config: env_utils.EnvConfig) -> Any:
    """PlanetScale (MySQL protocol, TLS required) through PyMySQL."""
    import ssl
    from urllib.parse import unquote

    pymysql = require("pymysql", "PyMySQL")
    url = urlsplit(config.get_database_url())
    return pymysql.connect(
        host=url.hostname, port=url.port or 3306, user=unquote(url.username or ""), password=unquote(url.password or ""),
        database=url.path.lstrip("/"), ssl_ca=ssl.get_default_verify_paths().cafile, ssl_verify_cert=True, ssl_verify_identity=True,
    )

def open_bucket(config: env_utils.EnvConfig) -> Any:
    """Cloudflare R2 through boto3. The app's own access keys come from the usual AWS variables
    (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: keep them in your secrets provider or on the platform)."""
    boto3 = require("boto3", "boto3")
    return boto3.client("s3", endpoint_url=config.lookup_secret("AWS_ENDPOINT_URL_S3"), region_name=config.lookup_secret("AWS_REGION"))


def connect(config: env_utils.EnvConfig) -> List[str]:
    """Opens every connection and runs one harmless call on each; returns what answered."""
    return ["database: SELECT 1 → %s" % (open_database(config).cursor().execute("SELECT 1"),),
        "storage: bucket %s answered HeadBucket" % (open_bucket(config).head_bucket(Bucket=config.get_bucket_name()) and config.get_bucket_name())]


def main(argv: Optional[List[str]] = None, config: Optional[env_utils.EnvConfig] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--connect", action="store_true", help="open the connections (needs the client packages)")
    args = parser.parse_args(argv)
    config = config or env_utils.get_config()
    try:
        if args.connect:
            for line in connect(config):
                print(line)
            return 0
        result = describe(config)
    except env_utils.ForkStackError as error:
        print("error: %s" % error, file=sys.stderr)
        return 1
    except MissingClient as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("environment  %s  (project %s)" % (result["env"], result["project"]))
    for kind in ("database", "storage"):
        details = result[kind]
        print("%-12s %s" % (kind, "  ".join("%s=%s" % (k, v) for k, v in details.items() if v is not None)))
    print("secrets      %s" % (", ".join(result["secrets"]) or "(none)"))
    return 0


class MissingClient(RuntimeError):
    pass


def require(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingClient("--connect needs the %s client: pip install %s" % (module, package)) from None


if __name__ == "__main__":
    sys.exit(main())
