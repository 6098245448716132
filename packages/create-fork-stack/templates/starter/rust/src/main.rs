//! The example app: which environment is it in, and what are that environment's values?
//!
//!     make run                         # the current environment (.current-env, set by make envs-switch)
//!     FORK_STACK_ENV=alice make run    # another environment, without switching
//!
//! Replace it with your app; keep asking the reader for every URL and name instead of hard-coding them.

use std::process::ExitCode;

use {{crate}}::{describe, env_utils::EnvConfig};

fn main() -> ExitCode {
    let lines = match describe(&EnvConfig::new()) {
        Ok(lines) => lines,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let width = lines
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0)
        + 1;
    for (label, value) in lines {
        let value = value.unwrap_or_else(|| "(not set)".to_string());
        println!("{:width$} {value}", format!("{label}:"));
    }
    ExitCode::SUCCESS
}
