//! The reading of a run: which kind of bound it is, and the figures that say why.

use serde::{Deserialize, Serialize};

/// What held a run back, as one word (the report's `verdict`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum VerdictKind {
    /// Workers were on a CPU (or waiting for a free core) most of the time.
    CpuBound,
    /// Workers waited on the network, a database or the disk most of the time.
    IoBound,
    /// Workers waited for the simulated interpreter lock.
    GilBound,
    /// Workers waited for a database lock held by another writer.
    LockBound,
    /// Workers sat idle with no work to take.
    Starved,
    /// No single kind of time dominates.
    Mixed,
}

impl VerdictKind {
    /// Every verdict, in the order they are tried.
    pub fn all() -> impl Iterator<Item = VerdictKind> {
        <VerdictKind as strum::IntoEnumIterator>::iter()
    }

    /// The word the report, the CLI and scenario files use (`cpu-bound`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict and the sentence of figures behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub kind: VerdictKind,
    pub detail: String,
}

/// Serde form of a report's `verdict`: the word, or `""` before the run was read (and in
/// reports written by a build that had not read it).
pub mod optional_word {
    use super::VerdictKind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &Option<VerdictKind>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.map_or("", VerdictKind::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<VerdictKind>, D::Error> {
        let word = String::deserialize(d)?;
        if word.is_empty() {
            return Ok(None);
        }
        word.parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("`{word}` is not a verdict")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verdict_reads_back_from_its_word_in_serde_and_text() {
        for kind in VerdictKind::all() {
            let json = serde_json::to_string(&kind).expect("json");
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(
                serde_json::from_str::<VerdictKind>(&json).expect("back"),
                kind
            );
            assert_eq!(kind.as_str().parse::<VerdictKind>(), Ok(kind));
        }
        assert_eq!(VerdictKind::all().count(), 6);
        assert_eq!(VerdictKind::GilBound.as_str(), "gil-bound");
        assert!("fast".parse::<VerdictKind>().is_err());
    }
}
