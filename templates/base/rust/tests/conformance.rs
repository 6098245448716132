//! The Rust reader against the fork-stack conformance vectors (conformance/v1/*.json):
//! `cargo test --offline`. The vectors are found by walking up from this crate to
//! conformance/v1/VERSION, or in FORK_STACK_CONFORMANCE_DIR.
//!
//! Rust's standard library has no JSON parser and crates.io may be unreachable, so `json` below is a
//! small one for the vector files; the reader itself needs none.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use fork_stack_env::{EnvConfig, ErrorCode, CONTRACT_VERSION};

mod json {
    /// A JSON value; objects keep their keys in order.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Json {
        Null,
        Bool(bool),
        Number(f64),
        String(String),
        Array(Vec<Json>),
        Object(Vec<(String, Json)>),
    }

    impl Json {
        pub fn get(&self, key: &str) -> Option<&Json> {
            match self {
                Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
                _ => None,
            }
        }
        pub fn as_str(&self) -> Option<&str> {
            match self {
                Json::String(s) => Some(s),
                _ => None,
            }
        }
        pub fn as_array(&self) -> &[Json] {
            match self {
                Json::Array(items) => items,
                _ => &[],
            }
        }
        pub fn entries(&self) -> &[(String, Json)] {
            match self {
                Json::Object(entries) => entries,
                _ => &[],
            }
        }
    }

    pub fn parse(text: &str) -> Result<Json, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let value = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing text at byte {}", p.i));
        }
        Ok(value)
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn ws(&mut self) {
            while self.i < self.s.len() && b" \t\r\n".contains(&self.s[self.i]) {
                self.i += 1;
            }
        }

        fn expect(&mut self, c: u8) -> Result<(), String> {
            self.ws();
            if self.s.get(self.i) == Some(&c) {
                self.i += 1;
                Ok(())
            } else {
                Err(format!("expected {:?} at byte {}", c as char, self.i))
            }
        }

        fn value(&mut self) -> Result<Json, String> {
            self.ws();
            match self.s.get(self.i) {
                Some(b'{') => {
                    self.i += 1;
                    let mut entries = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Json::Object(entries));
                    }
                    loop {
                        self.ws();
                        let key = self.string()?;
                        self.expect(b':')?;
                        entries.push((key, self.value()?));
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                return Ok(Json::Object(entries));
                            }
                            _ => return Err(format!("expected , or }} at byte {}", self.i)),
                        }
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Json::Array(items));
                    }
                    loop {
                        items.push(self.value()?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                return Ok(Json::Array(items));
                            }
                            _ => return Err(format!("expected , or ] at byte {}", self.i)),
                        }
                    }
                }
                Some(b'"') => self.string().map(Json::String),
                Some(b't') if self.s[self.i..].starts_with(b"true") => {
                    self.i += 4;
                    Ok(Json::Bool(true))
                }
                Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                    self.i += 5;
                    Ok(Json::Bool(false))
                }
                Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                    self.i += 4;
                    Ok(Json::Null)
                }
                Some(c) if *c == b'-' || c.is_ascii_digit() => {
                    let start = self.i;
                    while self.i < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.i]) {
                        self.i += 1;
                    }
                    let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                    text.parse()
                        .map(Json::Number)
                        .map_err(|e| format!("{text}: {e}"))
                }
                _ => Err(format!("unexpected input at byte {}", self.i)),
            }
        }

        fn hex4(&mut self) -> Result<u32, String> {
            let digits = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
            self.i += 4;
            u32::from_str_radix(std::str::from_utf8(digits).map_err(|e| e.to_string())?, 16)
                .map_err(|e| e.to_string())
        }

        fn string(&mut self) -> Result<String, String> {
            if self.s.get(self.i) != Some(&b'"') {
                return Err(format!("expected a string at byte {}", self.i));
            }
            self.i += 1;
            let mut out: Vec<u8> = Vec::new();
            loop {
                let c = *self.s.get(self.i).ok_or("unterminated string")?;
                self.i += 1;
                match c {
                    b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                    b'\\' => {
                        let e = *self.s.get(self.i).ok_or("unterminated escape")?;
                        self.i += 1;
                        let ch = match e {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let high = self.hex4()?;
                                let code = if (0xd800..0xdc00).contains(&high)
                                    && self.s[self.i..].starts_with(b"\\u")
                                {
                                    self.i += 2;
                                    let low = self.hex4()?;
                                    0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
                                } else {
                                    high
                                };
                                char::from_u32(code)
                                    .ok_or(format!("invalid code point {code:x}"))?
                            }
                            _ => return Err(format!("invalid escape \\{}", e as char)),
                        };
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => out.push(c),
                }
            }
        }
    }
}

