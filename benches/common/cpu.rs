//! CPU time of the whole bench process, for figures that hardly depend on what else runs on
//! the machine (wall-clock latencies do: the development machine is shared).

use std::time::Duration;

/// CPU time of all this process's threads so far (the runtime's, sqlx's SQLite workers'), from
/// `/proc/self/task/*/schedstat`, in nanoseconds. Threads that have ended no longer count, so
/// take differences over spans in which the process keeps its threads. Zero where there is no
/// `/proc` (Linux only; the figure then reads 0).
pub fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Duration::ZERO };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}
