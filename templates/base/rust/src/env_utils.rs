//! fork-stack reader: which environment am I in, and what are its values?
//!
//! Standard library only. Implements the fork-stack reader contract, version 1
//! (conformance/README.md in the fork-stack repository), exactly as the TypeScript, Python and Go
//! readers do:
//!
//! * the environment: `FORK_STACK_ENV`, else `ENV` (`production` → `prod`, `development` → `dev`),
//!   else `.current-env` in the project root, else `dev`;
//! * a value: the process environment, else `.fork-stack/envs/<env>.env` (written by
//!   `fork-stack switch`), else the naming convention of `fork-stack.toml`.
//!
//! `ignore`: the same file is the `fork_stack_env` crate and a module copied into apps (`env_utils`),
//! where the crate path differs; the example is built by the reader's tests instead.
//!
//! ```ignore
//! let url = fork_stack_env::database_url()?;
//! let bucket = fork_stack_env::bucket_name(None)?;
//! let key = fork_stack_env::secret("STRIPE_KEY")?;
//! # Ok::<(), fork_stack_env::Error>(())
//! ```
//!
//! The free functions use the default reader ([`set_default`] replaces it); [`EnvConfig`] reads another
//! directory or environment map. Errors carry an [`ErrorCode`] that is the same in every language.

mod config;
mod dotenv;
mod names;
mod reader;
mod set_secret;
mod toml;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use config::{
    bucket_variable, read_config, Naming, ProjectConfig, CACHE_PREFIX_PROVIDERS,
    DEFAULT_CACHE_PREFIX, DEFAULT_QUEUE_PREFIX, QUEUE_PREFIX_PROVIDERS,
};
pub use dotenv::{is_valid_key, parse_dotenv, DotenvSyntaxError};
pub use names::env_name_problem;
use names::{find_root, io_reason, is_absent, normalise, normalize, quote, trim, Resolved};
pub use reader::*;

/// The version of the reader contract this crate implements.
pub const CONTRACT_VERSION: &str = "1";
/// The environment when nothing selects another.
pub const DEFAULT_ENV: &str = "dev";
/// The longest environment name accepted.
pub const ENV_NAME_MAX_LENGTH: usize = 48;
/// Runs the project's own fork-stack (never downloads one).
pub const DEFAULT_CLI: &str = "npx --no-install fork-stack";
const CURRENT_ENV_FILE: &str = ".current-env";

/// Error codes, the same in every fork-stack reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidEnvVariable,
    InvalidCurrentEnv,
    UnreadableEnvFile,
    MissingValue,
    InvalidConfig,
    InvalidKey,
    CliFailed,
}

impl ErrorCode {
    /// The code as the other readers spell it, e.g. "missing-value".
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidEnvVariable => "invalid-env-variable",
            ErrorCode::InvalidCurrentEnv => "invalid-current-env",
            ErrorCode::UnreadableEnvFile => "unreadable-env-file",
            ErrorCode::MissingValue => "missing-value",
            ErrorCode::InvalidConfig => "invalid-config",
            ErrorCode::InvalidKey => "invalid-key",
            ErrorCode::CliFailed => "cli-failed",
        }
    }
}

/// A reader error: a stable [`ErrorCode`] and a message naming the file or variable and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    fn new(code: ErrorCode, message: String) -> Error {
        Error { code, message }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// One project's environment. `EnvConfig::new()` reads the working directory and the process
/// environment; `with_cwd` and `with_env` override them (tests need no global state). Every call
/// reads the files afresh, so a `fork-stack switch` in another terminal takes effect on the next call.
#[derive(Debug, Clone, Default)]
pub struct EnvConfig {
    cwd: Option<PathBuf>,
    env: Option<HashMap<String, String>>,
}

impl EnvConfig {
    pub fn new() -> EnvConfig {
        EnvConfig::default()
    }

    /// Look for the project from `dir` instead of the working directory.
    pub fn with_cwd(mut self, dir: impl Into<PathBuf>) -> EnvConfig {
        self.cwd = Some(dir.into());
        self
    }

    /// Use `env` instead of the process environment.
    pub fn with_env(mut self, env: HashMap<String, String>) -> EnvConfig {
        self.env = Some(env);
        self
    }