use json::Json;

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

const FAKE_CLI_SCRIPT: &str = r#"#!/bin/sh
dir=$(dirname "$0")
pwd -P > "$dir/cwd"
: > "$dir/args"
for arg in "$@"; do printf '%s\n' "$arg" >> "$dir/args"; done
cat > "$dir/stdin"
if [ -f "$dir/stderr" ]; then cat "$dir/stderr" >&2; fi
exit "$(cat "$dir/exit" 2>/dev/null || echo 0)"
"#;

fn conformance_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FORK_STACK_CONFORMANCE_DIR") {
        return PathBuf::from(dir);
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        if dir.join("conformance/v1/VERSION").is_file() {
            return dir.join("conformance");
        }
        assert!(
            dir.pop(),
            "conformance/ not found above this crate; set FORK_STACK_CONFORMANCE_DIR"
        );
    }
}

/// A unique temporary directory, removed (permissions restored) on drop.
struct Workspace {
    base: PathBuf,
    root: PathBuf,
    fake: PathBuf,
    cwd: PathBuf,
    env: HashMap<String, String>,
    modes: Vec<PathBuf>,
}

fn temp_dir(label: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "fork-stack-conformance-rs-{}-{n}-{label}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::canonicalize(dir).unwrap()
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

impl Workspace {
    fn new(case: &Json) -> Workspace {
        let base = temp_dir("case");
        let root = base.join("project");
        let fake = base.join("fake-cli");
        fs::create_dir(&root).unwrap();
        fs::create_dir(&fake).unwrap();
        fs::write(fake.join("cli.sh"), FAKE_CLI_SCRIPT).unwrap();
        let mut ws = Workspace {
            base,
            root,
            fake,
            cwd: PathBuf::new(),
            env: HashMap::new(),
            modes: Vec::new(),
        };
        let mut later = Vec::new();
        for (rel, spec) in case.get("files").map(Json::entries).unwrap_or_default() {
            let path = ws.root.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            match spec {
                Json::String(content) => fs::write(&path, ws.sub(content)).unwrap(),
                _ => {
                    if spec.get("dir") == Some(&Json::Bool(true)) {
                        fs::create_dir_all(&path).unwrap();
                    } else if let Some(b64) = spec.get("base64").and_then(Json::as_str) {
                        fs::write(&path, base64_decode(b64)).unwrap();
                    } else {
                        fs::write(
                            &path,
                            ws.sub(spec.get("content").and_then(Json::as_str).unwrap_or("")),
                        )
                        .unwrap();
                    }
                    if let Some(mode) = spec.get("mode").and_then(Json::as_str) {
                        later.push((path, u32::from_str_radix(mode, 8).unwrap()));
                    }
                }
            }
        }
        for (path, mode) in later {
            set_mode(&path, mode);
            ws.modes.push(path);
        }
        ws.cwd = ws
            .root
            .join(case.get("cwd").and_then(Json::as_str).unwrap_or("."));
        fs::create_dir_all(&ws.cwd).unwrap();
        for (k, v) in case.get("env").map(Json::entries).unwrap_or_default() {
            let value = ws.sub(v.as_str().unwrap());
            ws.env.insert(k.clone(), value);
        }
        ws
    }

    fn sub(&self, text: &str) -> String {
        text.replace("{root}", &self.root.to_string_lossy())
            .replace(
                "{fake_cli}",
                &format!("/bin/sh {}/cli.sh", self.fake.display()),
            )
    }

    fn substitute(&self, value: &Json) -> Json {
        match value {
            Json::String(s) => Json::String(self.sub(s)),
            Json::Object(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.substitute(v)))
                    .collect(),
            ),
            Json::Array(items) => Json::Array(items.iter().map(|v| self.substitute(v)).collect()),
            other => other.clone(),
        }
    }

    fn arm_cli(&self, cli: Option<&Json>) {
        for name in ["args", "stdin", "cwd", "exit", "stderr"] {
            let _ = fs::remove_file(self.fake.join(name));
        }
        let exit = match cli.and_then(|c| c.get("exit")) {
            Some(Json::Number(n)) => *n as i64,
            _ => 0,
        };
        fs::write(self.fake.join("exit"), exit.to_string()).unwrap();
        if let Some(stderr) = cli.and_then(|c| c.get("stderr")).and_then(Json::as_str) {
            fs::write(self.fake.join("stderr"), stderr).unwrap();
        }
    }

    fn cli_call(&self) -> Json {
        let Ok(args) = fs::read_to_string(self.fake.join("args")) else {
            return Json::Null;
        };
        let read = |name: &str| fs::read_to_string(self.fake.join(name)).unwrap();
        let mut lines: Vec<Json> = args
            .split('\n')
            .map(|a| Json::String(a.to_string()))
            .collect();
        lines.pop();
        Json::Object(vec![
            ("args".into(), Json::Array(lines)),
            ("stdin".into(), Json::String(read("stdin"))),
            (
                "cwd".into(),
                Json::String(read("cwd").trim_end_matches('\n').to_string()),
            ),
        ])
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        for path in &self.modes {
            set_mode(path, 0o700);
        }
        let _ = fs::remove_dir_all(&self.base);
    }
}

