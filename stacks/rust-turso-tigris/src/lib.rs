//! The app's library: the fork-stack reader (`env_utils`, copied from templates/base/rust) and what
//! the example does with it (`app`).

pub mod app;
pub mod env_utils;
