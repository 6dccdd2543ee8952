//! QEMU's machine protocol (QMP), just enough to look inside a guest.
//!
//! QEMU listens on a Unix socket (`-qmp unix:PATH,server=on,wait=off`) and
//! speaks JSON, one object a line:
//!
//! ```text
//! QEMU:    {"QMP": {"version": ..., "capabilities": [...]}}
//! grader:  {"execute": "qmp_capabilities"}
//! QEMU:    {"return": {}}
//! grader:  {"execute": "human-monitor-command", "arguments": {"command-line": "info registers"}}
//! QEMU:    {"timestamp": ..., "event": "STOP"}          (events come whenever they like)
//! QEMU:    {"return": "RAX=0000000000000000 RBX=...\n"}
//! ```
//!
//! `human-monitor-command` runs any command of QEMU's text monitor (`info
//! registers`, `x/2gx ADDRESS`) and returns its text, so this client needs
//! no more than that and `stop`/`cont`. Every read and write has a short
//! time limit: a QEMU that does not answer is given up on, never waited for.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

/// How long one answer may take.
const PATIENCE: Duration = Duration::from_millis(500);

/// A QMP connection, past the greeting.
pub struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Qmp {
    /// Connects to QEMU's QMP socket at `path` and enters command mode.
    pub fn connect(path: &Path) -> io::Result<Qmp> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(PATIENCE))?;
        stream.set_write_timeout(Some(PATIENCE))?;
        let mut qmp = Qmp { reader: BufReader::new(stream.try_clone()?), writer: stream };
        let greeting = qmp.read()?;
        if greeting.get("QMP").is_none() {
            return Err(io::Error::other("QEMU did not greet in QMP"));
        }
        qmp.execute("qmp_capabilities", None)?;
        Ok(qmp)
    }

    /// Runs a QMP command and returns its `return` value.
    pub fn execute(&mut self, command: &str, arguments: Option<Value>) -> io::Result<Value> {
        let mut message = json!({ "execute": command });
        if let Some(arguments) = arguments {
            message["arguments"] = arguments;
        }
        writeln!(self.writer, "{message}")?;
        loop {
            let mut answer = self.read()?;
            if let Some(error) = answer.get("error") {
                return Err(io::Error::other(format!("QEMU refused `{command}`: {error}")));
            }
            if let Some(value) = answer.get_mut("return") {
                return Ok(value.take());
            }
            // An event (`STOP`, `RESUME`): not the answer.
        }
    }

    /// Runs a command of QEMU's text monitor and returns what it printed.
    pub fn monitor(&mut self, line: &str) -> io::Result<String> {
        let answer = self.execute("human-monitor-command", Some(json!({ "command-line": line })))?;
        Ok(answer.as_str().unwrap_or_default().to_string())
    }

    fn read(&mut self) -> io::Result<Value> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "QEMU closed its QMP socket"));
        }
        serde_json::from_str(&line).map_err(io::Error::other)
    }
}
