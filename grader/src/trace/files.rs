//! `cargo grade --render-trace DUMP`: a dump on disk, decoded, checked,
//! and drawn beside it: `DUMP`'s name with `.json` (Chrome trace events)
//! and `.svg` (the timeline). The pictures are written even when the check
//! fails, since a picture is how one sees why. [`draw`] writes the two
//! pictures of any dump, for a grading's traces too.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::check::check;
use super::chrome::chrome;
use super::decode::decode;
use super::svg::svg;
use super::timeline::Timeline;
use super::{Dump, TraceError};

/// What rendering a dump made.
#[derive(Debug)]
pub struct Rendered {
    /// How many events the dump holds.
    pub events: usize,
    /// The first rule the trace breaks, if any.
    pub problem: Option<TraceError>,
    /// The Chrome trace-event JSON.
    pub json: PathBuf,
    /// The SVG timeline.
    pub svg: PathBuf,
}

/// Reads the dump at `path` and writes its pictures beside it.
pub fn render(path: &Path) -> Result<Rendered> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let dump = decode(&text).with_context(|| format!("{} is not a trace dump", path.display()))?;
    let title = path.file_name().map_or_else(|| "trace".into(), |n| n.to_string_lossy().into_owned());
    let (json, picture) = (path.with_extension("json"), path.with_extension("svg"));
    draw(&dump, &title, &json, &picture)?;
    Ok(Rendered { events: dump.records.len(), problem: check(&dump).err(), json, svg: picture })
}

/// Writes `dump` as Chrome trace-event JSON to `json` and as an SVG
/// timeline titled `title` to `picture`.
pub fn draw(dump: &Dump, title: &str, json: &Path, picture: &Path) -> Result<()> {
    let timeline = Timeline::new(dump);
    let events = serde_json::to_string(&chrome(&timeline))?;
    std::fs::write(json, events).with_context(|| format!("cannot write the trace's JSON to {}", json.display()))?;
    std::fs::write(picture, svg(&timeline, title))
        .with_context(|| format!("cannot write the trace's timeline to {}", picture.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pictures_land_beside_the_dump() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.trace");
        std::fs::write(
            &path,
            "log line\nfledge-trace version=1 tsc-hz=unknown\n1 spawn 0 a\n2 poll 0\nend events=2 dropped=0\n",
        )
        .unwrap();
        let rendered = render(&path).unwrap();
        assert_eq!(
            (rendered.events, rendered.json.clone(), rendered.svg.clone()),
            (2, dir.path().join("run.json"), dir.path().join("run.svg"))
        );
        assert_eq!(rendered.problem.unwrap().to_string(), "trace, line 4: the poll of task 0 never ends");
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&rendered.json).unwrap()).unwrap();
        assert!(json["traceEvents"].as_array().is_some_and(|e| !e.is_empty()));
        assert!(std::fs::read_to_string(&rendered.svg).unwrap().contains(">a (task 0)</text>"));
    }

    #[test]
    fn a_malformed_dump_names_the_file_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.trace");
        std::fs::write(&path, "fledge-trace version=1 tsc-hz=unknown\n1 poll\n").unwrap();
        let error = format!("{:#}", render(&path).unwrap_err());
        assert!(
            error.ends_with("bad.trace is not a trace dump: trace, line 2: `1 poll` should have a task number here"),
            "{error}"
        );
    }
}
