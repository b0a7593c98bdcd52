//! The workload-specific parts of a report, typed: what a workload's result hook
//! ([`WorkloadResult`]) found, as the report keeps it (each part a top-level JSON field,
//! absent when the workload has none).

use super::timeline;
use crate::model::RunReport;
use crate::workload::{WorkloadError, WorkloadResult};

impl RunReport {
    /// Takes in the workload's result, once the units are absorbed and the wall time is
    /// known (a stage timeline needs both). `Err` when the workload's check of what it
    /// stored could not be made: the run then fails late, its report still written.
    pub fn absorb_result(&mut self, result: WorkloadResult) -> Result<(), WorkloadError> {
        self.findings.timeline = timeline::compute(&self.units, &result.stages, self.wall_s);
        self.cpu_not_counted = result.cpu_not_counted;
        self.findings.verification = result.verification.transpose()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{TableCheck, Verification, WorkloadFindings};
    use crate::report::timeline::{test_stage, test_unit};

    fn verification() -> Verification {
        Verification::new(vec![TableCheck::new(
            "customers",
            "customers.csv",
            10,
            [9, 1, 9],
        )])
    }

    /// A report whose units are two stages, `b` after `a`, and whose options are not the
    /// stage list (the timeline must not need them).
    fn staged_report() -> RunReport {
        RunReport {
            units: vec![test_unit("a", 0.0, 0.2), test_unit("b", 0.2, 0.5)],
            wall_s: 0.5,
            options: serde_json::json!({ "stages": "not a list" }),
            ..RunReport::default()
        }
    }

    fn stages() -> Vec<crate::workload::StageRun> {
        vec![test_stage("a", &[]), test_stage("b", &["a"])]
    }

    #[test]
    fn findings_keep_their_top_level_field_names_and_round_trip() {
        let mut report = staged_report();
        report
            .absorb_result(WorkloadResult {
                stages: stages(),
                verification: Some(Ok(verification())),
                cpu_not_counted: Some("the server's CPU".into()),
            })
            .expect("absorbed");
        let json = serde_json::to_value(&report).expect("serialize");
        let timeline = &json["timeline"];
        assert_eq!(timeline["critical_path"], serde_json::json!(["a", "b"]));
        assert_eq!(json["verification"]["tables"][0]["table"], "customers");
        assert_eq!(json["verification"]["ok"], true);
        assert_eq!(json["cpu_not_counted"], "the server's CPU");
        assert!(json.get("findings").is_none(), "no wrapper field: {json}");
        // In the text, each keeps the place it had as the report's own field.
        let text = serde_json::to_string(&report).expect("serialize");
        let at = |field: &str| text.find(&format!("\"{field}\":")).expect(field);
        assert!(at("failures") < at("timeline"), "{text}");
        assert!(at("timeline") < at("verification"), "{text}");
        assert!(at("verification") < at("cpu_not_counted"), "{text}");
        let back: RunReport = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back, report);
    }

    #[test]
    fn a_report_without_findings_has_none_of_their_fields() {
        let mut report = RunReport::default();
        report
            .absorb_result(WorkloadResult::default())
            .expect("nothing to absorb");
        let json = serde_json::to_value(&report).expect("serialize");
        for field in ["timeline", "verification", "cpu_not_counted", "findings"] {
            assert!(json.get(field).is_none(), "{field} in {json}");
        }
        let back: RunReport = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back.findings, WorkloadFindings::default());
    }

    #[test]
    fn a_report_written_before_reads_and_a_bad_finding_is_an_error_not_dropped() {
        let mut json = serde_json::to_value(RunReport::default()).expect("serialize");
        json["verification"] = serde_json::to_value(verification()).expect("verification");
        let read: RunReport = serde_json::from_value(json.clone()).expect("an older report");
        assert_eq!(read.findings.verification, Some(verification()));
        json["timeline"] = serde_json::json!({ "stages": "not a list" });
        assert!(serde_json::from_value::<RunReport>(json).is_err());
    }

    #[test]
    fn the_timeline_comes_from_the_typed_stages_not_the_options() {
        let mut report = staged_report();
        let mut measured = stages();
        // `b`'s own work began after its unit did (it waited for `a` first).
        measured[1].span = Some((0.3, 0.5));
        report
            .absorb_result(WorkloadResult {
                stages: measured,
                ..WorkloadResult::default()
            })
            .expect("absorbed");
        let timeline = report.findings.timeline.expect("a timeline");
        assert_eq!(timeline.stages.len(), 2);
        assert!((timeline.stages[1].start_s - 0.3).abs() < 1e-9);
        assert_eq!(timeline.stages[1].after, ["a"]);
    }

    #[test]
    fn a_failed_check_is_returned_and_the_rest_is_kept() {
        let mut report = staged_report();
        let err = report
            .absorb_result(WorkloadResult {
                stages: stages(),
                verification: Some(Err(WorkloadError::Other("the database is gone".into()))),
                cpu_not_counted: Some("the server's CPU".into()),
            })
            .expect_err("the check failed");
        assert_eq!(err.to_string(), "the database is gone");
        assert!(report.findings.verification.is_none());
        assert!(report.findings.timeline.is_some());
        assert_eq!(report.cpu_not_counted.as_deref(), Some("the server's CPU"));
    }
}
