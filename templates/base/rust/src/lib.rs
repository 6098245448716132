//! fork-stack reader for Rust: which environment am I in, and what are its values?
//!
//! The code lives in `env_utils.rs` (and its `env_utils/` folder) so that it can also be copied into a
//! project as a module; this crate re-exports it. See [`EnvConfig`] and the free functions.

mod env_utils;

pub use env_utils::*;
