"""fork-stack reader for Python: which environment am I in, and what are its values?

Standard library only (Python >= 3.9); copy this one file into a project, or ``pip install`` the folder
(module ``fork_stack_env``). It implements the fork-stack reader contract, version 1
(conformance/README.md in the fork-stack repository), exactly as the TypeScript, Go and Rust readers do:

* the environment: ``FORK_STACK_ENV``, else ``ENV`` (``production`` -> ``prod``,
  ``development`` -> ``dev``), else ``.current-env`` in the project root, else ``dev``;
* a value: the process environment, else ``.fork-stack/envs/<env>.env`` (written by
  ``fork-stack switch``), else the naming convention of ``fork-stack.toml``.

    from env_utils import get_current_env, get_database_url, get_bucket_name, get_secret

Every function takes ``cwd=`` and ``environ=`` keyword overrides; ``EnvConfig`` holds the same
accessors as methods, for stacks that need to override one (see ``use_config``). Errors are
``ForkStackError`` with a ``code`` that is the same in every language.
"""

import errno
import os
import re
import subprocess
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

__all__ = [
    "CONTRACT_VERSION",
    "ForkStackError",
    "EnvConfig",
    "use_config",
    "get_config",
    "get_current_env",
    "get_project_root",
    "get_project_name",
    "get_database_url",
    "get_database_auth_token",
    "get_local_db_path",
    "get_bucket_name",
    "get_s3_key",
    "get_secret",
    "lookup_secret",
    "get_all_secrets",
    "set_secret",
    "get_cache_url",
    "get_cache_key_prefix",
    "get_queue_url",
    "get_queue_prefix",
    "parse_dotenv",
]

CONTRACT_VERSION = "1"
DEFAULT_ENV = "dev"
CONFIG_FILE = "fork-stack.toml"
CURRENT_ENV_FILE = ".current-env"
DEFAULT_CLI = "npx --no-install fork-stack"

