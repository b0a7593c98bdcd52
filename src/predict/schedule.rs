//! How finely a run's work divides over workers: the share of it the busiest worker gets
//! when units go to whichever worker is free first, longest first.

/// The busiest worker's share of the work when `shares` (summing to 1) are dealt to
/// `workers` workers, each unit to the least-loaded one, longest units first. Without units
/// the work divides evenly.
pub fn busiest_share(shares: &[f64], workers: usize) -> f64 {
    let workers = workers.max(1);
    if shares.is_empty() {
        return 1.0 / workers as f64;
    }
    let mut sorted = shares.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let mut loads = vec![0.0_f64; workers.min(sorted.len())];
    for share in sorted {
        if let Some(least) = loads.iter_mut().min_by(|a, b| a.total_cmp(b)) {
            *least += share;
        }
    }
    loads.into_iter().fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_units_divide_evenly_and_a_long_one_sets_the_floor() {
        let even = vec![0.25; 4];
        assert!((busiest_share(&even, 2) - 0.5).abs() < 1e-9);
        assert!((busiest_share(&even, 8) - 0.25).abs() < 1e-9);
        let skewed = [0.7, 0.1, 0.1, 0.1];
        assert!((busiest_share(&skewed, 4) - 0.7).abs() < 1e-9);
        assert!((busiest_share(&[], 4) - 0.25).abs() < 1e-9);
        let three = vec![1.0 / 3.0; 3];
        assert!((busiest_share(&three, 2) - 2.0 / 3.0).abs() < 1e-9);
    }
}
