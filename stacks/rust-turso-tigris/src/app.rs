//! What this app connects to in the current environment — stack rust-turso-tigris: Turso, Tigris.
//!
//! Every value comes from the reader (`env_utils`): the process environment first (production), then
//! `.fork-stack/envs/<env>.env` written by `fork-stack switch`, then fork-stack.toml's naming
//! conventions — so `make envs-switch alice` points the app at alice's database and bucket without a
//! code change. Nothing here connects: the reader has no dependencies and this stack brings no cloud
//! client. In your app, hand the same values to your clients:
//!   - Turso: the `libsql` crate, `Builder::new_remote(url, token).build().await?`
//!   - Tigris: `aws-sdk-s3`; `aws_config::load_from_env()` reads AWS_ENDPOINT_URL_S3 and AWS_REGION

use crate::env_utils::{EnvReader, Result};

/// Variables fork-stack writes for the providers; every other key of the env file is the app's own secret.
const STACK_KEYS: [&str; 8] = [
    "FORK_STACK_ENV",
    "DATABASE_URL",
    "DATABASE_AUTH_TOKEN",
    "BUCKET_",
    "AWS_",
    "CACHE_",
    "REDIS_URL",
    "QUEUE_",
];

/// What the current environment's app would connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub env: String,
    pub project: String,
    pub database_url: String,
    pub database_auth_token: bool,
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub secrets: Vec<String>,
}

/// The URL with its password replaced by `****`, for printing.
pub fn mask_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let Some(colon) = authority[..at].find(':') else {
        return url.to_string();
    };
    format!(
        "{}{}:****{}",
        &url[..scheme_end + 3],
        &authority[..colon],
        &rest[at..]
    )
}

/// Reads the current environment's values through the reader.
pub fn describe(reader: &impl EnvReader) -> Result<Summary> {
    let mut secrets: Vec<String> = reader
        .all_secrets()?
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| !STACK_KEYS.iter().any(|prefix| key.starts_with(prefix)))
        .collect();
    secrets.sort();
    Ok(Summary {
        env: reader.current_env()?,
        project: reader.project_name()?,
        database_url: mask_url(&reader.database_url()?),
        database_auth_token: reader.database_auth_token()?.is_some(),
        bucket: reader.bucket_name(None)?,
        endpoint: reader.lookup_secret("AWS_ENDPOINT_URL_S3")?,
        region: reader.lookup_secret("AWS_REGION")?,
        secrets,
    })
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_option(value: &Option<String>) -> String {
    value
        .as_deref()
        .map(json_string)
        .unwrap_or_else(|| "null".to_string())
}

impl Summary {
    /// The same JSON shape as the Python and Go stacks' examples.
    pub fn to_json(&self) -> String {
        let secrets: Vec<String> = self.secrets.iter().map(|s| json_string(s)).collect();
        format!(
            "{{\n  \"env\": {},\n  \"project\": {},\n  \"database\": {{\"provider\": \"turso\", \"url\": {}, \"auth_token\": {}}},\n  \"storage\": {{\"provider\": \"tigris\", \"bucket\": {}, \"endpoint\": {}, \"region\": {}}},\n  \"secrets\": [{}]\n}}",
            json_string(&self.env),
            json_string(&self.project),
            json_string(&self.database_url),
            if self.database_auth_token { "\"set\"" } else { "null" },
            json_string(&self.bucket),
            json_option(&self.endpoint),
            json_option(&self.region),
            secrets.join(", ")
        )
    }