ENV_NAME_MAX_LENGTH = 48
_ENV_NAME = re.compile(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Exactly what ECMAScript's String.prototype.trim removes, so every reader trims alike
# (Python's str.strip would also remove U+001C..U+001F and U+0085).
_WHITESPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


class ForkStackError(RuntimeError):
    """A reader error. ``code`` is one of: invalid-env-variable, invalid-current-env,
    unreadable-env-file, missing-value, invalid-config, invalid-key, cli-failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _trim(text: str) -> str:
    return text.strip(_WHITESPACE)


def _errno_name(error: OSError) -> str:
    return errno.errorcode.get(error.errno or 0, "error")


def _is_absent(error: OSError) -> bool:
    return isinstance(error, (FileNotFoundError, NotADirectoryError))


# --- environment names -------------------------------------------------------------------------


def env_name_problem(name: str) -> Optional[str]:
    """What is wrong with an environment name, or None when it is valid."""
    if name == "":
        return "the name is empty"
    if len(name) > ENV_NAME_MAX_LENGTH:
        return "it is %d characters long; the limit is %d" % (len(name), ENV_NAME_MAX_LENGTH)
    if re.search("[A-Z]", name) and name.lower() != name and _ENV_NAME.fullmatch(name.lower()):
        return 'it has upper-case letters (try "%s")' % name.lower()
    if not ("a" <= name[0] <= "z"):
        return "it must start with a lower-case letter"
    if "--" in name:
        return "it has two hyphens in a row"
    if name.endswith("-"):
        return "it must end with a letter or digit"
    bad = sorted(set(re.sub(r"[a-z0-9-]", "", name)), key=name.index)
    if bad:
        return "it contains %s; only a-z, 0-9 and \"-\" are allowed" % ", ".join(_quote(c) for c in bad)
    return None if _ENV_NAME.fullmatch(name) else 'it is not of the form lower-case letters, digits and "-"'


def _quote(text: str) -> str:
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _normalise(value: str) -> str:
    name = _trim(value).lower()
    return {"production": "prod", "development": "dev"}.get(name, name)


def _find_root(cwd: str) -> Optional[str]:
    directory = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(directory, CONFIG_FILE)) or os.path.exists(os.path.join(directory, CURRENT_ENV_FILE)):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _resolve_env(cwd: str, environ: Mapping[str, str]) -> Tuple[str, Optional[str]]:
    """(environment name, project root or None), by contract section 1."""
    root = _find_root(cwd)
    for variable in ("FORK_STACK_ENV", "ENV"):
        raw = environ.get(variable)
        if raw is None or _trim(raw) == "":
            continue
        name = _normalise(raw)
        problem = env_name_problem(name)
        if problem:
            raise ForkStackError(
                "invalid-env-variable",
                '%s=%s is not a valid environment name (%s); set it to a name like "dev" or "alice"' % (variable, _quote(raw), problem),
            )
        return name, root
    if root is not None:
        path = os.path.join(root, CURRENT_ENV_FILE)
        try:
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8", errors="replace")
        except OSError as error:
            if not isinstance(error, FileNotFoundError):
                raise ForkStackError(
                    "invalid-current-env",
                    'cannot read %s (%s); fix its permissions or run "fork-stack switch <env>"' % (path, _errno_name(error)),
                ) from None
        else:
            name = _trim(text)
            problem = env_name_problem(name)
            if problem:
                shown = text[:60] + "\u2026" if len(text) > 60 else text
                raise ForkStackError(
                    "invalid-current-env",
                    '%s holds %s, which is not a valid environment name (%s); run "fork-stack switch <env>" or delete the file'
                    % (path, _quote(shown), problem),
                )
            return name, root
    return DEFAULT_ENV, root


# --- the dotenv dialect (parseDotenv in fork-stack's core/files/dotenv.ts) ---------------------


class DotenvSyntaxError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__("line %d: %s" % (line, reason))
        self.line = line
        self.reason = reason


_DOUBLE_ESCAPES = {"\\": "\\", '"': '"', "$": "$", "`": "`", "n": "\n", "r": "\r", "t": "\t"}
_KEY_CHAR = re.compile(r"[A-Za-z0-9_]")


def parse_dotenv(text: str) -> Dict[str, str]:
    """Parse the fork-stack dotenv dialect; later assignments win."""
    out: Dict[str, str] = {}
    i, line, n = 0, 1, len(text)

    def skip_blanks() -> None:
        nonlocal i
        while i < n and text[i] in " \t":
            i += 1

    def rest_of_line(start_line: int) -> None:
        nonlocal i, line
        skip_blanks()
        if i < n and text[i] == "#":
            while i < n and text[i] != "\n":
                i += 1
        if i + 1 < n and text[i] == "\r" and text[i + 1] == "\n":
            i += 1
        if i < n and text[i] != "\n":
            raise DotenvSyntaxError(start_line, "unexpected text after the closing quote")
        if i < n:
            i += 1
            line += 1

    while i < n:
        skip_blanks()
        if i >= n or text[i] in "\n\r#":
            while i < n and text[i] != "\n":
                i += 1
            if i < n:
                i += 1
                line += 1
            continue
        start_line = line
        if text.startswith("export ", i):
            i += 7
            skip_blanks()
        key_start = i
        while i < n and _KEY_CHAR.match(text[i]):
            i += 1
        key = text[key_start:i]
        if not _KEY.fullmatch(key):
            raise DotenvSyntaxError(start_line, "expected KEY=value")
        skip_blanks()
        if i >= n or text[i] != "=":
            raise DotenvSyntaxError(start_line, 'expected "=" after %s' % key)
        i += 1
        skip_blanks()
        quote = text[i] if i < n else ""
        if quote == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise DotenvSyntaxError(start_line, "unterminated single quote in %s" % key)
            value = text[i + 1 : end]
            line += value.count("\n")
            out[key] = value
            i = end + 1
            rest_of_line(start_line)
        elif quote == '"':
            i += 1
            parts: List[str] = []
            while True:
                if i >= n:
                    raise DotenvSyntaxError(start_line, "unterminated double quote in %s" % key)
                c = text[i]
                if c == '"':
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in _DOUBLE_ESCAPES:
                    parts.append(_DOUBLE_ESCAPES[text[i + 1]])
                    i += 2
                    continue
                if c == "\n":
                    line += 1
                parts.append(c)
                i += 1
            i += 1
            out[key] = "".join(parts)
            rest_of_line(start_line)
        else:
            end = i
            while end < n and text[end] != "\n":
                if text[end] == "#" and (end == i or text[end - 1] in " \t"):
                    break
                end += 1
            value = text[i:end]
            if value.endswith("\r"):
                value = value[:-1]
            out[key] = _trim(value)
            i = end
            while i < n and text[i] != "\n":
                i += 1
            if i < n:
                i += 1
                line += 1
    return out


def _env_file_path(root: str, env: str) -> str:
    return os.path.join(root, ".fork-stack", "envs", env + ".env")


def _read_env_file(root: Optional[str], env: str) -> Optional[Dict[str, str]]:
    if root is None:
        return None
    path = _env_file_path(root, env)

    def unreadable(reason: str) -> ForkStackError:
        return ForkStackError("unreadable-env-file", '%s: %s; fix it or run "fork-stack switch %s" to rewrite it' % (path, reason, env))

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        if _is_absent(error):
            return None
        raise unreadable("cannot be read (%s)" % _errno_name(error)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise unreadable("is not valid UTF-8 text") from None
    try:
        return parse_dotenv(text)
    except DotenvSyntaxError as error:
        raise unreadable(str(error)) from None


# --- a minimal TOML reader: what fork-stack.toml's naming conventions need ----------------------


class TomlOther:
    """A number, date or other scalar, kept as written and never interpreted."""

    def __init__(self, raw: str) -> None:
        self.raw = raw


class TomlSyntaxError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__("line %d: %s" % (line, reason))
        self.line = line


_TOML_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\"}
_TOML_HEX = {"x": 2, "u": 4, "U": 8}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]")
_SCALAR = re.compile(r"[+-]?(?:[0-9]|inf$|nan$)")
_HEX = re.compile(r"[0-9A-Fa-f]+")


class _TomlReader:
    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0
        self.line = 1

    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.t[j] if j < len(self.t) else ""

    def fail(self, reason: str) -> "TomlSyntaxError":
        return TomlSyntaxError(self.line, reason)

    def document(self) -> dict:
        root: dict = {}
        current = root
        while True:
            self.skip_spaces()
            if self.i >= len(self.t):
                return root
            c = self.peek()
            if c in ("\n", "\r", "#"):
                self.end_of_line()
            elif c == "[":
                array = self.peek(1) == "["
                self.i += 2 if array else 1
                path = self.key("]")
                if self.peek() != "]" or (array and self.peek(1) != "]"):
                    raise self.fail('expected "%s" after the table name' % ("]]" if array else "]"))
                self.i += 2 if array else 1
                if array:
                    # Arrays of tables hold nothing the readers use: their keys go to a dropped table.
                    self.table_at(root, path[:-1])
                    current = {}
                else:
                    current = self.table_at(root, path)
                self.end_of_line()
            else:
                self.key_value(current)
                self.end_of_line()

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t") and self.i < len(self.t):
            self.i += 1

    def skip_spaces_and_lines(self) -> None:
        while True:
            self.skip_spaces()
            c = self.peek()
            if c == "#":
                while self.i < len(self.t) and self.t[self.i] != "\n":
                    self.i += 1
            elif c == "\r" and self.peek(1) == "\n":
                self.i += 1
            elif c == "\n":
                self.i += 1
                self.line += 1
            else:
                return

    def end_of_line(self) -> None:
        self.skip_spaces()
        if self.peek() == "#":
            while self.i < len(self.t) and self.t[self.i] != "\n":
                self.i += 1
        if self.peek() == "\r" and self.peek(1) == "\n":
            self.i += 1
        if self.i >= len(self.t):
            return
        if self.t[self.i] != "\n":
            raise self.fail('unexpected text after the value (a value needs quotes: key = "value")')
        self.i += 1
        self.line += 1

    def key(self, terminator: str) -> List[str]:
        parts: List[str] = []
        while True:
            self.skip_spaces()
            c = self.peek()
            if c == '"':
                parts.append(self.basic_string())
            elif c == "'":
                parts.append(self.literal_string())
            else:
                start = self.i
                while self.i < len(self.t) and _BARE_KEY.match(self.t[self.i]):
                    self.i += 1
                if self.i == start:
                    raise self.fail('expected a key (key = "value")' if terminator == "=" else "expected a table name")
                parts.append(self.t[start : self.i])
            self.skip_spaces()
            if self.peek() != ".":
                return parts
            self.i += 1

    def key_value(self, table: dict) -> None:
        path = self.key("=")
        if self.peek() != "=":
            raise self.fail('expected "=" after %s' % ".".join(path))
        self.i += 1
        self.skip_spaces()
        value = self.value()
        self.table_at(table, path[:-1])[path[-1]] = value

    def table_at(self, root: dict, path: List[str]) -> dict:
        table = root
        for part in path:
            existing = table.get(part)
            if existing is None:
                table[part] = {}
                table = table[part]
            elif isinstance(existing, dict):
                table = existing
            else:
                raise self.fail("%s is already a value, not a table" % ".".join(path))
        return table

    def value(self) -> object:
        c = self.peek()
        if c == '"':
            return self.multiline_string('"') if self.t.startswith('"""', self.i) else self.basic_string()
        if c == "'":
            return self.multiline_string("'") if self.t.startswith("'''", self.i) else self.literal_string()
        if c == "{":
            return self.inline_table()
        if c == "[":
            return self.array()
        start = self.i
        while self.i < len(self.t) and self.t[self.i] not in ",]}#\n\r":
            self.i += 1
        raw = self.t[start : self.i].rstrip(" \t")
        self.i = start + len(raw)
        if raw == "true":
            return True
        if raw == "false":
            return False
        if raw == "":
            raise self.fail("expected a value")
        if not _SCALAR.match(raw):
            raise self.fail('%s is not a TOML value (strings need quotes: "%s")' % (raw, raw))
        return TomlOther(raw)

    def inline_table(self) -> dict:
        self.i += 1
        table: dict = {}
        self.skip_spaces_and_lines()
        if self.peek() == "}":
            self.i += 1
            return table
        while True:
            self.key_value(table)
            self.skip_spaces_and_lines()
            c = self.peek()
            self.i += 1
            if c == "}":
                return table
            if c != ",":
                raise self.fail('expected "," or "}" in the inline table')
            self.skip_spaces_and_lines()
            if self.peek() == "}":
                self.i += 1
                return table

    def array(self) -> list:
        self.i += 1
        items: list = []
        while True:
            self.skip_spaces_and_lines()
            if self.peek() == "]":
                self.i += 1
                return items
            items.append(self.value())
            self.skip_spaces_and_lines()
            c = self.peek()
            self.i += 1
            if c == "]":
                return items
            if c != ",":
                raise self.fail('expected "," or "]" in the array')

    def literal_string(self) -> str:
        end = self.t.find("'", self.i + 1)
        newline = self.t.find("\n", self.i + 1)
        if end < 0 or (0 <= newline < end):
            raise self.fail("unterminated string")
        value = self.t[self.i + 1 : end]
        self.i = end + 1
        return value

    def basic_string(self) -> str:
        self.i += 1
        parts: List[str] = []
        while True:
            c = self.peek()
            if c == "" or c == "\n":
                raise self.fail("unterminated string")
            if c == '"':
                self.i += 1
                return "".join(parts)
            if c == "\\":
                parts.append(self.escape())
            else:
                parts.append(c)
                self.i += 1

    def multiline_string(self, quote: str) -> str:
        t = self.t
        start_line = self.line
        self.i += 3
        if self.peek() == "\n":
            self.i += 1
            self.line += 1
        elif self.peek() == "\r" and self.peek(1) == "\n":
            self.i += 2
            self.line += 1
        parts: List[str] = []
        while True:
            c = self.peek()
            if c == "":
                raise TomlSyntaxError(start_line, "unterminated multi-line string")
            if c == quote and t.startswith(quote * 3, self.i):
                # Up to two quotes right before the closing three belong to the value.
                run = 3
                while run < 5 and self.peek(run) == quote:
                    run += 1
                parts.append(quote * (run - 3))
                self.i += run
                return "".join(parts)
            if quote == '"' and c == "\\":
                # A backslash at the end of a line joins it with the next non-blank text.
                j = self.i + 1
                while j < len(t) and t[j] in " \t":
                    j += 1
                if t.startswith("\n", j) or t.startswith("\r\n", j):
                    self.i = j
                    while self.i < len(t) and t[self.i] in " \t\n\r":
                        if t[self.i] == "\n":
                            self.line += 1
                        self.i += 1
                    continue
                parts.append(self.escape())
                continue
            if c == "\n":
                self.line += 1
            parts.append(c)
            self.i += 1

    def escape(self) -> str:
        nxt = self.peek(1)
        if nxt in _TOML_ESCAPES:
            self.i += 2
            return _TOML_ESCAPES[nxt]
        digits = _TOML_HEX.get(nxt)
        if digits is not None:
            hexa = self.t[self.i + 2 : self.i + 2 + digits]
            code = int(hexa, 16) if len(hexa) == digits and _HEX.fullmatch(hexa) else -1
            if code < 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.fail("invalid escape \\%s%s" % (nxt, hexa))
            self.i += 2 + digits
            return chr(code)
        raise self.fail("invalid escape \\%s in a string (write \\\\ for a backslash)" % nxt)


def parse_toml(text: str) -> dict:
    """The minimal TOML reader; tables are dicts in file order, numbers and dates TomlOther."""
    return _TomlReader(text).document()


# --- fork-stack.toml: the sections the conventions use ---------------------------------------


class _Section:
    def __init__(self, label: str, table: dict, name: str = "") -> None:
        self.label = label
        self.table = table
        self.provider = table.get("provider")
        self.name = name
        self.is_default = False


class _Config:
    def __init__(self, path: str, doc: dict) -> None:
        self.path = path
        project = doc.get("project")
        if project is not None and not isinstance(project, str):
            raise self.invalid('project must be a string, e.g. project = "myapp"')
        self.project: Optional[str] = project
        default_parent = doc.get("default_parent", "dev")
        if not isinstance(default_parent, str):
            raise self.invalid('default_parent must be a string, e.g. default_parent = "dev"')
        roots = doc.get("roots", [default_parent])
        if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
            raise self.invalid('roots must be a list of environment names, e.g. roots = ["dev"]')
        self.roots: List[str] = roots
        self.database = self._section(doc.get("database"), "[database]")
        self.cache = self._section(doc.get("cache"), "[cache]")
        self.queue = self._section(doc.get("queue"), "[queue]")
        self.buckets: List[_Section] = []
        storage = doc.get("storage")
        if storage is not None:
            if not isinstance(storage, dict):
                raise self.invalid("storage must hold named buckets such as [storage.uploads]")
            for name, table in storage.items():
                if not isinstance(table, dict):
                    shown = "uploads" if name == "provider" else name
                    raise self.invalid('[storage] holds named buckets: write [storage.%s] with provider = "\u2026" under it' % shown)
                bucket = self._section(table, "[storage.%s]" % name)
                assert bucket is not None
                bucket.name = name
                self.buckets.append(bucket)
            chosen = next((b for b in self.buckets if b.table.get("default") is True), None)
            chosen = chosen or next((b for b in self.buckets if b.name == "default"), None)
            chosen = chosen or (self.buckets[0] if self.buckets else None)
            if chosen is not None:
                chosen.is_default = True

    def invalid(self, reason: str) -> ForkStackError:
        return ForkStackError("invalid-config", '%s: %s; fix the file (run "fork-stack doctor" to check it)' % (self.path, reason))

    def _section(self, value: object, label: str) -> Optional[_Section]:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.invalid('%s must be a table, e.g. %s with provider = "\u2026" under it' % (label, label))
        section = _Section(label, value)
        if section.provider is not None and not isinstance(section.provider, str):
            raise self.invalid("%s provider must be a string" % label)
        return section

    def option(self, section: _Section, key: str) -> Optional[str]:
        value = section.table.get(key)
        if value is not None and not isinstance(value, str):
            raise self.invalid("%s %s must be a string" % (section.label, key))
        return value

    def names(self, section: _Section) -> Dict[str, str]:
        value = section.table.get("names")
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.invalid('%s names must be a table such as names = { prod = "myapp" }' % section.label)
        for env, name in value.items():
            if not isinstance(name, str):
                raise self.invalid("%s names.%s must be a string" % (section.label, env))
        return value

    def render(self, section: _Section, pattern: str, values: Mapping[str, str]) -> str:
        def replace(match: "re.Match[str]") -> str:
            if match.group(1) not in values:
                raise self.invalid('%s uses the unknown placeholder %s in "%s"' % (section.label, match.group(0), pattern))
            return values[match.group(1)]

        return _PLACEHOLDER.sub(replace, pattern)

    def name_for(self, section: _Section, values: Mapping[str, str], option: str, fallback: str) -> str:
        pattern = _first(self.names(section).get(values["env"]), self.option(section, option), fallback)
        return self.render(section, pattern, values)


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _first(*values: Optional[str]) -> str:
    """The first value that is set (an empty string counts as set, as in the TypeScript reader)."""
    return next(v for v in values if v is not None)


def _read_config(root: Optional[str]) -> Optional[_Config]:
    if root is None:
        return None
    path = os.path.join(root, CONFIG_FILE)
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", errors="replace")
    except OSError as error:
        if _is_absent(error):
            return None
        raise ForkStackError("invalid-config", '%s: cannot be read (%s); fix the file (run "fork-stack doctor" to check it)' % (path, _errno_name(error))) from None
    try:
        doc = parse_toml(text)
    except TomlSyntaxError as error:
        raise ForkStackError("invalid-config", '%s: %s; fix the file (run "fork-stack doctor" to check it)' % (path, error)) from None
    return _Config(path, doc)


# --- naming conventions --------------------------------------------------------------------------

# BEGIN GENERATED conventions from conformance/v1/conventions.json by `npm run sync-readers -- --write`; edit that file, not this block.
DEFAULT_SQLITE_PATH = ".fork-stack/data/{project}.{env}.db"
DEFAULT_TURSO_NAME = "{project}-{env}"
TURSO_ADOPTED_ENV = "prod"
TURSO_ADOPTED_NAME = "{project}"
DEFAULT_BUCKET_PATTERN = "{project}-bucket-{env}"
NAMED_BUCKET_PATTERN = "{project}-{bucket}-{env}"
DEFAULT_FS_DIR = ".fork-stack/buckets"
DEFAULT_KEY_PREFIX = "forks/{env}/"
DEFAULT_CACHE_PREFIX = "{project}:{env}:"
DEFAULT_QUEUE_PREFIX = "bull:{project}:{env}"
CACHE_PREFIX_PROVIDERS = ("redis", "valkey")
QUEUE_PREFIX_PROVIDERS = ("bullmq",)
# END GENERATED conventions

_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!$&'()*+,-.:;=@_/")


def _resolve_path(root: str, relative: str) -> str:
    """Node's path.resolve(root, relative): lexical, so every reader gets the same string."""
    if os.sep != "/":
        return os.path.normpath(os.path.join(root, relative))
    joined = relative if relative.startswith("/") else root + "/" + relative
    parts: List[str] = []
    for part in joined.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "/" + "/".join(parts)


def _file_url(path: str) -> str:
    """`file:` URL of a path, percent-encoded as the sqlite provider's fileUrl() (pathToFileURL) does."""
    posix = path if os.sep == "/" else "/" + path.replace("\\", "/")
    out = ["file:"]
    for byte in posix.encode("utf-8", errors="surrogatepass"):
        out.append(chr(byte) if byte in _URL_SAFE else "%%%02X" % byte)
    return "".join(out)


def _bucket_variable(name: str) -> str:
    return "BUCKET_" + name.upper().replace("-", "_")


_MISSING = object()


class EnvConfig:
    """The reader's accessors as methods: subclass and override one (say ``get_database_url``) to
    plug in a provider with its own conventions; ``use_config`` makes the module functions use it.

    ``cwd`` is where the project is looked for (default: the working directory); ``environ`` replaces
    the process environment (default: ``os.environ``). Every call reads the files afresh.
    """

    contract_version = CONTRACT_VERSION

    def __init__(self, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> None:
        self.cwd = cwd
        self.environ = environ

    # -- internals a subclass may use --------------------------------------------------------------

    def _environ(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    def _cwd(self) -> str:
        return os.path.abspath(self.cwd if self.cwd is not None else os.getcwd())

    def _resolve(self) -> Tuple[str, Optional[str]]:
        return _resolve_env(self._cwd(), self._environ())

    def _lookup(self, key: str, resolved: Optional[Tuple[str, Optional[str]]] = None) -> Optional[str]:
        """Process environment, then the env file; empty counts as unset."""
        value = self._environ().get(key)
        if value:
            return value
        env, root = resolved or self._resolve()
        return (_read_env_file(root, env) or {}).get(key) or None

    def _missing(self, key: str, resolved: Tuple[str, Optional[str]], why: str) -> ForkStackError:
        env, root = resolved
        where = _env_file_path(root, env) if root else ".fork-stack/envs/<env>.env (no fork-stack project found)"
        return ForkStackError(
            "missing-value",
            '%s is not set for environment "%s": not in the process environment, not in %s, and %s; '
            'run "fork-stack switch %s" (or "fork-stack create %s") to write it, or set %s' % (key, env, where, why, env, env, key),
        )

    def _values(self, resolved: Tuple[str, Optional[str]]) -> Dict[str, str]:
        return {"project": self._project_name(resolved), "env": resolved[0]}

    def _project_name(self, resolved: Tuple[str, Optional[str]]) -> str:
        from_env = self._lookup("PROJECT_NAME", resolved)
        if from_env:
            return from_env
        config = _read_config(resolved[1])
        if config is not None and config.project is not None:
            return config.project
        return os.path.basename(resolved[1] or self._cwd())

    def _sqlite_path(self, config: _Config, database: _Section, root: str, values: Mapping[str, str]) -> str:
        return _resolve_path(root, config.name_for(database, values, "path", DEFAULT_SQLITE_PATH))

    # -- the accessors --------------------------------------------------------------------------------

    def get_current_env(self) -> str:
        return self._resolve()[0]

    def get_project_root(self) -> Optional[str]:
        """The directory holding fork-stack.toml or .current-env, if any."""
        return self._resolve()[1]

    def get_project_name(self) -> str:
        return self._project_name(self._resolve())

    def get_database_url(self) -> str:
        resolved = self._resolve()
        value = self._lookup("DATABASE_URL", resolved)
        if value:
            return value
        env, root = resolved
        config = _read_config(root)
        database = config.database if config else None
        if config is not None and database is not None:
            if database.provider == "sqlite":
                return _file_url(self._sqlite_path(config, database, root or self._cwd(), self._values(resolved)))
            if database.provider == "turso":
                # Adopted production databases are named after the project (the original templates).
                values = self._values(resolved)
                pattern = _first(
                    config.names(database).get(env),
                    TURSO_ADOPTED_NAME if env == TURSO_ADOPTED_ENV else None,
                    config.option(database, "name"),
                    DEFAULT_TURSO_NAME,
                )
                name = config.render(database, pattern, values)
                # Turso's hostnames are <database>-<organization>.turso.io; without an organization, the
                # original templates' <database>.turso.io.
                organization = config.option(database, "organization")
                return "libsql://%s.turso.io" % (name if organization is None else "%s-%s" % (name, organization))
        raise self._missing("DATABASE_URL", resolved, "fork-stack.toml has no [database] naming convention for it (sqlite and turso have one)")

    def get_database_auth_token(self) -> Optional[str]:
        return self._lookup("DATABASE_AUTH_TOKEN")

    def get_local_db_path(self) -> Path:
        """The SQLite file of the environment, as a ``pathlib.Path`` (what the per-stack templates returned,
        so ``get_local_db_path().parent.mkdir(parents=True, exist_ok=True)`` works)."""
        resolved = self._resolve()
        config = _read_config(resolved[1])
        values = self._values(resolved)
        if config is not None and config.database is not None and config.database.provider == "sqlite":
            return Path(self._sqlite_path(config, config.database, resolved[1] or self._cwd(), values))
        return Path("%s.%s.db" % (values["project"], values["env"]))

    def get_bucket_name(self, name: Optional[str] = None) -> str:
        """The default bucket (BUCKET_NAME), or the bucket of ``[storage.<name>]`` (BUCKET_<NAME>)."""
        resolved = self._resolve()
        key = "BUCKET_NAME" if name is None else _bucket_variable(name)
        value = self._lookup(key, resolved)
        if value:
            return value
        config = _read_config(resolved[1])
        buckets = config.buckets if config else []
        if name is None:
            bucket = next((b for b in buckets if b.is_default), None)
        else:
            bucket = next((b for b in buckets if _bucket_variable(b.name) == key), None)
        if config is not None and bucket is not None and config.option(bucket, "mode") == "prefix":
            # S3-compatible prefix mode: every environment shares one bucket, under its own key prefix.
            shared = config.option(bucket, "bucket")
            if shared is not None:
                return shared
        elif config is not None and bucket is not None:
            values = dict(self._values(resolved), bucket=bucket.name)
            pattern = DEFAULT_BUCKET_PATTERN if bucket.is_default else NAMED_BUCKET_PATTERN
            if bucket.provider == "fs":
                # The fs provider keeps <dir>/<name> per environment and publishes the absolute directory.
                directory = _first(config.option(bucket, "dir"), DEFAULT_FS_DIR)
                leaf = _first(config.names(bucket).get(values["env"]), config.option(bucket, "name"), pattern)
                return _resolve_path(resolved[1] or self._cwd(), config.render(bucket, directory + "/" + leaf, values))
            return config.name_for(bucket, values, "name", pattern)
        if name is None and not buckets:
            # No storage configured at all: the original templates' convention.
            values = self._values(resolved)
            return "%s-bucket-%s" % (values["project"], values["env"])
        if bucket is not None:
            raise self._missing(key, resolved, '%s is in prefix mode without its shared bucket (bucket = "\u2026")' % bucket.label)
        known = ", ".join(b.name for b in buckets)
        why = "fork-stack.toml has no [storage.%s]" % name + (" (buckets: %s)" % known if known else "")
        raise self._missing(key, resolved, why)

    def get_s3_key(self, resource_type: str, filename: str) -> str:
        """``{BUCKET_KEY_PREFIX}{resource_type}/{filename}``: prefixed where storage isolates by prefix."""
        resolved = self._resolve()
        prefix = self._lookup("BUCKET_KEY_PREFIX", resolved)
        if prefix is None:
            prefix = self._key_prefix_convention(resolved)
        return "%s%s/%s" % (prefix, resource_type, filename)

    def _key_prefix_convention(self, resolved: Tuple[str, Optional[str]]) -> str:
        """BUCKET_KEY_PREFIX when the default bucket is in prefix mode: names[env] ("/" added), "" for a
        root environment, else key_prefix; "" when the default bucket is not in prefix mode."""
        config = _read_config(resolved[1])
        bucket = next((b for b in config.buckets if b.is_default), None) if config else None
        if config is None or bucket is None or config.option(bucket, "mode") != "prefix":
            return ""
        env = resolved[0]
        explicit = config.names(bucket).get(env)
        if explicit is not None:
            return explicit if explicit.endswith("/") else explicit + "/"
        if env in config.roots:
            return ""
        return config.render(bucket, _first(config.option(bucket, "key_prefix"), DEFAULT_KEY_PREFIX), self._values(resolved))

    def get_secret(self, key: str, default: object = _MISSING) -> str:
        """The secret (process environment, then the env file); ``default`` when given and unset."""
        resolved = self._resolve()
        value = self._lookup(key, resolved)
        if value is not None:
            return value
        if default is not _MISSING:
            return default  # type: ignore[return-value]
        raise self._missing(key, resolved, "secrets have no naming convention")

    def lookup_secret(self, key: str) -> Optional[str]:
        return self._lookup(key)

    def get_all_secrets(self) -> Dict[str, str]:
        """Every value of the env file, each overridden by a non-empty process variable."""
        env, root = self._resolve()
        values = _read_env_file(root, env) or {}
        environ = self._environ()
        return {key: environ.get(key) or value for key, value in values.items()}

    def set_secret(self, key: str, value: str) -> None:
        """Runs ``fork-stack secrets set KEY --env <env>`` (FORK_STACK_CLI overrides the command)."""
        if not _KEY.fullmatch(key):
            raise ForkStackError(
                "invalid-key",
                '%s is not a valid variable name; use letters, digits and "_", not starting with a digit (e.g. STRIPE_KEY)' % _quote(key),
            )
        env, root = self._resolve()
        environ = self._environ()
        command = (environ.get("FORK_STACK_CLI") or "").split() or DEFAULT_CLI.split()
        args = command + ["secrets", "set", key, "--env", env]
        shown = " ".join(args)
        try:
            # The value goes on stdin, never on the command line. The CLI drops one trailing "\n" or
            # "\r\n", so a value ending with "\r" gets "\r\n" (else its "\r" would be lost).
            result = subprocess.run(
                args,
                input=(value + ("\r\n" if value.endswith("\r") else "\n")).encode("utf-8"),
                cwd=root or self._cwd(),
                env=None if self.environ is None else dict(self.environ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                check=False,
            )
        except OSError as error:
            raise ForkStackError(
                "cli-failed",
                'could not run "%s" (%s); install fork-stack (npm i -D fork-stack) or set FORK_STACK_CLI' % (shown, _errno_name(error)),
            ) from None
        if result.returncode != 0:
            detail = " ".join(result.stderr.decode("utf-8", errors="replace").strip().split("\n")[-3:]).strip()
            how = "was stopped by signal %d" % -result.returncode if result.returncode < 0 else "exited with code %d" % result.returncode
            raise ForkStackError("cli-failed", '"%s" %s%s' % (shown, how, ": " + detail if detail else ""))

    def get_cache_url(self) -> str:
        """CACHE_URL, else REDIS_URL; the process environment before the env file."""
        resolved = self._resolve()
        environ = self._environ()
        value = environ.get("CACHE_URL") or environ.get("REDIS_URL")
        if not value:
            values = _read_env_file(resolved[1], resolved[0]) or {}
            value = values.get("CACHE_URL") or values.get("REDIS_URL")
        if not value:
            raise self._missing("CACHE_URL", resolved, "neither is REDIS_URL")
        return value

    def _prefix(self, key: str, section_name: str, providers: Tuple[str, ...], default: str) -> str:
        resolved = self._resolve()
        value = self._lookup(key, resolved)
        if value:
            return value
        config = _read_config(resolved[1])
        section = getattr(config, section_name) if config else None
        if config is None or section is None:
            raise self._missing(key, resolved, "fork-stack.toml has no [%s] section" % section_name)
        if section.provider not in providers or config.option(section, "isolation") == "db":
            return ""  # the environments are isolated otherwise (a database per environment)
        return config.name_for(section, self._values(resolved), "prefix", default)

    def get_cache_key_prefix(self) -> str:
        return self._prefix("CACHE_KEY_PREFIX", "cache", CACHE_PREFIX_PROVIDERS, DEFAULT_CACHE_PREFIX)

    def get_queue_url(self) -> str:
        resolved = self._resolve()
        value = self._lookup("QUEUE_URL", resolved)
        if not value:
            raise self._missing("QUEUE_URL", resolved, "queue URLs have no naming convention")
        return value

    def get_queue_prefix(self) -> str:
        return self._prefix("QUEUE_PREFIX", "queue", QUEUE_PREFIX_PROVIDERS, DEFAULT_QUEUE_PREFIX)


# --- module-level functions: the original templates' API ------------------------------------------

_default_config = EnvConfig()


def use_config(config: EnvConfig) -> None:
    """Make the module functions use ``config`` (typically a subclass of EnvConfig)."""
    global _default_config
    _default_config = config


def get_config(cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> EnvConfig:
    """The default config, or one of the same class for other ``cwd``/``environ``."""
    if cwd is None and environ is None:
        return _default_config
    base = _default_config
    return type(base)(cwd=cwd if cwd is not None else base.cwd, environ=environ if environ is not None else base.environ)


def get_current_env(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_current_env()


def get_project_root(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    return get_config(cwd, environ).get_project_root()


def get_project_name(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_project_name()


def get_database_url(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_database_url()


def get_database_auth_token(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    return get_config(cwd, environ).get_database_auth_token()


def get_local_db_path(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> Path:
    return get_config(cwd, environ).get_local_db_path()


def get_bucket_name(name: Optional[str] = None, *, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_bucket_name(name)


def get_s3_key(resource_type: str, filename: str, *, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_s3_key(resource_type, filename)


def get_secret(key: str, default: object = _MISSING, *, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_secret(key, default)


def lookup_secret(key: str, *, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    return get_config(cwd, environ).lookup_secret(key)


def get_all_secrets(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    return get_config(cwd, environ).get_all_secrets()


def set_secret(key: str, value: str, *, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> None:
    get_config(cwd, environ).set_secret(key, value)


def get_cache_url(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_cache_url()


def get_cache_key_prefix(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_cache_key_prefix()


def get_queue_url(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_queue_url()


def get_queue_prefix(*, cwd: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    return get_config(cwd, environ).get_queue_prefix()


def __getattr__(name: str) -> Union[str, None]:
    # PROJECT_NAME was a module constant in the original templates; it is computed when read so that
    # importing this module never fails (a broken fork-stack.toml only matters when it is needed).
    if name == "PROJECT_NAME":
        return _default_config.get_project_name()
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