/// Whether this process can read a mode-000 file (root can): then "unreadable" cases cannot hold.
fn reads_unreadable_files() -> bool {
    let dir = temp_dir("probe");
    let file = dir.join("probe");
    fs::write(&file, "x").unwrap();
    set_mode(&file, 0o000);
    let readable = fs::read(&file).is_ok();
    set_mode(&file, 0o600);
    let _ = fs::remove_dir_all(&dir);
    readable
}

fn string(result: fork_stack_env::Result<String>) -> fork_stack_env::Result<Json> {
    result.map(Json::String)
}

fn optional(result: fork_stack_env::Result<Option<String>>) -> fork_stack_env::Result<Json> {
    result.map(|v| v.map_or(Json::Null, Json::String))
}

fn call(reader: &EnvConfig, name: &str, args: &[String]) -> fork_stack_env::Result<Json> {
    let arg = |i: usize| args[i].as_str();
    match name {
        "current_env" => string(reader.current_env()),
        "project_name" => string(reader.project_name()),
        "database_url" => string(reader.database_url()),
        "database_auth_token" => optional(reader.database_auth_token()),
        "local_db_path" => string(reader.local_db_path()),
        "bucket_name" => string(reader.bucket_name(args.first().map(String::as_str))),
        "s3_key" => string(reader.s3_key(arg(0), arg(1))),
        "secret" => string(reader.secret(arg(0))),
        "lookup_secret" => optional(reader.lookup_secret(arg(0))),
        "all_secrets" => reader.all_secrets().map(|entries| {
            Json::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, Json::String(v)))
                    .collect(),
            )
        }),
        "set_secret" => reader.set_secret(arg(0), arg(1)).map(|()| Json::Null),
        "cache_url" => string(reader.cache_url()),
        "cache_key_prefix" => string(reader.cache_key_prefix()),
        "queue_url" => string(reader.queue_url()),
        "queue_prefix" => string(reader.queue_prefix()),
        "contract_version" => Ok(Json::String(CONTRACT_VERSION.to_string())),
        other => panic!("unknown call {other} in the vectors: add it to this runner"),
    }
}

/// Objects compare as maps (key order is not part of the contract).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

