//! The `mente` binary: parse the command line, run, and turn the outcome into an exit code.
//!
//! Everything else lives in the library; this is the one place where errors become exit codes
//! (0 success, 1 failure or invalid content, 2 bad arguments).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    mente::telemetry::init();
    let cli = mente::cli::Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("mente: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(mente::cli::run(cli)) {
        Ok(code) => code,
        Err(err) if mente::cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let code = mente::cli::exit_code_for(&err);
            // The one place errors are printed, so the one place they are redacted.
            eprintln!("mente: {}", mente::telemetry::redact(&format!("{err:#}")));
            ExitCode::from(code)
        }
    }
}
