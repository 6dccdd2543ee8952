//! Up to N jobs at once: the boots and host tests of one grading.
//!
//! [`run`] takes a list of jobs and a number of workers, runs the jobs on
//! that many threads (each worker takes the next job that has not started,
//! in list order) and returns the results in list order, whatever order
//! they finished in. So a caller that merges the results in that order
//! gets the same answer on every run, however the jobs raced.
//!
//! The threads are scoped: `run` returns only after every job has ended,
//! and a job may borrow from the caller. A job that starts a QEMU waits for
//! it before it returns, which matters for `child`'s `PR_SET_PDEATHSIG`:
//! Linux sends that signal when the *thread* that started the child ends.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// A job for the pool.
pub type Job<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Runs `jobs` on at most `workers` threads and returns their results in
/// the order of `jobs`.
pub fn run<'a, T: Send>(workers: usize, jobs: Vec<Job<'a, T>>) -> Vec<T> {
    let count = jobs.len();
    let jobs: Vec<Mutex<Option<Job<'a, T>>>> = jobs.into_iter().map(|job| Mutex::new(Some(job))).collect();
    let results: Vec<Mutex<Option<T>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..workers.clamp(1, count.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(slot) = jobs.get(i) else { break };
                    let job = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                    if let Some(job) = job {
                        let result = job();
                        *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| slot.into_inner().unwrap_or_else(|e| e.into_inner()).expect("every job ran to its end"))
        .collect()
}

/// How many jobs to run at once by default: one more than the cores.
///
/// A grading's boots are CPU-bound pieces of about the same length (about
/// a second, most of it the bootloader's BIOS path under emulation). With
/// one job per core, exercise 02's three boots on two cores take two
/// rounds; with three jobs the two cores share all three and are done in
/// one and a half. Measured with `scripts/repeat.sh all` on two cores:
/// exercise 02 regrades in 1.70 times exercise 01's time with two jobs,
/// 1.48 times with three.
pub fn default_workers() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get()) + 1
}

#[cfg(test)]
mod test {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_back_in_job_order_whatever_the_finishing_order() {
        let jobs: Vec<Job<'_, usize>> = (0..6usize)
            .map(|i| {
                Box::new(move || {
                    thread::sleep(Duration::from_millis(30 - 5 * i as u64));
                    i
                }) as Job<'_, usize>
            })
            .collect();
        assert_eq!(run(3, jobs), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn no_more_than_the_workers_run_at_once() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let jobs: Vec<Job<'_, ()>> = (0..8)
            .map(|_| {
                Box::new(|| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    thread::sleep(Duration::from_millis(10));
                    running.fetch_sub(1, Ordering::SeqCst);
                }) as Job<'_, ()>
            })
            .collect();
        run(2, jobs);
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn jobs_run_at_the_same_time() {
        // Two jobs that each wait for the other: they finish only if both
        // run at once.
        let barrier = std::sync::Barrier::new(2);
        let jobs: Vec<Job<'_, bool>> =
            (0..2).map(|_| Box::new(|| barrier.wait().is_leader()) as Job<'_, bool>).collect();
        assert_eq!(run(2, jobs).into_iter().filter(|leader| *leader).count(), 1);
    }

    #[test]
    fn no_jobs_no_results() {
        assert!(run::<()>(4, Vec::new()).is_empty());
    }
}
