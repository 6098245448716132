//! Prints what this app connects to in the current environment (see src/app.rs).
//!
//!     cargo run --bin example            the current environment's connections (passwords masked)
//!     cargo run --bin example -- --json  the same, as JSON

use myapp::app;
use myapp::env_utils::EnvConfig;

fn main() {
    let json = std::env::args().skip(1).any(|a| a == "--json");
    match app::describe(&EnvConfig::new()) {
        Ok(summary) if json => println!("{}", summary.to_json()),
        Ok(summary) => print!("{}", summary.to_text()),
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }
}