    fn var(&self, key: &str) -> Option<String> {
        match &self.env {
            Some(env) => env.get(key).cloned(),
            None => std::env::var_os(key).map(|v| v.to_string_lossy().into_owned()),
        }
    }

    /// A variable of the process environment, None when unset or empty.
    fn present_var(&self, key: &str) -> Option<String> {
        self.var(key).filter(|v| !v.is_empty())
    }

    fn dir(&self) -> PathBuf {
        let dir = match &self.cwd {
            Some(dir) => dir.clone(),
            None => PathBuf::from("."),
        };
        let absolute = if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir()
                .map(|cwd| cwd.join(&dir))
                .unwrap_or(dir)
        };
        normalize(&absolute)
    }

    fn root_or_dir(&self, r: &Resolved) -> PathBuf {
        r.root.clone().unwrap_or_else(|| self.dir())
    }

    fn resolve(&self) -> Result<Resolved> {
        let root = find_root(&self.dir());
        for variable in ["FORK_STACK_ENV", "ENV"] {
            let Some(raw) = self.var(variable) else {
                continue;
            };
            if trim(&raw).is_empty() {
                continue;
            }
            let name = normalise(&raw);
            if let Some(problem) = env_name_problem(&name) {
                return Err(Error::new(
                    ErrorCode::InvalidEnvVariable,
                    format!("{variable}={} is not a valid environment name ({problem}); set it to a name like \"dev\" or \"alice\"", quote(&raw)),
                ));
            }
            return Ok(Resolved { env: name, root });
        }
        if let Some(root) = &root {
            let path = root.join(CURRENT_ENV_FILE);
            match std::fs::read(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorCode::InvalidCurrentEnv,
                        format!("cannot read {} ({}); fix its permissions or run \"fork-stack switch <env>\"", path.display(), io_reason(&e)),
                    ))
                }
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let name = trim(&text);
                    if let Some(problem) = env_name_problem(name) {
                        let shown: String = if text.chars().count() > 60 { text.chars().take(60).chain(['…']).collect() } else { text.to_string() };
                        return Err(Error::new(
                            ErrorCode::InvalidCurrentEnv,
                            format!(
                                "{} holds {}, which is not a valid environment name ({problem}); run \"fork-stack switch <env>\" or delete the file",
                                path.display(),
                                quote(&shown)
                            ),
                        ));
                    }
                    return Ok(Resolved { env: name.to_string(), root: Some(root.clone()) });
                }
            }
        }
        Ok(Resolved {
            env: DEFAULT_ENV.to_string(),
            root,
        })
    }

    fn env_file_path(root: &Path, env: &str) -> PathBuf {
        root.join(".fork-stack")
            .join("envs")
            .join(format!("{env}.env"))
    }

    /// The env file's values; None without a project or an env file.
    fn read_env_file(&self, r: &Resolved) -> Result<Option<Vec<(String, String)>>> {
        let Some(root) = &r.root else { return Ok(None) };
        let path = EnvConfig::env_file_path(root, &r.env);
        let unreadable = |reason: String| {
            Error::new(
                ErrorCode::UnreadableEnvFile,
                format!(
                    "{}: {reason}; fix it or run \"fork-stack switch {}\" to rewrite it",
                    path.display(),
                    r.env
                ),
            )
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(unreadable(format!("cannot be read ({})", io_reason(&e)))),
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| unreadable("is not valid UTF-8 text".to_string()))?;
        parse_dotenv(&text)
            .map(Some)
            .map_err(|e| unreadable(e.to_string()))
    }

    /// The process environment, then the env file; an empty value counts as unset.
    fn lookup(&self, key: &str, r: &Resolved) -> Result<Option<String>> {
        if let Some(v) = self.present_var(key) {
            return Ok(Some(v));
        }
        let file = self.read_env_file(r)?.unwrap_or_default();
        Ok(file
            .into_iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v))
    }

    fn missing(&self, key: &str, r: &Resolved, why: &str) -> Error {
        let env = &r.env;
        let place = match &r.root {
            Some(root) => EnvConfig::env_file_path(root, env).display().to_string(),
            None => ".fork-stack/envs/<env>.env (no fork-stack project found)".to_string(),
        };
        Error::new(
            ErrorCode::MissingValue,
            format!(
                "{key} is not set for environment \"{env}\": not in the process environment, not in {place}, and {why}; run \"fork-stack switch {env}\" (or \"fork-stack create {env}\") to write it, or set {key}"
            ),
        )
    }

    fn project_name_in(&self, r: &Resolved) -> Result<String> {
        if let Some(v) = self.lookup("PROJECT_NAME", r)? {
            return Ok(v);
        }
        if let Some(ProjectConfig {
            project: Some(project),
            ..
        }) = read_config(r.root.as_deref())?
        {
            return Ok(project);
        }
        let dir = self.root_or_dir(r);
        Ok(dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default())
    }

    fn naming(&self, r: &Resolved) -> Result<Naming> {
        Ok(Naming {
            project: self.project_name_in(r)?,
            env: r.env.clone(),
            bucket: None,
        })
    }

    /// lookup, then the convention (None: there is none), else missing-value.
    fn required(
        &self,
        key: &str,
        why: &str,
        convention: impl Fn(&Resolved, Option<&ProjectConfig>, &Naming) -> Result<Option<String>>,
    ) -> Result<String> {
        let r = self.resolve()?;
        if let Some(v) = self.lookup(key, &r)? {
            return Ok(v);
        }
        let config = read_config(r.root.as_deref())?;
        let naming = self.naming(&r)?;
        match convention(&r, config.as_ref(), &naming)? {
            Some(v) => Ok(v),
            None => Err(self.missing(key, &r, why)),
        }
    }

    /// The environment's name.
    pub fn current_env(&self) -> Result<String> {
        self.resolve().map(|r| r.env)
    }

    /// The directory holding fork-stack.toml or .current-env, if any.
    pub fn project_root(&self) -> Result<Option<PathBuf>> {
        self.resolve().map(|r| r.root)
    }

    /// PROJECT_NAME, else project in fork-stack.toml, else the project directory's name.
    pub fn project_name(&self) -> Result<String> {
        let r = self.resolve()?;
        self.project_name_in(&r)
    }

    /// DATABASE_URL, or the sqlite / turso naming convention.
    pub fn database_url(&self) -> Result<String> {
        self.required("DATABASE_URL", "fork-stack.toml has no [database] naming convention for it (sqlite and turso have one)", |r, config, naming| match config {
            Some(config) => config.database_url(&self.root_or_dir(r), naming),
            None => Ok(None),
        })
    }

    /// DATABASE_AUTH_TOKEN, None when unset.
    pub fn database_auth_token(&self) -> Result<Option<String>> {
        let r = self.resolve()?;
        self.lookup("DATABASE_AUTH_TOKEN", &r)
    }

    /// The sqlite file when the project uses sqlite, else `{project}.{env}.db`.
    pub fn local_db_path(&self) -> Result<String> {
        let r = self.resolve()?;
        let config = read_config(r.root.as_deref())?;
        let naming = self.naming(&r)?;
        if let Some(config) = &config {
            if let Some(database) = config
                .database
                .as_ref()
                .filter(|d| d.provider.as_deref() == Some("sqlite"))
            {
                return Ok(config
                    .sqlite_path(database, &self.root_or_dir(&r), &naming)?
                    .to_string_lossy()
                    .into_owned());
            }
        }
        Ok(format!("{}.{}.db", naming.project, naming.env))
    }

    /// The default bucket (BUCKET_NAME) for None, else the bucket of `[storage.<name>]` (`BUCKET_<NAME>`).
    pub fn bucket_name(&self, name: Option<&str>) -> Result<String> {
        let key = name.map_or_else(|| "BUCKET_NAME".to_string(), bucket_variable);
        let r = self.resolve()?;
        if let Some(v) = self.lookup(&key, &r)? {
            return Ok(v);
        }
        let config = read_config(r.root.as_deref())?;
        let buckets = config
            .as_ref()
            .map(|c| c.buckets.as_slice())
            .unwrap_or_default();
        let bucket = buckets.iter().find(|b| match name {
            None => b.is_default,
            Some(_) => bucket_variable(&b.name) == key,
        });
        if let (Some(config), Some(bucket)) = (&config, bucket) {
            let naming = self.naming(&r)?;
            return match config.bucket_name(bucket, &self.root_or_dir(&r), &naming)? {
                Some(name) => Ok(name),
                None => Err(self.missing(
                    &key,
                    &r,
                    &format!(
                        "{} is in prefix mode without its shared bucket (bucket = \"…\")",
                        bucket.label
                    ),
                )),
            };
        }
        if name.is_none() && buckets.is_empty() {
            // No storage configured at all: the original templates' convention.
            let naming = self.naming(&r)?;
            return Ok(format!("{}-bucket-{}", naming.project, naming.env));
        }
        let known: Vec<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
        let mut why = format!(
            "fork-stack.toml has no [storage.{}]",
            name.unwrap_or_default()
        );
        if !known.is_empty() {
            why += &format!(" (buckets: {})", known.join(", "));
        }
        Err(self.missing(&key, &r, &why))
    }

    /// `{BUCKET_KEY_PREFIX}{resource_type}/{filename}`: prefixed where storage isolates by prefix.
    pub fn s3_key(&self, resource_type: &str, filename: &str) -> Result<String> {
        let r = self.resolve()?;
        let prefix = match self.lookup("BUCKET_KEY_PREFIX", &r)? {
            Some(prefix) => prefix,
            None => match read_config(r.root.as_deref())? {
                Some(config) => config.key_prefix(&self.naming(&r)?)?,
                None => String::new(),
            },
        };
        Ok(format!("{prefix}{resource_type}/{filename}"))
    }

    /// A secret from the process environment or the env file, or a missing-value error.
    pub fn secret(&self, key: &str) -> Result<String> {
        self.required(key, "secrets have no naming convention", |_, _, _| Ok(None))
    }

    /// Like [`EnvConfig::secret`], None when the secret is not set.
    pub fn lookup_secret(&self, key: &str) -> Result<Option<String>> {
        let r = self.resolve()?;
        self.lookup(key, &r)
    }

    /// Every value of the env file (in file order), each overridden by a non-empty process variable.
    pub fn all_secrets(&self) -> Result<Vec<(String, String)>> {
        let r = self.resolve()?;
        let file = self.read_env_file(&r)?.unwrap_or_default();
        Ok(file
            .into_iter()
            .map(|(k, v)| (k.clone(), self.present_var(&k).unwrap_or(v)))
            .collect())
    }

    /// CACHE_URL, else REDIS_URL; the process environment before the env file.
    pub fn cache_url(&self) -> Result<String> {
        let r = self.resolve()?;
        if let Some(v) = self
            .present_var("CACHE_URL")
            .or_else(|| self.present_var("REDIS_URL"))
        {
            return Ok(v);
        }
        let file = self.read_env_file(&r)?.unwrap_or_default();
        let from_file = |key: &str| {
            file.iter()
                .find(|(k, v)| k == key && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        from_file("CACHE_URL")
            .or_else(|| from_file("REDIS_URL"))
            .ok_or_else(|| self.missing("CACHE_URL", &r, "neither is REDIS_URL"))
    }

    /// CACHE_KEY_PREFIX, or the redis / valkey convention ("" for other cache providers).
    pub fn cache_key_prefix(&self) -> Result<String> {
        self.required(
            "CACHE_KEY_PREFIX",
            "fork-stack.toml has no [cache] section",
            |_, config, naming| match config {
                Some(config) => config.prefix(
                    config.cache.as_ref(),
                    CACHE_PREFIX_PROVIDERS,
                    DEFAULT_CACHE_PREFIX,
                    naming,
                ),
                None => Ok(None),
            },
        )
    }

    /// QUEUE_URL.
    pub fn queue_url(&self) -> Result<String> {
        self.required(
            "QUEUE_URL",
            "queue URLs have no naming convention",
            |_, _, _| Ok(None),
        )
    }

    /// QUEUE_PREFIX, or the bullmq convention ("" for other queue providers).
    pub fn queue_prefix(&self) -> Result<String> {
        self.required(
            "QUEUE_PREFIX",
            "fork-stack.toml has no [queue] section",
            |_, config, naming| match config {
                Some(config) => config.prefix(
                    config.queue.as_ref(),
                    QUEUE_PREFIX_PROVIDERS,
                    DEFAULT_QUEUE_PREFIX,
                    naming,
                ),
                None => Ok(None),
            },
        )
    }
}
