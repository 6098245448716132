//! Integration test: the real CLI creates an environment from dev, switches to it, `app::describe`
//! reads that environment's values through env_utils — exactly what the CLI created — then dev is
//! current again, unchanged, and the environment is deleted.
//!
//!     make test-integration
//!
//! Runs only with FORK_STACK_INTEGRATION=1, against whatever the credentials in your shell reach (your
//! accounts: it creates and deletes a throwaway environment; or the provider fakes fork-stack's own
//! tests use). The CLI is FORK_STACK_CLI (default `npx --no-install fork-stack`); the environment's
//! name is FORK_STACK_TEST_ENV (default itest).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use myapp::app::{self, mask_url, Summary};
use myapp::env_utils::EnvConfig;

const PARENT: &str = "dev";

struct Integration {
    root: PathBuf,
    cli: Vec<String>,
    env: HashMap<String, String>,
}

impl Integration {
    fn run(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(&self.cli[0])
            .args(&self.cli[1..])
            .args(args)
            .current_dir(&self.root)
            .env_clear()
            .envs(&self.env)
            .output()
            .map_err(|e| format!("cannot run {:?}: {e}", self.cli))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "fork-stack {} failed ({}):\n{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    fn cli(&self, args: &[&str]) -> String {
        self.run(args).unwrap_or_else(|e| panic!("{e}"))
    }

    fn describe(&self) -> Summary {
        app::describe(
            &EnvConfig::new()
                .with_cwd(&self.root)
                .with_env(self.env.clone()),
        )
        .unwrap()
    }

    /// `"<name>":…"state": "<state>"` pairs of `list --json`, without a JSON library.
    fn state_of(&self, name: &str) -> Option<String> {
        let list = self.cli(&["list", "--json"]);
        let at = list.find(&format!("\"name\": \"{name}\""))?;
        let rest = &list[at..];
        let state = rest.find("\"state\": \"")? + "\"state\": \"".len();
        Some(rest[state..].split('"').next()?.to_string())
    }
}

/// A value of the flat JSON object `env --format json` prints.
fn json_value(json: &str, key: &str) -> Option<String> {
    let at = json.find(&format!("\"{key}\": \""))? + key.len() + 5;
    Some(json[at..].split('"').next()?.to_string())
}

#[test]
fn create_switch_read_delete() {
    if std::env::var("FORK_STACK_INTEGRATION").as_deref() != Ok("1") {
        eprintln!("skipped: set FORK_STACK_INTEGRATION=1 (make test-integration)");
        return;
    }
    let cli: Vec<String> = std::env::var("FORK_STACK_CLI")
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let cli = if cli.is_empty() {
        vec!["npx".into(), "--no-install".into(), "fork-stack".into()]
    } else {
        cli
    };
    // The app and the CLI pick the environment from .current-env, as on a developer's machine.
    let mut env: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k != "FORK_STACK_ENV" && k != "ENV")
        .collect();
    env.insert("NO_COLOR".into(), "1".into());
    let it = Integration {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        cli,
        env,
    };
    let name = std::env::var("FORK_STACK_TEST_ENV")
        .ok()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "itest".into());

    struct Cleanup<'a>(&'a Integration, &'a str, bool);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            if !self.2 {
                let _ = self.0.run(&["switch", PARENT]);
                let _ = self.0.run(&["delete", self.1, "--yes"]);
            }
        }
    }
    let mut cleanup = Cleanup(&it, &name, false);

    it.cli(&["switch", PARENT]);
    let parent = it.describe();
    assert_eq!(parent.env, PARENT);

    it.cli(&["create", &name, "--switch"]);
    let created = it.cli(&["env", &name, "--format", "json", "--reveal"]);
    let mine = it.describe();
    // The app reads exactly what the CLI created, through the reader.
    assert_eq!(mine.env, name);
    assert_eq!(
        Some(mine.database_url.clone()),
        json_value(&created, "DATABASE_URL").map(|u| mask_url(&u))
    );
    assert!(
        mine.database_url
            .starts_with(&format!("libsql://myapp-{name}-")),
        "{}",
        mine.database_url
    );
    assert_eq!(
        mine.database_auth_token,
        json_value(&created, "DATABASE_AUTH_TOKEN").is_some()
    );
    assert_eq!(
        Some(mine.bucket.clone()),
        json_value(&created, "BUCKET_NAME")
    );
    assert_eq!(mine.endpoint, json_value(&created, "AWS_ENDPOINT_URL_S3"));
    assert_eq!(mine.region, json_value(&created, "AWS_REGION"));
    // Its own resources, not the parent's.
    assert_eq!(mine.bucket, format!("myapp-bucket-{name}"));
    assert_ne!(mine.database_url, parent.database_url);
    assert_eq!(it.state_of(&name).as_deref(), Some("ready"));

    it.cli(&["switch", PARENT]);
    assert_eq!(it.describe(), parent);
    it.cli(&["delete", &name, "--yes"]);
    assert_eq!(it.state_of(&name), None);
    cleanup.2 = true;
}
