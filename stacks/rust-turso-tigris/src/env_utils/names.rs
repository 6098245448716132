//! Environment names, whitespace, paths and the project root: the pieces of resolution that every
//! reader spells out identically (conformance/README.md, section 1).

use std::path::{Component, Path, PathBuf};

use super::config::CONFIG_FILE;
use super::{CURRENT_ENV_FILE, ENV_NAME_MAX_LENGTH};

/// What ECMAScript's String.prototype.trim removes; every reader trims exactly these (Rust's
/// `str::trim` would also take U+0085 and leave U+FEFF).
pub(super) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

pub(super) fn trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

pub(super) fn is_lower_or_digit(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

pub(super) fn is_valid_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= ENV_NAME_MAX_LENGTH
        && b[0].is_ascii_lowercase()
        && (0..b.len()).all(|i| {
            is_lower_or_digit(b[i])
                || (b[i] == b'-' && i + 1 < b.len() && is_lower_or_digit(b[i + 1]))
        })
}

/// What is wrong with an environment name, or None when it is valid.
pub fn env_name_problem(name: &str) -> Option<String> {
    let length = name.encode_utf16().count();
    let lower = name.to_lowercase();
    Some(if name.is_empty() {
        "the name is empty".to_string()
    } else if length > ENV_NAME_MAX_LENGTH {
        format!("it is {length} characters long; the limit is {ENV_NAME_MAX_LENGTH}")
    } else if name.bytes().any(|c| c.is_ascii_uppercase())
        && lower != name
        && is_valid_env_name(&lower)
    {
        format!("it has upper-case letters (try \"{lower}\")")
    } else if !name.as_bytes()[0].is_ascii_lowercase() {
        "it must start with a lower-case letter".to_string()
    } else if name.contains("--") {
        "it has two hyphens in a row".to_string()
    } else if name.ends_with('-') {
        "it must end with a letter or digit".to_string()
    } else {
        let mut bad: Vec<char> = Vec::new();
        for c in name
            .chars()
            .filter(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            if !bad.contains(&c) {
                bad.push(c);
            }
        }
        if !bad.is_empty() {
            let shown: Vec<String> = bad.iter().map(|c| format!("{:?}", c.to_string())).collect();
            format!(
                "it contains {}; only a-z, 0-9 and \"-\" are allowed",
                shown.join(", ")
            )
        } else if !is_valid_env_name(name) {
            "it is not of the form lower-case letters, digits and \"-\"".to_string()
        } else {
            return None;
        }
    })
}

pub(super) fn normalise(value: &str) -> String {
    match trim(value).to_lowercase().as_str() {
        "production" => "prod".to_string(),
        "development" => "dev".to_string(),
        other => other.to_string(),
    }
}

/// Lexical normalisation, like Node's path.resolve: `.` and `..` removed, no trailing separator.
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The file is not there (a missing parent, or a parent that is a file, included).
pub(super) fn is_absent(error: &std::io::Error) -> bool {
    // ENOTDIR is 20 on Linux, macOS and the BSDs.
    error.kind() == std::io::ErrorKind::NotFound || (cfg!(unix) && error.raw_os_error() == Some(20))
}

/// The OS's reason for an I/O error, without Rust's " (os error N)" suffix.
pub(super) fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

pub(super) fn find_root(dir: &Path) -> Option<PathBuf> {
    let mut dir = dir.to_path_buf();
    loop {
        if dir.join(CONFIG_FILE).exists() || dir.join(CURRENT_ENV_FILE).exists() {
            return Some(dir);
        }
        if !dir.pop() {
            return None;
        }
    }
}

pub(super) fn quote(text: &str) -> String {
    format!("{text:?}")
}

/// An environment and its project root (None outside any project).
pub(super) struct Resolved {
    pub(super) env: String,
    pub(super) root: Option<PathBuf>,
}
