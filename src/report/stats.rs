//! Small statistics for repeated runs: mean, standard deviation, speedup with its error.

use serde::{Deserialize, Serialize};

/// Mean and sample standard deviation of repeated measurements.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Spread {
    pub mean: f64,
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Spread {
    pub fn of(values: &[f64]) -> Spread {
        let n = values.len();
        if n == 0 {
            return Spread::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        Spread {
            mean,
            stddev: var.sqrt(),
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            n,
        }
    }

    pub fn median_of(values: &[f64]) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => 0.0,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }
}

/// Speedup of `other` over `base` (ratio of mean wall times) and its propagated error.
pub fn speedup(base: Spread, other: Spread) -> (f64, f64) {
    if other.mean <= 0.0 || base.mean <= 0.0 {
        return (0.0, 0.0);
    }
    let ratio = base.mean / other.mean;
    let rel = ((base.stddev / base.mean).powi(2) + (other.stddev / other.mean).powi(2)).sqrt();
    (ratio, ratio * rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_mean_and_sample_stddev() {
        let s = Spread::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert!((s.mean - 5.0).abs() < 1e-12);
        assert!((s.stddev - 2.138089935).abs() < 1e-6);
        assert_eq!((s.min, s.max, s.n), (2.0, 9.0, 8));
        assert_eq!(Spread::median_of(&[3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn speedup_error_grows_with_noise() {
        let base = Spread::of(&[2.0, 2.0]);
        let fast = Spread::of(&[1.0, 1.0]);
        assert_eq!(speedup(base, fast), (2.0, 0.0));
        let noisy = Spread::of(&[0.9, 1.1]);
        let (ratio, err) = speedup(base, noisy);
        assert!((ratio - 2.0).abs() < 1e-9 && err > 0.0);
    }
}
