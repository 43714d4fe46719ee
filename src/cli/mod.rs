//! Command line: clap definitions and dispatch. Each subcommand lives in its own file and
//! returns an exit code; errors bubble up as `anyhow::Error` to `main`, which calls
//! [`exit_code_for`] — the one place that maps errors to codes.

/// `println!` that returns an error instead of panicking when stdout is closed or full; `main`
/// ends quietly on a broken pipe (`mente remind | head -1`), like ripgrep.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

/// `print!` counterpart of [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

mod ask;
mod backup;
mod chat;
mod check;
mod due;
mod kb;
mod migrate_db;
mod remind;
mod serve;
mod web;
mod wechat;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::content::ContentError;
use crate::reload::Live;

/// 门特助手 — helps with China's outpatient special/chronic-disease insurance benefit (门特).
#[derive(Debug, Parser)]
#[command(name = "mente", version, about)]
pub struct Cli {
    /// Folder holding dialogs/, faq/ and data/ (default: ./ if it has them, else the source tree).
    #[arg(long, global = true, env = "MENTE_CONTENT", value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Database URL: sqlite://FILE (the default) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "MENTE_DB", value_name = "URL", default_value = crate::store::DEFAULT_DB_URL)]
    pub db: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer a question from the FAQ.
    Ask(ask::AskArgs),
    /// Match a disease name against a region's catalogue.
    Disease(kb::DiseaseArgs),
    /// Estimate reimbursement for a year's eligible expense.
    Calc(kb::CalcArgs),
    /// Chat with the assistant in the terminal.
    Chat(chat::ChatArgs),
    /// Validate all content and report every problem as FILE:LINE: message.
    Check(check::CheckArgs),
    /// Compute a deadline N working days after a date.
    Due(due::DueArgs),
    /// Send due reminders (once, or as a loop).
    Remind(remind::RemindArgs),
    /// Run the assistant on Telegram.
    Serve(serve::ServeArgs),
    /// Serve the applicant chat page and the hotline console over HTTP.
    Web(web::WebArgs),
    /// Manage hotline console accounts.
    Staff(web::StaffArgs),
    /// The WeChat Official Account endpoint and its custom menu.
    Wechat(wechat::WechatArgs),
    /// Copy the SQLite database into a new file, consistently, while mente keeps running.
    Backup(backup::BackupArgs),
    /// Copy every table of one database into another (e.g. SQLite into PostgreSQL) and check the counts.
    MigrateDb(migrate_db::MigrateDbArgs),
}

/// A wrong argument: printed as is, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Invalid content: diagnostics already printed, exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("content is invalid; fix the problems above (or run `mente check`)")]
pub struct InvalidContent;

/// Maps an error to the process exit code: 2 for bad arguments, 1 for everything else.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<UsageError>().is_some() {
        2
    } else {
        1
    }
}

/// Whether `err` is a write to a closed pipe: the reader has all it wanted, so `main` exits
/// quietly with success instead of printing an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = cli.content.clone().unwrap_or_else(crate::content::default_root);
    if let Command::Check(args) = &cli.command {
        return check::run(args, &root);
    }
    if let Command::Staff(args) = &cli.command {
        return web::run_staff(args, &cli.db).await;
    }
    if let Command::Backup(args) = &cli.command {
        return backup::run(args, &cli.db).await;
    }
    if let Command::MigrateDb(args) = &cli.command {
        return migrate_db::run(args).await;
    }
    let live = load_content(&root)?;
    let assistant = live.current();
    match cli.command {
        Command::Ask(args) => ask::run_ask(&args, &assistant),
        Command::Disease(args) => kb::run_disease(&args, &assistant),
        Command::Calc(args) => kb::run_calc(&args, &assistant),
        Command::Chat(args) => chat::run(args, &cli.db, assistant).await,
        Command::Due(args) => due::run(&args, &assistant),
        Command::Remind(args) => remind::run(args, &cli.db, live).await,
        Command::Serve(args) => serve::run(args, &cli.db, &root, live).await,
        Command::Web(args) => web::run(args, &cli.db, &root, live).await,
        Command::Wechat(args) => wechat::run(args, &cli.db, &root, live).await,
        Command::Check(_) | Command::Staff(_) | Command::Backup(_) | Command::MigrateDb(_) => {
            unreachable!("handled above")
        }
    }
}

/// Loads content for every command but `check`; refuses to start on any problem. The servers
/// reload it later through the handle ([`crate::reload`]).
fn load_content(root: &std::path::Path) -> anyhow::Result<Live> {
    match Live::load(root, chrono::Utc::now()) {
        Ok(live) => Ok(live),
        Err(ContentError { diagnostics }) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            Err(InvalidContent.into())
        }
    }
}
