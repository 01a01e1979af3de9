//! Running one job per file over many files on worker threads, handing
//! the results back in the order of the files.
//!
//! `bpfc check` over thousands of objects is bound by per-file costs (the
//! open/read/close system calls and the parse), which parallelise well.
//! Its output must not depend on the thread count, so each file's result is
//! kept until every file before it has been handed back; the caller writes
//! results as they arrive and sees exactly the sequence a one-thread run
//! gives.
//!
//! The CLI and the benchmarks both drive their checks through
//! [`for_each_file`], so what the benchmark times is what users run.

use super::file::FileBuffer;
use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// The number of worker threads when the user gives none: one per CPU
/// this process may run on (1 when that cannot be found out).
pub fn default_jobs() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// The most files a worker checks before handing their results over:
/// handing over wakes the calling thread (a system call and a context
/// switch), which per file cost as much as a second thread gained.
const MAX_RUN: usize = 32;

/// Runs `work` once per path and passes each result to `emit`, in the
/// order of `paths`, whatever the thread count.
///
/// With `jobs` = 1 (or a single path) everything runs on the calling
/// thread. Otherwise `jobs` scoped threads each take the next unclaimed run
/// of consecutive paths (at most [`MAX_RUN`], fewer when there are few
/// paths per thread, so the threads finish together), each thread with its
/// own [`FileBuffer`] reused across its files; `emit` runs on the calling
/// thread. When `emit` breaks (say, the reader of the output went away)
/// the workers finish the run they are on and stop.
///
/// Results that finish ahead of an earlier, slower run are held until it
/// is done: at most the files checked while that one run was.
pub fn for_each_file<R, W, E>(paths: &[PathBuf], jobs: NonZeroUsize, work: W, mut emit: E)
where
    R: Send,
    W: Fn(&mut FileBuffer, &Path) -> R + Sync,
    E: FnMut(R) -> ControlFlow<()>,
{
    let threads = jobs.get().min(paths.len());
    if threads <= 1 {
        let mut buf = FileBuffer::new();
        for path in paths {
            if emit(work(&mut buf, path)).is_break() {
                return;
            }
        }
        return;
    }

    // Eight runs per thread at least, so a slow run is made up for by others.
    let run_len = (paths.len() / (threads * 8)).clamp(1, MAX_RUN);
    let runs: Vec<&[PathBuf]> = paths.chunks(run_len).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (done, results) = mpsc::channel::<(usize, Vec<R>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let done = done.clone();
            let (next, stop, work, runs) = (&next, &stop, &work, &runs);
            scope.spawn(move || {
                let mut buf = FileBuffer::new();
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(run) = runs.get(i) else { break };
                    let checked = run.iter().map(|path| work(&mut buf, path)).collect();
                    if done.send((i, checked)).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the workers' senders remain: the loop below ends when the
        // last worker has finished.
        drop(done);

        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (i, checked) in &results {
            waiting.insert(i, checked);
            while let Some(checked) = waiting.remove(&due) {
                due += 1;
                for r in checked {
                    if emit(r).is_break() {
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn paths(n: usize) -> Vec<PathBuf> {
        (0..n).map(|i| PathBuf::from(format!("f{i}"))).collect()
    }

    /// The position of a path made by `paths`.
    fn number(p: &Path) -> usize {
        p.to_str().unwrap()[1..].parse().unwrap()
    }

    #[test]
    fn results_come_back_in_path_order_for_any_thread_count() {
        let all = paths(500);
        for jobs in [1, 2, 3, 8, 1000] {
            let mut seen = Vec::new();
            for_each_file(
                &all,
                NonZeroUsize::new(jobs).unwrap(),
                |_, p| {
                    // Early files take longest, so later ones finish first.
                    let n = number(p);
                    if n < 8 {
                        std::thread::sleep(std::time::Duration::from_millis(8 - n as u64));
                    }
                    n
                },
                |n| {
                    seen.push(n);
                    ControlFlow::Continue(())
                },
            );
            assert_eq!(seen, (0..500).collect::<Vec<_>>(), "jobs {jobs}");
        }
    }

    #[test]
    fn a_break_stops_emitting_and_the_workers() {
        let all = paths(2_000);
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        for_each_file(
            &all,
            NonZeroUsize::new(4).unwrap(),
            |_, p| {
                started.fetch_add(1, Ordering::Relaxed);
                // Slow enough that the workers are still busy at the break.
                std::thread::sleep(std::time::Duration::from_micros(200));
                number(p)
            },
            |n| {
                seen.push(n);
                if n == 9 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert!(started.load(Ordering::Relaxed) < all.len());
    }

    #[test]
    fn each_worker_reads_into_its_own_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let all: Vec<PathBuf> = (0..200)
            .map(|i| {
                let p = dir.path().join(format!("f{i}"));
                // Different sizes, so a shared or stale buffer would show.
                std::fs::write(&p, vec![i as u8; 1 + i * 97]).unwrap();
                p
            })
            .collect();
        let threads = Mutex::new(std::collections::HashSet::new());
        let mut got = Vec::new();
        for_each_file(
            &all,
            NonZeroUsize::new(3).unwrap(),
            |buf, p| {
                threads.lock().unwrap().insert(std::thread::current().id());
                buf.read(p).unwrap().to_vec()
            },
            |bytes| {
                got.push(bytes);
                ControlFlow::Continue(())
            },
        );
        for (i, bytes) in got.iter().enumerate() {
            assert_eq!(bytes, &vec![i as u8; 1 + i * 97], "file {i}");
        }
        let threads = threads.into_inner().unwrap();
        assert!(
            !threads.contains(&std::thread::current().id()),
            "with 3 jobs the files are read on worker threads"
        );
    }
}
