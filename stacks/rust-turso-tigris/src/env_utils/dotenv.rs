//! The fork-stack dotenv dialect, exactly as `parseDotenv` in the engine
//! (packages/fork-stack/src/core/files/dotenv.ts). Every delimiter is ASCII, so working on the UTF-8
//! bytes gives the same result as the TypeScript code's UTF-16 units.

use std::fmt;

use super::names::trim;

/// A line of an env file that is not `KEY=value` in the fork-stack dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvSyntaxError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for DotenvSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

fn is_key_byte(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    !bytes.is_empty() && !bytes[0].is_ascii_digit() && bytes.iter().all(|&c| is_key_byte(c))
}

fn double_escape(c: u8) -> Option<&'static str> {
    Some(match c {
        b'\\' => "\\",
        b'"' => "\"",
        b'$' => "$",
        b'`' => "`",
        b'n' => "\n",
        b'r' => "\r",
        b't' => "\t",
        _ => return None,
    })
}

/// Parses an env file; the result keeps keys in order of first appearance, later assignments winning.
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, DotenvSyntaxError> {
    let t = text.as_bytes();
    let n = t.len();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut set = |key: &str, value: String| match out.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value,
        None => out.push((key.to_string(), value)),
    };
    let err = |line: usize, reason: String| DotenvSyntaxError { line, reason };
    let (mut i, mut line) = (0usize, 1usize);
    let skip_blanks = |i: &mut usize| {
        while *i < n && (t[*i] == b' ' || t[*i] == b'\t') {
            *i += 1;
        }
    };
    // After a closing quote: blanks, an optional comment, then the end of the line.
    let rest_of_line =
        |i: &mut usize, line: &mut usize, start_line: usize| -> Result<(), DotenvSyntaxError> {
            skip_blanks(i);
            if *i < n && t[*i] == b'#' {
                while *i < n && t[*i] != b'\n' {
                    *i += 1;
                }
            }
            if *i + 1 < n && t[*i] == b'\r' && t[*i + 1] == b'\n' {
                *i += 1;
            }
            if *i < n && t[*i] != b'\n' {
                return Err(err(
                    start_line,
                    "unexpected text after the closing quote".into(),
                ));
            }
            if *i < n {
                *i += 1;
                *line += 1;
            }
            Ok(())
        };
    while i < n {
        skip_blanks(&mut i);
        if i >= n || t[i] == b'\n' || t[i] == b'\r' || t[i] == b'#' {
            while i < n && t[i] != b'\n' {
                i += 1;
            }
            if i < n {
                i += 1;
                line += 1;
            }
            continue;
        }
        let start_line = line;
        if t[i..].starts_with(b"export ") {
            i += 7;
            skip_blanks(&mut i);
        }
        let key_start = i;
        while i < n && is_key_byte(t[i]) {
            i += 1;
        }
        let key = &text[key_start..i];
        if !is_valid_key(key) {
            return Err(err(start_line, "expected KEY=value".into()));
        }
        skip_blanks(&mut i);
        if i >= n || t[i] != b'=' {
            return Err(err(start_line, format!("expected \"=\" after {key}")));
        }
        i += 1;
        skip_blanks(&mut i);
        if i < n && t[i] == b'\'' {
            let end = match t[i + 1..].iter().position(|&c| c == b'\'') {
                Some(offset) => i + 1 + offset,
                None => {
                    return Err(err(
                        start_line,
                        format!("unterminated single quote in {key}"),
                    ))
                }
            };
            let value = &text[i + 1..end];
            line += value.matches('\n').count();
            set(key, value.to_string());
            i = end + 1;
            rest_of_line(&mut i, &mut line, start_line)?;
        } else if i < n && t[i] == b'"' {
            i += 1;
            let mut value: Vec<u8> = Vec::new();
            loop {
                if i >= n {
                    return Err(err(
                        start_line,
                        format!("unterminated double quote in {key}"),
                    ));
                }
                let c = t[i];
                if c == b'"' {
                    break;
                }
                if c == b'\\' && i + 1 < n {
                    if let Some(mapped) = double_escape(t[i + 1]) {
                        value.extend_from_slice(mapped.as_bytes());
                        i += 2;
                        continue;
                    }
                }
                if c == b'\n' {
                    line += 1;
                }
                value.push(c);
                i += 1;
            }
            i += 1;
            // Only ASCII bytes were added or removed, so the bytes are still UTF-8.
            set(key, String::from_utf8(value).expect("UTF-8 in, UTF-8 out"));
            rest_of_line(&mut i, &mut line, start_line)?;
        } else {
            let mut end = i;
            while end < n && t[end] != b'\n' {
                if t[end] == b'#' && (end == i || t[end - 1] == b' ' || t[end - 1] == b'\t') {
                    break;
                }
                end += 1;
            }
            let raw = &text[i..end];
            set(key, trim(raw.strip_suffix('\r').unwrap_or(raw)).to_string());
            i = end;
            while i < n && t[i] != b'\n' {
                i += 1;
            }
            if i < n {
                i += 1;
                line += 1;
            }
        }
    }
    Ok(out)
}
