"""The example app: which environment is it in, and what are that environment's values?

    make run                         # the current environment (.current-env, set by make envs-switch)
    FORK_STACK_ENV=alice make run    # another environment, without switching

Replace it with your app; keep asking env_utils for every URL and name instead of hard-coding them.
"""

import env_utils

VALUES = [
    ("DATABASE_URL", lambda config: config.get_database_url()),
    ("BUCKET_NAME", lambda config: config.get_bucket_name()),
    ("CACHE_URL", lambda config: config.get_cache_url()),
    ("QUEUE_URL", lambda config: config.get_queue_url()),
]


def describe(cwd=None, environ=None):
    """[(label, value)] for the environment the app runs in; None for values it does not have."""
    config = env_utils.get_config(cwd=cwd, environ=environ)
    lines = [("project", config.get_project_name()), ("environment", config.get_current_env())]
    for label, read in VALUES:
        try:
            lines.append((label, read(config)))
        except env_utils.ForkStackError as error:
            if error.code != "missing-value":
                raise
            lines.append((label, None))
    return lines


def main():
    try:
        lines = describe()
    except env_utils.ForkStackError as error:
        raise SystemExit("error: %s" % error.message)
    width = max(len(label) for label, _ in lines) + 1
    for label, value in lines:
        print("%s %s" % ((label + ":").ljust(width), "(not set)" if value is None else value))


if __name__ == "__main__":
    main()
