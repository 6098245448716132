//! fork-stack.toml's sections that the naming conventions use, and the conventions themselves
//! (conformance/README.md, section 4). Read only when a value is in neither the process environment
//! nor the env file.

use std::path::{Path, PathBuf};

use super::names::{io_reason, is_absent, normalize};
use super::toml::{parse_toml, Table, Value};
use super::{Error, ErrorCode, Result};

pub const CONFIG_FILE: &str = "fork-stack.toml";
// BEGIN GENERATED conventions from conformance/v1/conventions.json by `npm run sync-readers -- --write`; edit that file, not this block.
pub const DEFAULT_SQLITE_PATH: &str = ".fork-stack/data/{project}.{env}.db";
pub const DEFAULT_TURSO_NAME: &str = "{project}-{env}";
pub const TURSO_ADOPTED_ENV: &str = "prod";
pub const TURSO_ADOPTED_NAME: &str = "{project}";
pub const DEFAULT_BUCKET_PATTERN: &str = "{project}-bucket-{env}";
pub const NAMED_BUCKET_PATTERN: &str = "{project}-{bucket}-{env}";
pub const DEFAULT_FS_DIR: &str = ".fork-stack/buckets";
pub const DEFAULT_KEY_PREFIX: &str = "forks/{env}/";
pub const DEFAULT_CACHE_PREFIX: &str = "{project}:{env}:";
pub const DEFAULT_QUEUE_PREFIX: &str = "bull:{project}:{env}";
pub const CACHE_PREFIX_PROVIDERS: &[&str] = &["redis", "valkey"];
pub const QUEUE_PREFIX_PROVIDERS: &[&str] = &["bullmq"];
// END GENERATED conventions

pub struct Section {
    pub label: String,
    pub table: Table,
    pub provider: Option<String>,
    pub name: String,
    pub is_default: bool,
}

pub struct ProjectConfig {
    pub path: PathBuf,
    pub project: Option<String>,
    pub database: Option<Section>,
    pub cache: Option<Section>,
    pub queue: Option<Section>,
    pub buckets: Vec<Section>,
    /// Environments with no parent: roots, else [default_parent], else ["dev"].
    pub roots: Vec<String>,
}

/// Placeholder values: project, env and, for buckets, bucket.
pub struct Naming {
    pub project: String,
    pub env: String,
    pub bucket: Option<String>,
}

fn config_error(path: &Path, reason: &str) -> Error {
    Error::new(
        ErrorCode::InvalidConfig,
        format!(
            "{}: {reason}; fix the file (run \"fork-stack doctor\" to check it)",
            path.display()
        ),
    )
}

/// The project's config; None without a project root or without fork-stack.toml there.
pub fn read_config(root: Option<&Path>) -> Result<Option<ProjectConfig>> {
    let Some(root) = root else { return Ok(None) };
    let path = root.join(CONFIG_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if is_absent(&e) => return Ok(None),
        Err(e) => {
            return Err(config_error(
                &path,
                &format!("cannot be read ({})", io_reason(&e)),
            ))
        }
    };
    let doc = parse_toml(&String::from_utf8_lossy(&bytes))
        .map_err(|e| config_error(&path, &e.to_string()))?;
    ProjectConfig::interpret(path, doc).map(Some)
}

impl ProjectConfig {
    fn invalid(&self, reason: &str) -> Error {
        config_error(&self.path, reason)
    }

