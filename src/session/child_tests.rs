//! The child helper against tiny shell children: the spec reaches stdin, event lines come
//! back parsed, the stderr tail stays bounded, the exit is told in words, and a reaped child
//! is never signalled.

use super::*;
use crate::events::{Envelope, Event};

fn shell(script: &str) -> Launch {
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    Launch::command(command)
}

#[test]
fn the_spec_goes_in_and_event_lines_come_back_parsed() {
    // The child echoes its first input line inside an error event, then writes a non-event.
    let version = crate::events::EVENT_VERSION;
    let script = format!(
        r#"read spec; printf '{{"v":{version},"type":"error","message":"got %s"}}\n' "$spec"; echo junk"#
    );
    let mut child = shell(&script)
        .with_spec(&42)
        .and_then(Launch::spawn)
        .expect("sh starts");
    let got: Vec<Result<Envelope, EventError>> = child.events().collect();
    assert_eq!(got.len(), 2, "{got:?}");
    match &got[0] {
        Ok(Envelope {
            event: Event::Error { message },
            ..
        }) => assert_eq!(message, "got 42"),
        other => panic!("an error event: {other:?}"),
    }
    assert!(
        got[1].is_err(),
        "a line that is not an event is a parse error"
    );
    assert_eq!(child.events().count(), 0, "stdout is read once");
    let exit = child.wait();
    assert_eq!(exit.code(), Some(0));
}

#[test]
fn a_kept_stdin_takes_later_lines_and_closing_it_ends_the_reader() {
    let script = r#"read spec; read go; echo "$go" >&2; read more || echo eof >&2"#;
    let mut child = shell(script)
        .with_spec(&1)
        .map(Launch::keep_stdin)
        .and_then(Launch::spawn)
        .expect("sh starts");
    let stdin = child.stdin().expect("kept open");
    stdin.write_all(b"go\n").expect("written");
    child.close_stdin();
    let exit = child.wait();
    assert_eq!(exit.stderr.last_lines(3), "go / eof");
}

#[test]
fn the_stderr_tail_keeps_only_the_end_and_its_last_lines() {
    // 20 000 lines of stderr: far past the bound, ending with the reason.
    let script = "i=0; while [ $i -lt 20000 ]; do echo noise $i >&2; i=$((i+1)); done; echo 'disk full' >&2; echo 'giving up' >&2; exit 3";
    let exit = shell(script).spawn().expect("sh starts").wait();
    let text = exit.stderr.text();
    assert!(text.len() <= STDERR_TAIL_BYTES, "{} bytes kept", text.len());
    assert!(text.ends_with("disk full\ngiving up\n"), "{text:?}");
    assert!(!text.contains("noise 0\n"), "the start is dropped");
    assert_eq!(exit.stderr.last_lines(2), "disk full / giving up");
    assert_eq!(exit.code(), Some(3));
    assert_eq!(exit.describe(), "exited with status 3");
}

#[test]
fn the_tail_cuts_at_a_character_boundary() {
    let mut tail = StderrTail::default();
    tail.push(&"é".repeat(STDERR_TAIL_BYTES));
    assert!(tail.text().len() <= STDERR_TAIL_BYTES);
    assert!(tail.text().chars().all(|c| c == 'é'));
    tail.push("\n\n  \nlast\n");
    assert_eq!(tail.last_lines(1), "last");
}

#[test]
fn a_reaped_child_is_never_signalled() {
    let child = shell("exit 0").spawn().expect("sh starts");
    let handle = child.handle();
    let exit = child.wait();
    assert_eq!(exit.code(), Some(0));
    // Its pid may belong to another process by now: nothing is sent.
    assert!(matches!(
        handle.signal(Signal::Interrupt),
        Err(ChildError::Ended)
    ));
    assert!(matches!(
        handle.signal(Signal::Kill),
        Err(ChildError::Ended)
    ));
}

#[test]
fn a_running_child_is_signalled_and_its_death_is_told_by_name() {
    let child = shell("exec sleep 30").spawn().expect("sh starts");
    let handle = child.handle();
    handle
        .signal(Signal::Kill)
        .expect("a live child takes the signal");
    let exit = child.wait();
    assert_eq!(exit.code(), None, "killed by a signal: no exit code");
    assert_eq!(exit.describe(), "was killed by signal 9 (SIGKILL)");
    assert!(matches!(
        handle.signal(Signal::Kill),
        Err(ChildError::Ended)
    ));
}

#[test]
fn exit_descriptions_say_code_or_signal() {
    assert_eq!(
        describe_status(Some(ExitStatus::from_raw(3 << 8))),
        "exited with status 3"
    );
    assert_eq!(
        describe_status(Some(ExitStatus::from_raw(libc::SIGTERM))),
        format!("was killed by signal {} (SIGTERM)", libc::SIGTERM)
    );
    // A signal without a name here still gets its number.
    assert_eq!(
        describe_status(Some(ExitStatus::from_raw(libc::SIGUSR2))),
        format!("was killed by signal {}", libc::SIGUSR2)
    );
    assert_eq!(describe_status(None), "could not be waited for");
}

#[test]
fn a_program_that_cannot_start_is_a_spawn_error_with_its_cause() {
    let err = Launch::command(Command::new("/nonexistent/boundscope-test"))
        .spawn()
        .err()
        .expect("no such program");
    assert!(matches!(err, ChildError::Spawn(_)), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}