    pub fn to_text(&self) -> String {
        format!(
            "environment  {}  (project {})\ndatabase     turso  {}  auth_token={}\nstorage      tigris  bucket={}  endpoint={}  region={}\nsecrets      {}\n",
            self.env,
            self.project,
            self.database_url,
            if self.database_auth_token { "set" } else { "(none)" },
            self.bucket,
            self.endpoint.as_deref().unwrap_or("(none)"),
            self.region.as_deref().unwrap_or("(none)"),
            if self.secrets.is_empty() { "(none)".to_string() } else { self.secrets.join(", ") }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env_utils::{EnvConfig, ErrorCode};
    use std::collections::HashMap;
    use std::fs;
    use std::path::{Path, PathBuf};

    /// A copy of the stack's fork-stack.toml in a fresh directory: what a user has after copying it.
    fn project(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "stack-rust-turso-tigris-{}-{label}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fork-stack.toml"),
            dir.join("fork-stack.toml"),
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

    /// What `fork-stack switch alice` writes for this stack.
    const ALICE: &[(&str, &str)] = &[
        ("FORK_STACK_ENV", "alice"),
        ("DATABASE_URL", "libsql://myapp-alice-your-org.turso.io"),
        ("DATABASE_AUTH_TOKEN", "eyJhbGciOiJFZERTQSJ9.pw-alice.sig"),
        ("BUCKET_NAME", "myapp-bucket-alice"),
        ("BUCKET_UPLOADS", "myapp-bucket-alice"),
        ("AWS_REGION", "auto"),
        ("AWS_ENDPOINT_URL_S3", "https://t3.storage.dev"),
    ];

    fn switch(dir: &Path, name: &str, values: &[(&str, &str)]) {
        fs::create_dir_all(dir.join(".fork-stack/envs")).unwrap();
        let text: String = values.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        fs::write(dir.join(format!(".fork-stack/envs/{name}.env")), text).unwrap();
        fs::write(dir.join(".current-env"), format!("{name}\n")).unwrap();
    }

    #[test]
    fn conventions_name_each_environments_database_and_bucket() {
        let dir = project("conventions");
        for (name, url) in [
            ("prod", "libsql://myapp-your-org.turso.io"),
            ("dev", "libsql://myapp-dev-your-org.turso.io"),
            ("alice", "libsql://myapp-alice-your-org.turso.io"),
        ] {
            let reader = EnvConfig::new()
                .with_cwd(&dir)
                .with_env(env(&[("FORK_STACK_ENV", name)]));
            assert_eq!(reader.project_name().unwrap(), "myapp");
            assert_eq!(reader.database_url().unwrap(), url);
            assert_eq!(
                reader.bucket_name(None).unwrap(),
                format!("myapp-bucket-{name}")
            );
            assert_eq!(
                reader.bucket_name(Some("uploads")).unwrap(),
                format!("myapp-bucket-{name}")
            );
        }
    }

    #[test]
    fn describe_reads_what_switch_wrote() {
        let dir = project("describe");
        switch(&dir, "alice", ALICE);
        let summary = describe(&EnvConfig::new().with_cwd(&dir).with_env(env(&[]))).unwrap();
        assert_eq!(
            summary,
            Summary {
                env: "alice".into(),
                project: "myapp".into(),
                database_url: "libsql://myapp-alice-your-org.turso.io".into(),
                database_auth_token: true,
                bucket: "myapp-bucket-alice".into(),
                endpoint: Some("https://t3.storage.dev".into()),
                region: Some("auto".into()),
                secrets: vec![],
            }
        );
        assert!(!summary.to_json().contains("pw-alice"));
        assert!(summary
            .to_text()
            .contains("environment  alice  (project myapp)"));
    }

    #[test]
    fn production_needs_no_file_and_the_process_environment_wins() {
        let dir = project("production");
        switch(&dir, "alice", ALICE);
        let reader = EnvConfig::new().with_cwd(&dir).with_env(env(&[
            ("ENV", "production"),
            ("BUCKET_NAME", "myapp-bucket-prod"),
            ("STRIPE_KEY", "sk"),
        ]));
        let summary = describe(&reader).unwrap();
        assert_eq!(
            (summary.env.as_str(), summary.bucket.as_str()),
            ("prod", "myapp-bucket-prod")
        );
        assert_eq!(summary.database_url, "libsql://myapp-your-org.turso.io");
    }

    #[test]
    fn a_broken_env_file_is_a_clear_error() {
        let dir = project("broken");
        switch(&dir, "alice", &[]);
        fs::write(dir.join(".fork-stack/envs/alice.env"), "not a line\n").unwrap();
        let error = describe(&EnvConfig::new().with_cwd(&dir).with_env(env(&[]))).unwrap_err();
        assert_eq!(error.code, ErrorCode::UnreadableEnvFile);
        assert!(error.message.contains("alice.env"), "{}", error.message);
    }

    #[test]
    fn mask_url_hides_passwords_only() {
        assert_eq!(
            mask_url("postgresql://u:secret@h.example:5432/db?x=1"),
            "postgresql://u:****@h.example:5432/db?x=1"
        );
        assert_eq!(
            mask_url("libsql://db-org.turso.io"),
            "libsql://db-org.turso.io"
        );
        assert_eq!(mask_url("postgresql://u@h/db"), "postgresql://u@h/db");
    }
}
