//! The executor as a Linux process: a few tasks on the host's clock,
//! waiting by sleeping, and the trace dumped to standard output in the
//! same text a kernel writes to its serial port.
//!
//! ```text
//! cargo run -p fledge-executor --example hosted > trace.txt
//! ```

use std::time::Duration;

use fledge_executor::{Executor, yield_now};
use fledge_hosted::{HostClock, HostConsole, SleepIdle};
use fledge_trace::Ring;

static TRACE: Ring<4096> = Ring::new(fledge_hosted::monotonic_nanos);

fn main() {
    let clock = HostClock::new();
    let idle = SleepIdle(Duration::from_micros(200));
    let mut executor = Executor::new(&clock, &idle, &TRACE);
    let handle = executor.handle();
    executor.block_on("main", async move {
        let blink = handle.clone();
        let blinker = handle.spawn("blink", async move {
            for _ in 0..5 {
                blink.sleep(Duration::from_millis(4)).await;
            }
        });
        let workers: Vec<_> = ["count a", "count b"]
            .into_iter()
            .map(|name| {
                handle.spawn(name, async {
                    let mut sum = 0u64;
                    for i in 0..20 {
                        sum += i;
                        yield_now().await;
                    }
                    sum
                })
            })
            .collect();
        for worker in workers {
            assert_eq!(worker.await, 190);
        }
        blinker.await;
    });
    // Nanosecond stamps: a billion ticks a second.
    TRACE.dump(&mut HostConsole::stdout(), Some(1_000_000_000)).expect("standard output takes the trace");
}
