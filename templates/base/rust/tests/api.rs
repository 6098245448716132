//! The Rust API beyond the vectors: builder options, EnvReader as a plug-in point, set_default.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use fork_stack_env::{EnvConfig, EnvReader, ErrorCode};

fn project(label: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("fork-stack-api-rs-{}-{label}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("fork-stack.toml"),
        "project = \"shop\"\n[database]\nprovider = \"turso\"\n",
    )
    .unwrap();
    fs::canonicalize(dir).unwrap()
}

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct Planetscale(EnvConfig);

impl EnvReader for Planetscale {
    fn env_config(&self) -> &EnvConfig {
        &self.0
    }
    fn database_url(&self) -> fork_stack_env::Result<String> {
        Ok(format!(
            "mysql://aws.connect.psdb.cloud/{}-{}",
            self.project_name()?,
            self.current_env()?
        ))
    }
}

#[test]
fn env_config_reads_a_given_directory_and_environment() {
    let dir = project("config");
    let reader = EnvConfig::new()
        .with_cwd(&dir)
        .with_env(env(&[("ENV", "Production")]));
    assert_eq!(reader.current_env().unwrap(), "prod");
    assert_eq!(reader.database_url().unwrap(), "libsql://shop.turso.io");
    assert_eq!(reader.bucket_name(None).unwrap(), "shop-bucket-prod");
    assert_eq!(reader.project_root().unwrap(), Some(dir.clone()));
    let err = reader.secret("STRIPE_KEY").unwrap_err();
    assert_eq!(err.code, ErrorCode::MissingValue);
    assert!(err.to_string().contains("fork-stack switch prod"), "{err}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_reader_overrides_one_accessor_and_becomes_the_default() {
    let dir = project("plugin");
    let reader = Planetscale(
        EnvConfig::new()
            .with_cwd(&dir)
            .with_env(env(&[("ENV", "alice")])),
    );
    assert_eq!(
        reader.database_url().unwrap(),
        "mysql://aws.connect.psdb.cloud/shop-alice"
    );
    assert_eq!(reader.bucket_name(None).unwrap(), "shop-bucket-alice");
    fork_stack_env::set_default(reader);
    assert_eq!(
        fork_stack_env::database_url().unwrap(),
        "mysql://aws.connect.psdb.cloud/shop-alice"
    );
    assert_eq!(fork_stack_env::current_env().unwrap(), "alice");
    fs::remove_dir_all(dir).unwrap();
}