fn run_case(case: &Json) -> Vec<String> {
    let name = case.get("name").and_then(Json::as_str).unwrap();
    let ws = Workspace::new(case);
    let reader = EnvConfig::new().with_cwd(&ws.cwd).with_env(ws.env.clone());
    let mut failures = Vec::new();
    for e in case.get("expect").map(Json::as_array).unwrap_or_default() {
        let call_name = e.get("call").and_then(Json::as_str).unwrap();
        let args: Vec<String> = e
            .get("args")
            .map(Json::as_array)
            .unwrap_or_default()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let where_ = format!("{name}: {call_name}({args:?})");
        if call_name == "set_secret" {
            ws.arm_cli(e.get("cli"));
        }
        let result = call(&reader, call_name, &args);
        match (e.get("error").and_then(Json::as_str), result) {
            (Some(code), Err(err)) => {
                if err.code.as_str() != code {
                    failures.push(format!(
                        "{where_}: want error {code}, got {}: {}",
                        err.code.as_str(),
                        err.message
                    ));
                }
                for part in e
                    .get("message_contains")
                    .map(Json::as_array)
                    .unwrap_or_default()
                {
                    let part = ws.sub(part.as_str().unwrap());
                    if !err.message.contains(&part) {
                        failures.push(format!(
                            "{where_}: message {:?} does not contain {part:?}",
                            err.message
                        ));
                    }
                }
                assert!(err.code != ErrorCode::CliFailed || code == "cli-failed");
            }
            (Some(code), Ok(value)) => {
                failures.push(format!("{where_}: want error {code}, got {value:?}"))
            }
            (None, Err(err)) => failures.push(format!(
                "{where_}: unexpected error {}: {}",
                err.code.as_str(),
                err.message
            )),
            (None, Ok(value)) => {
                if let Some(want) = e.get("value") {
                    let want = ws.substitute(want);
                    if !same(&value, &want) {
                        failures.push(format!("{where_}: got {value:?}, want {want:?}"));
                    }
                }
            }
        }
        if let Some(want) = e.get("cli_called") {
            let got = ws.cli_call();
            if !same(&got, &ws.substitute(want)) {
                failures.push(format!("{where_}: CLI called with {got:?}, want {want:?}"));
            }
        }
    }
    failures
}

#[test]
fn conformance_vectors() {
    let dir = conformance_dir().join("v1");
    assert_eq!(
        fs::read_to_string(dir.join("VERSION")).unwrap().trim(),
        CONTRACT_VERSION
    );
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let skip_unreadable = reads_unreadable_files();
    let (mut passed, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    for file in &files {
        let doc = json::parse(&fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(
            doc.get("contract").and_then(Json::as_str),
            Some(CONTRACT_VERSION),
            "{}",
            file.display()
        );
        for case in doc.get("cases").map(Json::as_array).unwrap_or_default() {
            let name = case.get("name").and_then(Json::as_str).unwrap();
            if let (Some(reason), true) = (
                case.get("requires_non_root").and_then(Json::as_str),
                skip_unreadable,
            ) {
                skipped.push(format!("{name}: {reason}"));
                continue;
            }
            let case_failures = run_case(case);
            if case_failures.is_empty() {
                passed += 1;
            }
            failures.extend(case_failures);
        }
    }
    println!(
        "conformance: {passed} cases passed, {} skipped",
        skipped.len()
    );
    for s in &skipped {
        println!("  skipped {s}");
    }
    assert!(
        passed + skipped.len() >= 60,
        "only {} vectors",
        passed + skipped.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_parser_reads_what_the_vectors_use() {
    let v = json::parse(
        r#"{"a": [1, -2.5e1, true, false, null], "b": "\u00e9\ud83d\ude00\n\"\\", "c": {}}"#,
    )
    .unwrap();
    assert_eq!(v.get("b").and_then(Json::as_str), Some("é😀\n\"\\"));
    assert_eq!(v.get("a").unwrap().as_array()[1], Json::Number(-25.0));
    assert!(json::parse("{").is_err());
    assert_eq!(base64_decode("QT1jYWbpCg=="), b"A=caf\xe9\n");
}
