//! A minimal TOML reader: what fork-stack.toml's naming conventions need, and the same algorithm as
//! the other readers (conformance/README.md, section 4). Arrays, numbers and dates are kept, never
//! interpreted.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Bool(bool),
    Table(Table),
    Array(Vec<Value>),
    /// A number, date or other scalar, as written.
    Other(String),
}

/// A table, keys in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table(pub Vec<(String, Value)>);

impl Table {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn set(&mut self, key: String, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlSyntaxError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for TomlSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

type Parsed<T> = Result<T, TomlSyntaxError>;

pub fn parse_toml(text: &str) -> Parsed<Table> {
    Reader {
        t: text.as_bytes(),
        text,
        i: 0,
        line: 1,
    }
    .document()
}

struct Reader<'a> {
    t: &'a [u8],
    text: &'a str,
    i: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    fn fail<T>(&self, reason: impl Into<String>) -> Parsed<T> {
        Err(TomlSyntaxError {
            line: self.line,
            reason: reason.into(),
        })
    }

    fn at(&self, offset: usize) -> u8 {
        self.t.get(self.i + offset).copied().unwrap_or(0)
    }

    fn starts_with(&self, prefix: &str) -> bool {
        self.t[self.i..].starts_with(prefix.as_bytes())
    }

    fn document(&mut self) -> Parsed<Table> {
        let mut root = Table::default();
        // The table keys go to: a path into root, or None for a dropped array-of-tables entry.
        let mut current: Option<Vec<String>> = Some(Vec::new());
        let mut dropped = Table::default();
        loop {
            self.skip_spaces();
            if self.i >= self.t.len() {
                return Ok(root);
            }
            match self.at(0) {
                b'\n' | b'\r' | b'#' => self.end_of_line()?,
                b'[' => {
                    let array = self.at(1) == b'[';
                    self.i += if array { 2 } else { 1 };
                    let path = self.key(b']')?;
                    if self.at(0) != b']' || (array && self.at(1) != b']') {
                        return self.fail(format!(
                            "expected \"{}\" after the table name",
                            if array { "]]" } else { "]" }
                        ));
                    }
                    self.i += if array { 2 } else { 1 };
                    if array {
                        // Arrays of tables hold nothing the readers use: their keys go to a dropped table.
                        self.table_at(&mut root, &path[..path.len() - 1])?;
                        dropped = Table::default();
                        current = None;
                    } else {
                        self.table_at(&mut root, &path)?;
                        current = Some(path);
                    }
                    self.end_of_line()?;
                }
                _ => {
                    match &current {
                        Some(path) => {
                            let table = self.table_at(&mut root, path)?;
                            self.key_value(table)?;
                        }
                        None => self.key_value(&mut dropped)?,
                    }
                    self.end_of_line()?;
                }
            }
        }
    }

    fn skip_spaces(&mut self) {
        while self.i < self.t.len() && (self.t[self.i] == b' ' || self.t[self.i] == b'\t') {
            self.i += 1;
        }
    }

    fn skip_to_newline(&mut self) {
        while self.i < self.t.len() && self.t[self.i] != b'\n' {
            self.i += 1;
        }
    }

    fn skip_spaces_and_lines(&mut self) {
        loop {
            self.skip_spaces();
            if self.at(0) == b'#' {
                self.skip_to_newline();
            } else if self.at(0) == b'\r' && self.at(1) == b'\n' {
                self.i += 1;
            } else if self.i < self.t.len() && self.t[self.i] == b'\n' {
                self.i += 1;
                self.line += 1;
            } else {
                return;
            }
        }
    }

    fn end_of_line(&mut self) -> Parsed<()> {
        self.skip_spaces();
        if self.at(0) == b'#' {
            self.skip_to_newline();
        }
        if self.at(0) == b'\r' && self.at(1) == b'\n' {
            self.i += 1;
        }
        if self.i >= self.t.len() {
            return Ok(());
        }
        if self.t[self.i] != b'\n' {
            return self
                .fail("unexpected text after the value (a value needs quotes: key = \"value\")");
        }
        self.i += 1;
        self.line += 1;
        Ok(())
    }

    fn key(&mut self, terminator: u8) -> Parsed<Vec<String>> {
        let mut parts = Vec::new();
        loop {
            self.skip_spaces();
            match self.at(0) {
                b'"' => parts.push(self.basic_string()?),
                b'\'' => parts.push(self.literal_string()?),
                _ => {
                    let start = self.i;
                    while self.i < self.t.len()
                        && (self.t[self.i].is_ascii_alphanumeric()
                            || self.t[self.i] == b'_'
                            || self.t[self.i] == b'-')
                    {
                        self.i += 1;
                    }
                    if self.i == start {
                        return self.fail(if terminator == b'=' {
                            "expected a key (key = \"value\")"
                        } else {
                            "expected a table name"
                        });
                    }
                    parts.push(self.text[start..self.i].to_string());
                }
            }
            self.skip_spaces();
            if self.at(0) != b'.' {
                return Ok(parts);
            }
            self.i += 1;
        }
    }

    fn key_value(&mut self, table: &mut Table) -> Parsed<()> {
        let mut path = self.key(b'=')?;
        if self.at(0) != b'=' {
            return self.fail(format!("expected \"=\" after {}", path.join(".")));
        }
        self.i += 1;
        self.skip_spaces();
        let value = self.value()?;
        let last = path.pop().expect("a key has at least one part");
        self.table_at(table, &path)?.set(last, value);
        Ok(())
    }

    fn table_at<'t>(&self, root: &'t mut Table, path: &[String]) -> Parsed<&'t mut Table> {
        let mut table = root;
        for part in path {
            if table.get(part).is_none() {
                table.set(part.clone(), Value::Table(Table::default()));
            }
            let next = table.0.iter_mut().find(|(k, _)| k == part).map(|(_, v)| v);
            table = match next {
                Some(Value::Table(t)) => t,
                _ => {
                    return self.fail(format!(
                        "{} is already a value, not a table",
                        path.join(".")
                    ))
                }
            };
        }
        Ok(table)
    }

    fn value(&mut self) -> Parsed<Value> {
        match self.at(0) {
            b'"' if self.starts_with("\"\"\"") => {
                return self.multiline_string(b'"').map(Value::String)
            }
            b'"' => return self.basic_string().map(Value::String),
            b'\'' if self.starts_with("'''") => {
                return self.multiline_string(b'\'').map(Value::String)
            }
            b'\'' => return self.literal_string().map(Value::String),
            b'{' => return self.inline_table().map(Value::Table),
            b'[' => return self.array().map(Value::Array),
            _ => {}
        }
        let start = self.i;
        while self.i < self.t.len() && !b",]}#\n\r".contains(&self.t[self.i]) {
            self.i += 1;
        }
        let raw = self.text[start..self.i].trim_end_matches([' ', '\t']);
        self.i = start + raw.len();
        match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "" => self.fail("expected a value"),
            _ if is_scalar(raw) => Ok(Value::Other(raw.to_string())),
            _ => self.fail(format!(
                "{raw} is not a TOML value (strings need quotes: \"{raw}\")"
            )),
        }
    }

    fn inline_table(&mut self) -> Parsed<Table> {
        self.i += 1;
        let mut table = Table::default();
        self.skip_spaces_and_lines();
        if self.at(0) == b'}' {
            self.i += 1;
            return Ok(table);
        }
        loop {
            self.key_value(&mut table)?;
            self.skip_spaces_and_lines();
            let c = self.at(0);
            self.i += 1;
            if c == b'}' {
                return Ok(table);
            }
            if c != b',' {
                return self.fail("expected \",\" or \"}\" in the inline table");
            }
            self.skip_spaces_and_lines();
            if self.at(0) == b'}' {
                self.i += 1;
                return Ok(table);
            }
        }
    }

    fn array(&mut self) -> Parsed<Vec<Value>> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.skip_spaces_and_lines();
            if self.at(0) == b']' {
                self.i += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            self.skip_spaces_and_lines();
            let c = self.at(0);
            self.i += 1;
            if c == b']' {
                return Ok(items);
            }
            if c != b',' {
                return self.fail("expected \",\" or \"]\" in the array");
            }
        }
    }

    fn literal_string(&mut self) -> Parsed<String> {
        let rest = &self.t[self.i + 1..];
        let end = rest.iter().position(|&c| c == b'\'');
        let newline = rest.iter().position(|&c| c == b'\n');
        match (end, newline) {
            (Some(end), newline) if newline.map_or(true, |nl| nl > end) => {
                let value = self.text[self.i + 1..self.i + 1 + end].to_string();
                self.i += end + 2;
                Ok(value)
            }
            _ => self.fail("unterminated string"),
        }
    }

    fn basic_string(&mut self) -> Parsed<String> {
        self.i += 1;
        let mut value = String::new();
        loop {
            if self.i >= self.t.len() || self.t[self.i] == b'\n' {
                return self.fail("unterminated string");
            }
            match self.t[self.i] {
                b'"' => {
                    self.i += 1;
                    return Ok(value);
                }
                b'\\' => value.push_str(&self.escape()?),
                _ => value.push(self.next_char()),
            }
        }
    }

    /// The character at i (which is on a character boundary), advancing past it.
    fn next_char(&mut self) -> char {
        let c = self.text[self.i..].chars().next().expect("not at the end");
        self.i += c.len_utf8();
        c
    }

    fn multiline_string(&mut self, quote: u8) -> Parsed<String> {
        let start_line = self.line;
        self.i += 3;
        if self.at(0) == b'\n' {
            self.i += 1;
            self.line += 1;
        } else if self.at(0) == b'\r' && self.at(1) == b'\n' {
            self.i += 2;
            self.line += 1;
        }
        let mut value = String::new();
        loop {
            if self.i >= self.t.len() {
                return Err(TomlSyntaxError {
                    line: start_line,
                    reason: "unterminated multi-line string".into(),
                });
            }
            let c = self.t[self.i];
            if c == quote && self.at(1) == quote && self.at(2) == quote {
                // Up to two quotes right before the closing three belong to the value.
                let mut run = 3;
                while run < 5 && self.at(run) == quote {
                    run += 1;
                }
                for _ in 3..run {
                    value.push(quote as char);
                }
                self.i += run;
                return Ok(value);
            }
            if quote == b'"' && c == b'\\' {
                // A backslash at the end of a line joins it with the next non-blank text.
                let mut j = self.i + 1;
                while j < self.t.len() && (self.t[j] == b' ' || self.t[j] == b'\t') {
                    j += 1;
                }
                if self.t[j..].starts_with(b"\n") || self.t[j..].starts_with(b"\r\n") {
                    self.i = j;
                    while self.i < self.t.len() && b" \t\n\r".contains(&self.t[self.i]) {
                        if self.t[self.i] == b'\n' {
                            self.line += 1;
                        }
                        self.i += 1;
                    }
                    continue;
                }
                value.push_str(&self.escape()?);
                continue;
            }
            if c == b'\n' {
                self.line += 1;
            }
            value.push(self.next_char());
        }
    }

    fn escape(&mut self) -> Parsed<String> {
        let next = self.at(1);
        let simple = match next {
            b'b' => Some("\u{8}"),
            b't' => Some("\t"),
            b'n' => Some("\n"),
            b'f' => Some("\u{c}"),
            b'r' => Some("\r"),
            b'e' => Some("\u{1b}"),
            b'"' => Some("\""),
            b'\\' => Some("\\"),
            _ => None,
        };
        if let Some(s) = simple {
            self.i += 2;
            return Ok(s.to_string());
        }
        let digits = match next {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            0 => return self.fail("invalid escape \\ at the end of the file"),
            _ => {
                let shown = self.text[self.i + 1..].chars().next().unwrap_or(' ');
                return self.fail(format!(
                    "invalid escape \\{shown} in a string (write \\\\ for a backslash)"
                ));
            }
        };
        let start = self.i + 2;
        let end = (start + digits).min(self.t.len());
        let hex = &self.t[start..end];
        let code = if hex.len() == digits && hex.iter().all(|c| c.is_ascii_hexdigit()) {
            u32::from_str_radix(std::str::from_utf8(hex).expect("ASCII"), 16)
                .ok()
                .and_then(char::from_u32)
        } else {
            None
        };
        match code {
            Some(c) => {
                self.i = end;
                Ok(c.to_string())
            }
            None => self.fail(format!(
                "invalid escape \\{}{}",
                next as char,
                String::from_utf8_lossy(hex)
            )),
        }
    }
}

fn is_scalar(raw: &str) -> bool {
    let s = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    s.as_bytes().first().is_some_and(u8::is_ascii_digit) || s == "inf" || s == "nan"
}
