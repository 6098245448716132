//! The example app reads the right environment's values: cargo test
//!
//! Each test lays out a copy of this project's fork-stack.toml in a temporary directory, with the files
//! fork-stack writes (.current-env, .fork-stack/envs/<env>.env), so nothing here touches your environments.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use {{crate}}::{
    describe,
    env_utils::{EnvConfig, ErrorCode},
};

struct Project(PathBuf);

impl Project {
    fn new() -> Project {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("fork-stack-example-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::copy(config_file(), dir.join("fork-stack.toml")).unwrap();
        Project(dir)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.0.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn describe(&self, env: &[(&str, &str)]) -> HashMap<&'static str, String> {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lines = describe(&EnvConfig::new().with_cwd(&self.0).with_env(env)).unwrap();
        lines
            .into_iter()
            .filter_map(|(label, value)| value.map(|v| (label, v)))
            .collect()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn config_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fork-stack.toml")
}

#[test]
fn an_environment_gets_its_own_values() {
    let project = Project::new();
    project.write(
        ".fork-stack/envs/alice.env",
        "DATABASE_URL=postgres://db/alice\nBUCKET_NAME=app-bucket-alice\n",
    );
    project.write(
        ".fork-stack/envs/bob.env",
        "DATABASE_URL=postgres://db/bob\nBUCKET_NAME=app-bucket-bob\n",
    );
    for env in ["alice", "bob"] {
        let got = project.describe(&[("FORK_STACK_ENV", env)]);
        assert_eq!(got["environment"], env);
        assert_eq!(got["DATABASE_URL"], format!("postgres://db/{env}"));
        assert_eq!(got["BUCKET_NAME"], format!("app-bucket-{env}"));
    }
}

#[test]
fn the_current_environment_comes_from_dot_current_env() {
    let project = Project::new();
    project.write(".current-env", "alice\n");
    project.write(
        ".fork-stack/envs/alice.env",
        "CACHE_URL=redis://cache:6379/3\n",
    );
    let got = project.describe(&[]);
    assert_eq!(got["environment"], "alice");
    assert_eq!(got["CACHE_URL"], "redis://cache:6379/3");
}

#[test]
fn production_reads_the_process_environment_only() {
    let project = Project::new();
    let got = project.describe(&[
        ("ENV", "production"),
        ("DATABASE_URL", "postgres://prod/app"),
        ("QUEUE_URL", "redis://queue"),
    ]);
    assert_eq!(got["environment"], "prod");
    assert_eq!(got["DATABASE_URL"], "postgres://prod/app");
    assert_eq!(got["QUEUE_URL"], "redis://queue");
}

#[test]
fn the_project_name_is_the_one_in_fork_stack_toml() {
    let project = Project::new();
    let got = project.describe(&[]);
    let config = fs::read_to_string(config_file()).unwrap();
    assert!(
        config.contains(&format!("project = \"{}\"", got["project"])),
        "{}",
        got["project"]
    );
}

#[test]
fn a_malformed_current_env_is_a_clear_error() {
    let project = Project::new();
    project.write(".current-env", "Not A Name\n");
    let error = describe(
        &EnvConfig::new()
            .with_cwd(&project.0)
            .with_env(HashMap::new()),
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidCurrentEnv);
}
