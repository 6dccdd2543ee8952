//! Judging a network test's host side (`[test.net]`), once the kernel said
//! `ok`: every line the grader wrote to the boot's `net.log`
//! ([`crate::net`]) must start with `ok`. The traffic of the boot is in
//! `net.pcap` beside it; every verdict names it, so that a learner can
//! open the capture of the boot that failed (or passed).

use std::path::Path;

use crate::net::{LOG, PCAP, READY};

/// The test's verdict from the boot's folder `boot`: `Ok` with what the
/// grader did, or the first part that failed.
pub fn judge(boot: &Path) -> Result<String, String> {
    let pcap = boot.join(PCAP);
    let traffic = format!("the boot's traffic is in {} (`tcpdump -nr` it, or open it in Wireshark)", pcap.display());
    let Ok(text) = std::fs::read_to_string(boot.join(LOG)) else {
        return Err(format!(
            "the kernel never printed `{READY}`, so the grader did not do the test's part from the host; {traffic}"
        ));
    };
    verdict(&text).map(|done| format!("{done}; {traffic}")).map_err(|why| format!("{why}; {traffic}"))
}

/// What the lines of `net.log` say.
fn verdict(text: &str) -> Result<String, String> {
    let mut done = Vec::new();
    for line in text.lines() {
        match (line.strip_prefix("ok "), line.strip_prefix("fail ")) {
            (Some(ok), _) => done.push(ok),
            (_, Some(failed)) => return Err(format!("from the host: {failed}")),
            _ => return Err(format!("the grader's own record {LOG} has a line it cannot read: {line:?}")),
        }
    }
    if done.is_empty() {
        return Err(format!("the grader's record {LOG} is empty: it did nothing from the host"));
    }
    Ok(done.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_must_be_ok() {
        assert_eq!(verdict("ok 4 echo requests answered\n"), Ok("4 echo requests answered".into()));
        assert_eq!(verdict("ok a\nfail b went wrong\n"), Err("from the host: b went wrong".into()));
        assert!(verdict("").unwrap_err().contains("empty"));
        assert!(verdict("maybe\n").unwrap_err().contains("cannot read"));
    }

    #[test]
    fn a_missing_record_means_no_ready_line() {
        let dir = tempfile::tempdir().unwrap();
        let error = judge(dir.path()).unwrap_err();
        assert!(error.contains("never printed `# ready`") && error.contains("net.pcap"), "{error}");
        std::fs::write(dir.path().join(LOG), "ok 100 connections in a row\n").unwrap();
        assert!(judge(dir.path()).unwrap().starts_with("100 connections in a row; the boot's traffic is in"));
    }
}
