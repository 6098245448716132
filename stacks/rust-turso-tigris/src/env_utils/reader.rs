//! The plug-in trait, the replaceable default reader and the free functions that use it.

use std::path::PathBuf;
use std::sync::RwLock;

use super::{EnvConfig, Result};

/// Every accessor as a plug-in point. Implement `env_config` and override the methods your stack
/// changes; the others use [`EnvConfig`]'s. Install it with [`set_default`] so the free functions use
/// it. (EnvConfig's own methods keep calling each other, not your overrides.)
pub trait EnvReader {
    fn env_config(&self) -> &EnvConfig;

    fn current_env(&self) -> Result<String> {
        self.env_config().current_env()
    }
    fn project_root(&self) -> Result<Option<PathBuf>> {
        self.env_config().project_root()
    }
    fn project_name(&self) -> Result<String> {
        self.env_config().project_name()
    }
    fn database_url(&self) -> Result<String> {
        self.env_config().database_url()
    }
    fn database_auth_token(&self) -> Result<Option<String>> {
        self.env_config().database_auth_token()
    }
    fn local_db_path(&self) -> Result<String> {
        self.env_config().local_db_path()
    }
    fn bucket_name(&self, name: Option<&str>) -> Result<String> {
        self.env_config().bucket_name(name)
    }
    fn s3_key(&self, resource_type: &str, filename: &str) -> Result<String> {
        self.env_config().s3_key(resource_type, filename)
    }
    fn secret(&self, key: &str) -> Result<String> {
        self.env_config().secret(key)
    }
    fn lookup_secret(&self, key: &str) -> Result<Option<String>> {
        self.env_config().lookup_secret(key)
    }
    fn all_secrets(&self) -> Result<Vec<(String, String)>> {
        self.env_config().all_secrets()
    }
    fn set_secret(&self, key: &str, value: &str) -> Result<()> {
        self.env_config().set_secret(key, value)
    }
    fn cache_url(&self) -> Result<String> {
        self.env_config().cache_url()
    }
    fn cache_key_prefix(&self) -> Result<String> {
        self.env_config().cache_key_prefix()
    }
    fn queue_url(&self) -> Result<String> {
        self.env_config().queue_url()
    }
    fn queue_prefix(&self) -> Result<String> {
        self.env_config().queue_prefix()
    }
}

impl EnvReader for EnvConfig {
    fn env_config(&self) -> &EnvConfig {
        self
    }
}

type SharedReader = Box<dyn EnvReader + Send + Sync>;

static DEFAULT_READER: RwLock<Option<SharedReader>> = RwLock::new(None);

/// Make the free functions use `reader` (typically your own EnvReader).
pub fn set_default(reader: impl EnvReader + Send + Sync + 'static) {
    *DEFAULT_READER.write().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(reader));
}

fn with_default<T>(f: impl FnOnce(&dyn EnvReader) -> T) -> T {
    let guard = DEFAULT_READER.read().unwrap_or_else(|e| e.into_inner());
    match guard.as_ref() {
        Some(reader) => f(reader.as_ref()),
        None => f(&EnvConfig::new()),
    }
}

/// The current environment's name.
pub fn current_env() -> Result<String> {
    with_default(|r| r.current_env())
}
/// The directory holding fork-stack.toml or .current-env, if any.
pub fn project_root() -> Result<Option<PathBuf>> {
    with_default(|r| r.project_root())
}
/// PROJECT_NAME, else project in fork-stack.toml, else the project directory's name.
pub fn project_name() -> Result<String> {
    with_default(|r| r.project_name())
}
/// DATABASE_URL, or the sqlite / turso naming convention.
pub fn database_url() -> Result<String> {
    with_default(|r| r.database_url())
}
/// DATABASE_AUTH_TOKEN, None when unset.
pub fn database_auth_token() -> Result<Option<String>> {
    with_default(|r| r.database_auth_token())
}
/// The sqlite file when the project uses sqlite, else `{project}.{env}.db`.
pub fn local_db_path() -> Result<String> {
    with_default(|r| r.local_db_path())
}
/// BUCKET_NAME for None, `BUCKET_<NAME>` for `[storage.<name>]`.
pub fn bucket_name(name: Option<&str>) -> Result<String> {
    with_default(|r| r.bucket_name(name))
}
/// `{BUCKET_KEY_PREFIX}{resource_type}/{filename}`.
pub fn s3_key(resource_type: &str, filename: &str) -> Result<String> {
    with_default(|r| r.s3_key(resource_type, filename))
}
/// A secret's value, or a missing-value error.
pub fn secret(key: &str) -> Result<String> {
    with_default(|r| r.secret(key))
}
/// A secret's value, None when unset.
pub fn lookup_secret(key: &str) -> Result<Option<String>> {
    with_default(|r| r.lookup_secret(key))
}
/// Every value of the env file, process variables overriding.
pub fn all_secrets() -> Result<Vec<(String, String)>> {
    with_default(|r| r.all_secrets())
}
/// Stores a secret through `fork-stack secrets set`.
pub fn set_secret(key: &str, value: &str) -> Result<()> {
    with_default(|r| r.set_secret(key, value))
}
/// CACHE_URL, else REDIS_URL.
pub fn cache_url() -> Result<String> {
    with_default(|r| r.cache_url())
}
/// CACHE_KEY_PREFIX, or the redis / valkey convention.
pub fn cache_key_prefix() -> Result<String> {
    with_default(|r| r.cache_key_prefix())
}
/// QUEUE_URL.
pub fn queue_url() -> Result<String> {
    with_default(|r| r.queue_url())
}
/// QUEUE_PREFIX, or the bullmq convention.
pub fn queue_prefix() -> Result<String> {
    with_default(|r| r.queue_prefix())
}