    fn interpret(path: PathBuf, mut doc: Table) -> Result<ProjectConfig> {
        let mut config = ProjectConfig {
            path,
            project: None,
            roots: Vec::new(),
            database: None,
            cache: None,
            queue: None,
            buckets: Vec::new(),
        };
        match doc.get("project") {
            None => {}
            Some(Value::String(project)) => config.project = Some(project.clone()),
            Some(_) => {
                return Err(config.invalid("project must be a string, e.g. project = \"myapp\""))
            }
        }
        let default_parent = match doc.get("default_parent") {
            None => "dev".to_string(),
            Some(Value::String(parent)) => parent.clone(),
            Some(_) => {
                return Err(config
                    .invalid("default_parent must be a string, e.g. default_parent = \"dev\""))
            }
        };
        config.roots = match doc.get("roots") {
            None => vec![default_parent],
            Some(Value::Array(items)) if items.iter().all(|i| matches!(i, Value::String(_))) => {
                items
                    .iter()
                    .filter_map(|i| match i {
                        Value::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect()
            }
            Some(_) => {
                return Err(config
                    .invalid("roots must be a list of environment names, e.g. roots = [\"dev\"]"))
            }
        };
        let mut take = |key: &str| {
            doc.0
                .iter()
                .position(|(k, _)| k == key)
                .map(|i| doc.0.remove(i).1)
        };
        let storage = take("storage");
        let database = take("database");
        let cache = take("cache");
        let queue = take("queue");
        if let Some(storage) = storage {
            let Value::Table(buckets) = storage else {
                return Err(
                    config.invalid("storage must hold named buckets such as [storage.uploads]")
                );
            };
            for (name, value) in buckets.0 {
                let Value::Table(table) = value else {
                    let shown = if name == "provider" {
                        "uploads"
                    } else {
                        name.as_str()
                    };
                    return Err(config.invalid(&format!("[storage] holds named buckets: write [storage.{shown}] with provider = \"…\" under it")));
                };
                let mut bucket = config.section(table, format!("[storage.{name}]"))?;
                bucket.name = name;
                config.buckets.push(bucket);
            }
            let chosen = config
                .buckets
                .iter()
                .position(|b| b.table.get("default") == Some(&Value::Bool(true)))
                .or_else(|| config.buckets.iter().position(|b| b.name == "default"))
                .or(if config.buckets.is_empty() {
                    None
                } else {
                    Some(0)
                });
            if let Some(i) = chosen {
                config.buckets[i].is_default = true;
            }
        }
        config.database = config.optional_section(database, "[database]")?;
        config.cache = config.optional_section(cache, "[cache]")?;
        config.queue = config.optional_section(queue, "[queue]")?;
        Ok(config)
    }

    fn optional_section(&self, value: Option<Value>, label: &str) -> Result<Option<Section>> {
        match value {
            None => Ok(None),
            Some(Value::Table(table)) => self.section(table, label.to_string()).map(Some),
            Some(_) => Err(self.invalid(&format!(
                "{label} must be a table, e.g. {label} with provider = \"…\" under it"
            ))),
        }
    }

    fn section(&self, table: Table, label: String) -> Result<Section> {
        let provider = match table.get("provider") {
            None => None,
            Some(Value::String(p)) => Some(p.clone()),
            Some(_) => return Err(self.invalid(&format!("{label} provider must be a string"))),
        };
        Ok(Section {
            label,
            table,
            provider,
            name: String::new(),
            is_default: false,
        })
    }

    /// A string option of a section, or None when absent.
    pub fn option(&self, section: &Section, key: &str) -> Result<Option<String>> {
        match section.table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.invalid(&format!("{} {key} must be a string", section.label))),
        }
    }

    /// `names[env]`: `names = { prod = "myapp" }` or a `[<section>.names]` table.
    pub fn name_override(&self, section: &Section, env: &str) -> Result<Option<String>> {
        let names = match section.table.get("names") {
            None => return Ok(None),
            Some(Value::Table(names)) => names,
            Some(_) => {
                return Err(self.invalid(&format!(
                    "{} names must be a table such as names = {{ prod = \"myapp\" }}",
                    section.label
                )))
            }
        };
        let mut found = None;
        for (key, value) in &names.0 {
            match value {
                Value::String(name) if key == env => found = Some(name.clone()),
                Value::String(_) => {}
                _ => {
                    return Err(
                        self.invalid(&format!("{} names.{key} must be a string", section.label))
                    )
                }
            }
        }
        Ok(found)
    }

