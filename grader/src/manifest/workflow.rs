//! The classroom workflow grades every exercise: its job matrix
//! (`.github/workflows/grade.yml`, `jobs.grade.strategy.matrix.exercise`)
//! lists exactly the exercises [`discover`] finds, so a new exercise that
//! is not added there fails this test instead of going ungraded in CI.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use super::discover;

const WORKFLOW: &str = ".github/workflows/grade.yml";

/// The exercises in the workflow's matrix, as written there.
fn matrix(text: &str) -> Result<Vec<String>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("{WORKFLOW} is not YAML: {e}"))?;
    let list = &docs.first().ok_or("empty")?["jobs"]["grade"]["strategy"]["matrix"]["exercise"];
    let Yaml::Array(items) = list else {
        return Err(format!("{WORKFLOW} has no list at jobs.grade.strategy.matrix.exercise"));
    };
    Ok(items.iter().map(|item| item.as_str().unwrap_or("(not a string)").to_string()).collect())
}

/// What is missing from the matrix, and what it lists that does not exist.
fn compare(matrix: &[String], exercises: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for id in exercises.iter().filter(|id| !matrix.contains(id)) {
        problems.push(format!("{id} is an exercise, but {WORKFLOW} does not grade it: add it to the matrix"));
    }
    for id in matrix.iter().filter(|id| !exercises.contains(id)) {
        problems.push(format!("{WORKFLOW} grades {id}, which is no exercise: remove it from the matrix"));
    }
    problems
}

#[test]
fn the_workflow_grades_every_exercise_and_nothing_else() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let text = std::fs::read_to_string(root.join(WORKFLOW)).unwrap();
    let exercises: Vec<String> = discover(root).unwrap().iter().map(|m| m.id()).collect();
    assert!(!exercises.is_empty());
    let problems = compare(&matrix(&text).unwrap(), &exercises);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_missing_or_extra_exercise_is_named() {
    let text = "jobs:\n  grade:\n    strategy:\n      matrix:\n        exercise: [exercise-01, exercise-09]\n";
    let listed = matrix(text).unwrap();
    assert_eq!(listed, ["exercise-01", "exercise-09"]);
    let problems = compare(&listed, &["exercise-01".into(), "exercise-02".into()]);
    assert_eq!(problems.len(), 2);
    assert!(problems[0].starts_with("exercise-02 is an exercise, but"), "{problems:?}");
    assert!(problems[1].contains("grades exercise-09, which is no exercise"), "{problems:?}");
    assert!(matrix("jobs: {}\n").unwrap_err().contains("no list"));
}
