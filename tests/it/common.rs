//! Helpers several test modules share (one copy instead of one per module).

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// Runs the `mente` binary with `args` on the database `db` (`MENTE_DB`), `password` typed
/// into its stdin through a pipe, as a script would; its output once it exits.
pub fn mente_with_password(db: &str, args: &[&str], password: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(args)
        .env("MENTE_DB", db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mente starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(format!("{password}\n").as_bytes()).expect("password written");
    drop(stdin);
    child.wait_with_output().expect("mente exits")
}