    /// Replaces {project}, {env} and {bucket}; any other {lower_case} word is an error.
    pub fn render(&self, section: &Section, pattern: &str, naming: &Naming) -> Result<String> {
        let mut out = String::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let word_len = after
                .bytes()
                .take_while(|c| c.is_ascii_lowercase() || *c == b'_')
                .count();
            if word_len == 0 || after.as_bytes().get(word_len) != Some(&b'}') {
                out.push('{');
                rest = after;
                continue;
            }
            let word = &after[..word_len];
            let value = match word {
                "project" => Some(naming.project.as_str()),
                "env" => Some(naming.env.as_str()),
                "bucket" => naming.bucket.as_deref(),
                _ => None,
            };
            match value {
                Some(v) => out.push_str(v),
                None => {
                    return Err(self.invalid(&format!(
                        "{} uses the unknown placeholder {{{word}}} in \"{pattern}\"",
                        section.label
                    )))
                }
            }
            rest = &after[word_len + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// names[env], else the option, else the default — not yet rendered.
    fn pattern_for(
        &self,
        section: &Section,
        env: &str,
        option: &str,
        fallback: &str,
    ) -> Result<String> {
        if let Some(name) = self.name_override(section, env)? {
            return Ok(name);
        }
        Ok(self
            .option(section, option)?
            .unwrap_or_else(|| fallback.to_string()))
    }

    fn name_for(
        &self,
        section: &Section,
        naming: &Naming,
        option: &str,
        fallback: &str,
    ) -> Result<String> {
        let pattern = self.pattern_for(section, &naming.env, option, fallback)?;
        self.render(section, &pattern, naming)
    }

    pub fn sqlite_path(&self, database: &Section, root: &Path, naming: &Naming) -> Result<PathBuf> {
        Ok(resolve_path(
            root,
            &self.name_for(database, naming, "path", DEFAULT_SQLITE_PATH)?,
        ))
    }

    /// DATABASE_URL by the [database] convention, None when the provider has none.
    pub fn database_url(&self, root: &Path, naming: &Naming) -> Result<Option<String>> {
        let Some(database) = &self.database else {
            return Ok(None);
        };
        match database.provider.as_deref() {
            Some("sqlite") => Ok(Some(file_url(&self.sqlite_path(database, root, naming)?))),
            Some("turso") => {
                let pattern = match self.name_override(database, &naming.env)? {
                    Some(name) => name,
                    // Adopted production databases are named after the project (the original templates).
                    None if naming.env == TURSO_ADOPTED_ENV => TURSO_ADOPTED_NAME.to_string(),
                    None => self
                        .option(database, "name")?
                        .unwrap_or_else(|| DEFAULT_TURSO_NAME.to_string()),
                };
                let name = self.render(database, &pattern, naming)?;
                // Turso's hostnames are <database>-<organization>.turso.io; without an organization,
                // the original templates' <database>.turso.io.
                Ok(Some(match self.option(database, "organization")? {
                    Some(organization) => format!("libsql://{name}-{organization}.turso.io"),
                    None => format!("libsql://{name}.turso.io"),
                }))
            }
            _ => Ok(None),
        }
    }

    /// The bucket's name by convention; None in prefix mode without the shared bucket.
    pub fn bucket_name(
        &self,
        bucket: &Section,
        root: &Path,
        naming: &Naming,
    ) -> Result<Option<String>> {
        if self.option(bucket, "mode")?.as_deref() == Some("prefix") {
            // S3-compatible prefix mode: every environment shares one bucket, under its own key prefix.
            return self.option(bucket, "bucket");
        }
        self.bucket_name_by_pattern(bucket, root, naming).map(Some)
    }

    fn bucket_name_by_pattern(
        &self,
        bucket: &Section,
        root: &Path,
        naming: &Naming,
    ) -> Result<String> {
        let naming = Naming {
            project: naming.project.clone(),
            env: naming.env.clone(),
            bucket: Some(bucket.name.clone()),
        };
        let pattern = if bucket.is_default {
            DEFAULT_BUCKET_PATTERN
        } else {
            NAMED_BUCKET_PATTERN
        };
        if bucket.provider.as_deref() != Some("fs") {
            return self.name_for(bucket, &naming, "name", pattern);
        }
        // The fs provider keeps <dir>/<name> per environment and publishes the absolute directory.
        let dir = self
            .option(bucket, "dir")?
            .unwrap_or_else(|| DEFAULT_FS_DIR.to_string());
        let leaf = self.pattern_for(bucket, &naming.env, "name", pattern)?;
        let relative = self.render(bucket, &format!("{dir}/{leaf}"), &naming)?;
        Ok(resolve_path(root, &relative).to_string_lossy().into_owned())
    }

    /// A key prefix where the provider isolates by prefix, "" for other providers of the kind; None
    /// without the section.
    pub fn prefix(
        &self,
        section: Option<&Section>,
        providers: &[&str],
        fallback: &str,
        naming: &Naming,
    ) -> Result<Option<String>> {
        let Some(section) = section else {
            return Ok(None);
        };
        if !providers
            .iter()
            .any(|p| section.provider.as_deref() == Some(*p))
        {
            return Ok(Some(String::new()));
        }
        if self.option(section, "isolation")?.as_deref() == Some("db") {
            return Ok(Some(String::new()));
        }
        self.name_for(section, naming, "prefix", fallback).map(Some)
    }

    /// BUCKET_KEY_PREFIX when the default bucket is in prefix mode: names[env] ("/" added), "" for a
    /// root environment, else key_prefix; "" when it is not in prefix mode.
    pub fn key_prefix(&self, naming: &Naming) -> Result<String> {
        let Some(bucket) = self.buckets.iter().find(|b| b.is_default) else {
            return Ok(String::new());
        };
        if self.option(bucket, "mode")?.as_deref() != Some("prefix") {
            return Ok(String::new());
        }
        if let Some(explicit) = self.name_override(bucket, &naming.env)? {
            return Ok(if explicit.ends_with('/') {
                explicit
            } else {
                format!("{explicit}/")
            });
        }
        if self.roots.contains(&naming.env) {
            return Ok(String::new());
        }
        let pattern = self
            .option(bucket, "key_prefix")?
            .unwrap_or_else(|| DEFAULT_KEY_PREFIX.to_string());
        self.render(bucket, &pattern, naming)
    }
}

/// Node's path.resolve(root, relative): lexical, so every reader gets the same string.
pub fn resolve_path(root: &Path, relative: &str) -> PathBuf {
    let relative = Path::new(relative);
    if relative.is_absolute() {
        normalize(relative)
    } else {
        normalize(&root.join(relative))
    }
}

/// `file:` + the path, percent-encoded as the sqlite provider's fileUrl() (Node's pathToFileURL)
/// does: every UTF-8 byte outside a fixed safe set.
pub fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy();
    let posix = if cfg!(windows) {
        format!("/{}", text.replace('\\', "/"))
    } else {
        text.into_owned()
    };
    let mut out = String::from("file:");
    for &b in posix.as_bytes() {
        if b.is_ascii_alphanumeric() || b"!$&'()*+,-.:;=@_/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `BUCKET_<NAME>` for [storage.<name>].
pub fn bucket_variable(name: &str) -> String {
    format!("BUCKET_{}", name.to_uppercase().replace('-', "_"))
}
