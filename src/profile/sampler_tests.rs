//! The sampler on this very process: a worker's samples come back symbolized, with inlined
//! frames' names, the phase it ran in as a tag, and nothing of threads that are not workers.

use super::*;
use crate::measure::phase::in_phase;
use crate::measure::stackwalk::publish_current_bounds;

/// One sampler per process: wait for another test's run to end rather than fail.
fn start_sampler() -> Sampler {
    for _ in 0..600 {
        match Sampler::start(250) {
            Ok(sampler) => return sampler,
            Err(ProfileError::Start(_)) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(e) => panic!("{e}"),
        }
    }
    panic!("the sampler stayed busy");
}

#[inline(never)]
fn spin_in_the_parse_phase(samples_wanted: &AtomicBool) -> u64 {
    let mut x = 1u64;
    while samples_wanted.load(Ordering::Relaxed) {
        for _ in 0..10_000 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
    x
}

#[test]
fn a_workers_samples_carry_its_functions_and_its_phase_tag() {
    let mut sampler = start_sampler();
    let spinning = std::sync::Arc::new(AtomicBool::new(true));
    let flag = spinning.clone();
    let worker = std::thread::Builder::new()
        .name("bs-sampled".into())
        .spawn(move || {
            publish_current_bounds();
            in_phase("parse", || spin_in_the_parse_phase(&flag))
        })
        .expect("spawn");
    // Not a worker (it published no stack range): the handler leaves it alone.
    let other = spinning.clone();
    let bystander = std::thread::spawn(move || spin_in_the_parse_phase(&other));
    let mut stacks = FoldedStacks::new();
    while stacks.total() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let delta = sampler
            .take_delta(|name| name == b"bs-sampled")
            .expect("delta");
        stacks.merge(&delta);
    }
    spinning.store(false, Ordering::Relaxed);
    worker.join().expect("worker");
    bystander.join().expect("bystander");
    sampler.stop();
    let text = stacks.to_text();
    let tagged: u64 = (stacks.iter())
        .filter(|(s, _)| {
            s.split_once(";[phase parse];")
                .is_some_and(|(_, inner)| inner.contains("spin_in_the_parse_phase"))
        })
        .map(|(_, n)| n)
        .sum();
    assert!(tagged * 10 >= stacks.total() * 9, "{text}");
    assert!(
        stacks.iter().all(|(s, _)| s.starts_with("bs-sampled;")),
        "{text}"
    );
    // The code map has the spinning function's address, and its line once asked for.
    let mut code = sampler.code_map();
    let site = code.site("boundscope::profile::sampler_tests::spin_in_the_parse_phase");
    assert!(
        site.is_some_and(|s| s.address != 0 && s.file.is_none()),
        "{code:?}"
    );
    fill_lines(&mut code);
    let site = code.site("boundscope::profile::sampler_tests::spin_in_the_parse_phase");
    assert!(
        site.is_some_and(|s| s.line > 0
            && s.file
                .as_deref()
                .is_some_and(|f| f.ends_with("sampler_tests.rs"))),
        "{site:?}"
    );
}

#[test]
fn a_second_sampler_in_the_same_process_is_refused_while_one_runs() {
    let mut first = start_sampler();
    assert!(matches!(Sampler::start(99), Err(ProfileError::Start(_))));
    first.stop();
    drop(first);
    let mut again = start_sampler();
    again.stop();
}
