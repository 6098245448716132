//! The example app's logic: what it reads from the environment it runs in.
//! `env_utils` is the fork-stack reader, copied into the crate as a module (standard library only).

pub mod env_utils;

use env_utils::{EnvConfig, ErrorCode, Result};

/// One value the app reads; `None` for a value the environment does not have.
pub type Line = (&'static str, Option<String>);

/// The project, the environment and its values, through the reader.
pub fn describe(config: &EnvConfig) -> Result<Vec<Line>> {
    let mut lines: Vec<Line> = vec![
        ("project", Some(config.project_name()?)),
        ("environment", Some(config.current_env()?)),
    ];
    let values: [(&'static str, Result<String>); 4] = [
        ("DATABASE_URL", config.database_url()),
        ("BUCKET_NAME", config.bucket_name(None)),
        ("CACHE_URL", config.cache_url()),
        ("QUEUE_URL", config.queue_url()),
    ];
    for (label, value) in values {
        match value {
            Ok(value) => lines.push((label, Some(value))),
            Err(error) if error.code == ErrorCode::MissingValue => lines.push((label, None)),
            Err(error) => return Err(error),
        }
    }
    Ok(lines)
}
