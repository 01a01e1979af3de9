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
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The number of worker threads when the user gives none: one per CPU
/// this process may run on (1 when that cannot be found out).
pub fn default_jobs() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// The most files a thread checks before handing their results over:
/// handing over wakes the calling thread (a system call and a context
/// switch), which per file cost as much as a second thread gained.
const MAX_RUN: usize = 32;

/// The files each thread must have for threads to pay. Starting worker
/// threads (stacks, allocator arenas, the pages they touch first, waking
/// the caller) costs about what checking 20 files does: on this project's
/// 2-CPU VM, `bpfc check` over 64 objects took 8% longer on two threads
/// than on one, and two threads won from about 120 objects on.
const FILES_PER_THREAD: usize = 64;

/// How many threads `for_each_file` uses for `files` files when allowed
/// `jobs`: one per [`FILES_PER_THREAD`] files, at least one.
pub fn threads_for(files: usize, jobs: NonZeroUsize) -> usize {
    jobs.get().min(files / FILES_PER_THREAD).max(1)
}

/// Runs `work` once per path and passes each result to `emit`, in the
/// order of `paths`, whatever the thread count.
///
/// [`threads_for`] decides how many threads run; with one (a short list,
/// or `jobs` = 1) everything runs on the calling thread. Otherwise that
/// many scoped worker threads each take the next unclaimed run of
/// consecutive paths (at most [`MAX_RUN`], fewer when there are few paths
/// per thread, so the threads finish together), each with its own
/// [`FileBuffer`] reused across its files.
///
/// `emit` runs on whichever worker finishes the run due next, under one
/// lock: that worker emits its run and every later one already finished.
/// A run that finishes ahead of an earlier, slower one is held until that
/// one is out: at most the files checked while it was. A slow `emit` (a
/// slow reader of the output) holds the other workers at their next
/// hand-over, so finished runs never pile up behind it. The calling
/// thread only waits for the workers to end.
///
/// Measured against this on the 2-CPU VM: a calling thread that received
/// each run over a channel and emitted it woke, and took a CPU from a
/// worker, once per run (5-10% more wall time); one that also checked runs
/// of its own between emits was 25% slower over 204 files; and the calling
/// thread as one of the workers, one thread fewer, had a median 20% slower
/// over 960 files and no faster best run (a new thread starts on its
/// parent's CPU, and the two share it until the scheduler moves one).
///
/// When `emit` breaks (say, the reader of the output went away) nothing
/// more is emitted, and the workers finish the run they are on and stop.
/// A thread the system refuses to start is one worker fewer; with none
/// started, the calling thread checks every file itself.
pub fn for_each_file<P, R, W, E>(paths: &[P], jobs: NonZeroUsize, work: W, mut emit: E)
where
    P: AsRef<Path> + Sync,
    R: Send,
    W: Fn(&mut FileBuffer, &Path) -> R + Sync,
    E: FnMut(R) -> ControlFlow<()> + Send,
{
    let threads = threads_for(paths.len(), jobs);
    if threads <= 1 {
        let mut buf = FileBuffer::new();
        for path in paths {
            if emit(work(&mut buf, path.as_ref())).is_break() {
                return;
            }
        }
        return;
    }

    // Eight runs per thread at least, so a slow run is made up for by others.
    let run_len = (paths.len() / (threads * 8)).clamp(1, MAX_RUN);
    let runs: Vec<&[P]> = paths.chunks(run_len).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let order = Mutex::new(InOrder::new(&mut emit));
    let worker = || {
        let mut buf = FileBuffer::new();
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(run) = runs.get(i) else { break };
            let checked = run
                .iter()
                .map(|path| work(&mut buf, path.as_ref()))
                .collect();
            // A worker that panicked while emitting has poisoned the lock;
            // the scope passes its panic on, so just stop.
            let Ok(mut order) = order.lock() else { break };
            if order.finished(i, checked).is_break() {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
    };
    std::thread::scope(|scope| {
        // A thread the system will not start (a container's pids limit,
        // RLIMIT_NPROC, no memory for a stack) is one worker fewer; with
        // none, the calling thread does the work. Runs are taken from one
        // counter, so any number of workers checks every file once.
        let started = (0..threads)
            .take_while(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, worker)
                    .is_ok()
            })
            .count();
        if started == 0 {
            worker();
        }
    });
}

