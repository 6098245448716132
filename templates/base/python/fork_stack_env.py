"""The fork-stack reader under its package name: ``import fork_stack_env`` is ``env_utils``.

The code lives in env_utils.py so that the file can also be copied into a project as is.
"""

import sys

import env_utils as _env_utils

sys.modules[__name__] = _env_utils
