//! `cargo grade 12 --serve`: the exercise's website, booted for a person
//! rather than a grading.
//!
//! The grader builds the kernel as a grading would, boots the first test
//! that serves a website (one with `[test.net] http`) on the same network
//! (`crate::net`), and when the kernel says `# ready` prints the URL of
//! the forwarded port: open it in a browser, or point `curl` or a load
//! generator at it. Nothing writes `done`, so the kernel serves until
//! Ctrl-C stops QEMU. COM1 comes to the terminal as it arrives, and the
//! traffic goes to `net.pcap` beside it.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fledge_ktap::RunConfig;

use crate::devices::Attach;
use crate::grade::Options;
use crate::{build, image, manifest, net, qemu};

/// How long a served kernel may run: a day.
const FOR_A_DAY: Duration = Duration::from_secs(24 * 3600);

/// `--serve`: builds exercise `query` (or its solution), boots it serving,
/// and waits for Ctrl-C. Not a grading: the exit status is 1 unless the
/// kernel could not be built or booted (2, through the error).
pub fn run(root: &Path, query: &str, solution: bool, options: Options) -> Result<ExitCode> {
    let manifest = manifest::find(root, query)?;
    let Some(test) = manifest.tests.iter().find(|t| t.net.as_ref().is_some_and(|n| !n.http.is_empty())) else {
        bail!(
            "{} serves no website (no test has `[test.net] http`): --serve is for exercise 12 and later",
            manifest.id()
        );
    };
    let package = manifest.package(solution);
    let kernel = match build::kernel(root, &package, build::KERNEL_PROFILE, options.progress)? {
        Ok(kernel) => kernel,
        Err(failure) => {
            eprintln!("{}", build::first_errors(&failure.messages, 40));
            return Ok(ExitCode::from(1));
        }
    };
    let dir = root.join("target/fledge").join(format!("{package}-serve"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let nonce = image::nonce()?;
    let config = RunConfig { nonce: &nonce, start: 1, only: Some(&test.name) };
    // Without its debug information, as a grading boots it.
    let stripped = image::stripped(&kernel, &dir)?;
    let boot_image = image::build(&stripped, &config, &dir)?;
    let devices = Attach::all(&manifest, manifest.devices_of(test));
    let (args, network) = net::prepare_to_serve(&devices, &dir)?;
    println!("Booting {package} ({}) to serve; its serial output follows.", test.name);
    let request = qemu::Request {
        image: &boot_image,
        com2: &dir.join("com2.log"),
        timeout: options.timeout.unwrap_or(FOR_A_DAY),
        accel: options.accel,
        echo: true,
        events: &dir.join("qemu-events.log"),
        gdb: None,
        cpu: test.cpu.as_deref().or(manifest.cpu.as_deref()),
        devices: &args,
        pci: None,
        kill: None,
        ready: network.ready(),
    };
    let boot = qemu::boot(&qemu::find_qemu()?, &request)?;
    drop(network);
    println!(
        "\nQEMU stopped ({:?}, after {:.0} s). This was serving, not a grading: `cargo grade {}` scores it. \
         The traffic is in {}.",
        boot.ending,
        boot.elapsed.as_secs_f64(),
        manifest.id(),
        dir.join(net::PCAP).display()
    );
    Ok(ExitCode::from(1))
}