/// Finished runs, keyed by run number, until every run before them is out,
/// and the `emit` they go out through.
struct InOrder<'e, R, E> {
    waiting: BTreeMap<usize, Vec<R>>,
    due: usize,
    emit: &'e mut E,
    /// `emit` broke: nothing more goes out, whichever worker comes next.
    broken: bool,
}

impl<'e, R, E: FnMut(R) -> ControlFlow<()>> InOrder<'e, R, E> {
    fn new(emit: &'e mut E) -> Self {
        InOrder {
            waiting: BTreeMap::new(),
            due: 0,
            emit,
            broken: false,
        }
    }

    /// Takes run `i`, then emits every run whose predecessors are all out,
    /// in order.
    fn finished(&mut self, i: usize, checked: Vec<R>) -> ControlFlow<()> {
        if self.broken {
            return ControlFlow::Break(());
        }
        if i != self.due {
            self.waiting.insert(i, checked);
            return ControlFlow::Continue(());
        }
        self.emit_run(checked)?;
        while let Some(checked) = self.waiting.remove(&self.due) {
            self.emit_run(checked)?;
        }
        ControlFlow::Continue(())
    }

    fn emit_run(&mut self, checked: Vec<R>) -> ControlFlow<()> {
        self.due += 1;
        for r in checked {
            if (self.emit)(r).is_break() {
                self.broken = true;
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

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
    fn a_slow_emit_holds_the_workers_back() {
        let all = paths(2_000);
        let started = AtomicUsize::new(0);
        let mut started_while_emitting = None;
        for_each_file(
            &all,
            NonZeroUsize::new(2).unwrap(),
            |_, p| {
                started.fetch_add(1, Ordering::Relaxed);
                // Slow enough that the list is far from done when the first
                // file is emitted, quick enough that the rest could be
                // checked during that emit if nothing held the workers.
                std::thread::sleep(std::time::Duration::from_micros(20));
                number(p)
            },
            |n| {
                if n == 0 {
                    // A reader that takes its time with the first file.
                    let before = started.load(Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    started_while_emitting = Some(started.load(Ordering::Relaxed) - before);
                }
                ControlFlow::Continue(())
            },
        );
        // Runs are 32 files here. While the first is written, the other
        // worker checks at most one run (the one it is on, or one it
        // claims just then) and waits at the hand-over.
        let run = (all.len() / 16).clamp(1, MAX_RUN);
        assert_eq!(run, 32);
        let during = started_while_emitting.unwrap();
        assert!(
            during <= run,
            "{during} files started while the first was being written"
        );
        assert_eq!(started.load(Ordering::Relaxed), all.len());
    }

    #[test]
    fn short_lists_stay_on_the_calling_thread() {
        let two = NonZeroUsize::new(2).unwrap();
        assert_eq!(threads_for(0, two), 1);
        assert_eq!(threads_for(FILES_PER_THREAD * 2 - 1, two), 1);
        assert_eq!(threads_for(FILES_PER_THREAD * 2, two), 2);
        assert_eq!(threads_for(100_000, two), 2);
        assert_eq!(threads_for(100_000, NonZeroUsize::MIN), 1);

        let caller = std::thread::current().id();
        let mut seen = 0;
        for_each_file(
            &paths(FILES_PER_THREAD + 1),
            two,
            |_, _| std::thread::current().id(),
            |id| {
                assert_eq!(id, caller);
                seen += 1;
                ControlFlow::Continue(())
            },
        );
        assert_eq!(seen, FILES_PER_THREAD + 1);
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
        assert_eq!(threads_for(all.len(), NonZeroUsize::new(3).unwrap()), 3);
        assert!(
            !threads.contains(&std::thread::current().id()),
            "with 3 jobs over 200 files the files are read on worker threads"
        );
    }
}
