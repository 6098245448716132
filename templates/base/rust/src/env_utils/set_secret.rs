//! Writing a secret goes through the CLI, which knows the configured secrets provider; the reader
//! itself only reads.

use std::io::Write;
use std::process::{Command, Stdio};

use super::names::{io_reason, quote};
use super::{is_valid_key, EnvConfig, Error, ErrorCode, Result, DEFAULT_CLI};

impl EnvConfig {
    /// Runs `fork-stack secrets set KEY --env <env>` in the project root with the value on stdin
    /// (never on the command line, where `ps` would show it). FORK_STACK_CLI replaces the command; it
    /// is split on whitespace, without a shell.
    pub fn set_secret(&self, key: &str, value: &str) -> Result<()> {
        if !is_valid_key(key) {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                format!("{} is not a valid variable name; use letters, digits and \"_\", not starting with a digit (e.g. STRIPE_KEY)", quote(key)),
            ));
        }
        let r = self.resolve()?;
        let cli = self.var("FORK_STACK_CLI").unwrap_or_default();
        let mut command: Vec<String> = cli.split_whitespace().map(String::from).collect();
        if command.is_empty() {
            command = DEFAULT_CLI.split(' ').map(String::from).collect();
        }
        command.extend(["secrets", "set", key, "--env", &r.env].map(String::from));
        let shown = command.join(" ");
        let mut cmd = Command::new(&command[0]);
        cmd.args(&command[1..])
            .current_dir(self.root_or_dir(&r))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(env) = &self.env {
            cmd.env_clear().envs(env);
        }
        let could_not_run = |e: std::io::Error| {
            Error::new(
                ErrorCode::CliFailed,
                format!("could not run \"{shown}\" ({}); install fork-stack (npm i -D fork-stack) or set FORK_STACK_CLI", io_reason(&e)),
            )
        };
        let mut child = cmd.spawn().map_err(could_not_run)?;
        if let Some(mut stdin) = child.stdin.take() {
            // The CLI drops one trailing "\n" or "\r\n" from stdin; sending one keeps a value's own, and
            // a value ending with "\r" gets "\r\n" (else its "\r" would be taken for the line end and
            // lost). A CLI that exits without reading is reported by its exit status below.
            let line_end = if value.ends_with('\r') { "\r\n" } else { "\n" };
            let _ = stdin.write_all(format!("{value}{line_end}").as_bytes());
        }
        let output = child.wait_with_output().map_err(could_not_run)?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.trim().split('\n').collect();
        let detail = lines[lines.len().saturating_sub(3)..]
            .join(" ")
            .trim()
            .to_string();
        let how = match output.status.code() {
            Some(code) => format!("exited with code {code}"),
            None => format!("was stopped by a signal ({})", output.status),
        };
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        };
        Err(Error::new(
            ErrorCode::CliFailed,
            format!("\"{shown}\" {how}{detail}"),
        ))
    }
}
