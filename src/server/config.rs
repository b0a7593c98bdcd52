//! The server's settings: address, fault injection and data size, plus their text parsers.

use super::ServerError;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// How the random part of a response delay (`jitter`) is distributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum JitterDist {
    /// Uniform in `[0, jitter]`.
    #[default]
    Uniform,
    /// Half-normal with standard deviation `jitter` (capped at 4 × jitter).
    Normal,
    /// Exponential with mean `jitter` (capped at 10 × jitter): a long tail.
    Exponential,
}

/// Everything the built-in API server can be told. All faults combine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Must be set to listen on anything but a loopback address.
    pub allow_remote: bool,
    /// Fixed delay added to every data request.
    #[serde(rename = "latency_ms", with = "duration_ms")]
    pub latency: Duration,
    /// Scale of a random extra delay (see `JitterDist`).
    #[serde(rename = "jitter_ms", with = "duration_ms")]
    pub jitter: Duration,
    pub jitter_dist: JitterDist,
    /// Delay before the first answer on each new connection (what a TLS handshake to a
    /// remote API costs), so that reusing connections pays off as it does over a network.
    #[serde(rename = "handshake_ms", with = "duration_ms")]
    pub handshake: Duration,
    /// Share of data requests answered with 503 or 500, in `[0, 1]`.
    pub error_rate: f64,
    /// Share of data requests never answered (held until the client gives up), in `[0, 1]`.
    pub timeout_rate: f64,
    /// At most this many requests inside handlers; the rest wait in a queue.
    pub concurrency: Option<usize>,
    /// Requests per second (token bucket); over it → 429 with `Retry-After`.
    pub rate_limit: Option<f64>,
    /// `false` answers `Connection: close` and closes after each response.
    pub keepalive: bool,
    /// Number of tenants (ids 1..=N).
    pub tenants: usize,
    /// Number of company symbols.
    pub symbols: usize,
    /// Seed of the fault decisions (which request fails, how much jitter).
    pub seed: u64,
    /// `serve_blocking` also stops when its standard input closes (used for child servers).
    pub stop_on_stdin_eof: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            allow_remote: false,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            jitter_dist: JitterDist::Uniform,
            handshake: Duration::ZERO,
            error_rate: 0.0,
            timeout_rate: 0.0,
            concurrency: None,
            rate_limit: None,
            keepalive: true,
            tenants: 200,
            symbols: 100,
            seed: 42,
            stop_on_stdin_eof: false,
        }
    }
}

/// Largest data set the server will generate.
pub const MAX_TENANTS: usize = 1_000_000;
pub const MAX_SYMBOLS: usize = 100_000;

fn check_rate(name: &str, value: f64) -> Result<(), ServerError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(ServerError::Config(format!(
            "{name} {value} is out of range; use a share between 0 and 1"
        )))
    }
}

impl ServerConfig {
    /// Checks every value, naming the one that is wrong.
    pub fn validate(&self) -> Result<(), ServerError> {
        if !self.allow_remote && !self.addr.ip().is_loopback() {
            return Err(ServerError::Remote(self.addr));
        }
        check_rate("error rate", self.error_rate)?;
        check_rate("timeout rate", self.timeout_rate)?;
        if self.concurrency == Some(0) {
            return Err(ServerError::Config(
                "concurrency 0 would answer nothing; use 1 or more".into(),
            ));
        }
        if let Some(rate) = self.rate_limit {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(ServerError::Config(format!(
                    "rate limit {rate} is not a positive number of requests per second"
                )));
            }
        }
        if !(1..=MAX_TENANTS).contains(&self.tenants) {
            return Err(ServerError::Config(format!(
                "tenants {} is out of range; use 1 to {MAX_TENANTS}",
                self.tenants
            )));
        }
        if !(1..=MAX_SYMBOLS).contains(&self.symbols) {
            return Err(ServerError::Config(format!(
                "symbols {} is out of range; use 1 to {MAX_SYMBOLS}",
                self.symbols
            )));
        }
        Ok(())
    }
}

/// A flag value that does not parse (clap shows the message after the flag's name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("'{text}' is not a duration; use e.g. 50ms, 1s, 250us or 0")]
    Duration {
        text: String,
        #[source]
        source: std::num::ParseFloatError,
    },
    #[error("'{text}' has no unit; write e.g. {number}ms or {number}s")]
    NoUnit { text: String, number: String },
    #[error("'{text}' has an unknown unit '{unit}'; use ns, us, ms, s or m")]
    Unit { text: String, unit: String },
    #[error("'{text}' is not a usable duration")]
    Unusable {
        text: String,
        #[source]
        source: std::time::TryFromFloatSecsError,
    },
    #[error("'{0}' has an unknown period; write e.g. 100/s or 6000/m")]
    Period(String),
    #[error("'{0}' is not a positive request rate; write e.g. 100 or 100/s")]
    Rate(String),
    #[error("'{text}' has no valid port; use e.g. 127.0.0.1:8080")]
    Port {
        text: String,
        #[source]
        source: std::num::ParseIntError,
    },
    #[error("'{text}' is not an address; use IP:PORT, e.g. 127.0.0.1:8080")]
    Addr {
        text: String,
        #[source]
        source: std::net::AddrParseError,
    },
}

/// Parses a duration such as `50ms`, `1s`, `1.5s`, `250us`, `2m` or `0`.
pub fn parse_duration(s: &str) -> Result<Duration, ValueError> {
    let text = s.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|source| ValueError::Duration {
        text: s.to_string(),
        source,
    })?;
    let seconds_per_unit = match unit.trim() {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        "" => {
            return Err(ValueError::NoUnit {
                text: s.to_string(),
                number: number.to_string(),
            })
        }
        other => {
            return Err(ValueError::Unit {
                text: s.to_string(),
                unit: other.to_string(),
            })
        }
    };
    Duration::try_from_secs_f64(value * seconds_per_unit).map_err(|source| ValueError::Unusable {
        text: s.to_string(),
        source,
    })
}

/// Parses a rate limit: `100`, `100/s` or `6000/m` (requests per second or minute).
pub fn parse_rate(s: &str) -> Result<f64, ValueError> {
    let text = s.trim();
    let (number, per) = match text.split_once('/') {
        Some((n, unit)) => (n.trim(), unit.trim()),
        None => (text, "s"),
    };
    let divisor = match per {
        "s" => 1.0,
        "m" => 60.0,
        _ => return Err(ValueError::Period(s.to_string())),
    };
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v / divisor),
        _ => Err(ValueError::Rate(s.to_string())),
    }
}

/// Serialises a `Duration` as (fractional) milliseconds.
pub mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64() * 1e3)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let ms = f64::deserialize(d)?;
        Duration::try_from_secs_f64(ms / 1e3).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("50ms"), Ok(Duration::from_millis(50)));
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(
            parse_duration("50").unwrap_err().to_string(),
            "'50' has no unit; write e.g. 50ms or 50s"
        );
        assert!(parse_duration("5h")
            .unwrap_err()
            .to_string()
            .contains("unknown unit"));
        let bad = parse_duration("1.2.3s").unwrap_err();
        assert_eq!(
            bad.to_string(),
            "'1.2.3s' is not a duration; use e.g. 50ms, 1s, 250us or 0"
        );
        assert!(
            std::error::Error::source(&bad).is_some(),
            "the float error is kept"
        );
        assert!(parse_duration("ms").is_err());
        assert!(parse_duration("-5ms").is_err());
    }

    #[test]
    fn rates_parse_per_second_or_minute() {
        assert_eq!(parse_rate("100"), Ok(100.0));
        assert_eq!(parse_rate("100/s"), Ok(100.0));
        assert_eq!(parse_rate("60/m"), Ok(1.0));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("10/h").is_err());
        assert!(parse_rate("fast").is_err());
    }

    #[test]
    fn validation_names_the_wrong_value() {
        let mut config = ServerConfig {
            error_rate: 1.5,
            ..ServerConfig::default()
        };
        assert!(config.validate().unwrap_err().to_string().contains("1.5"));
        config.error_rate = 0.5;
        assert!(config.validate().is_ok());
        config.addr = "10.1.2.3:80".parse().expect("literal address");
        assert!(matches!(config.validate(), Err(ServerError::Remote(_))));
        config.allow_remote = true;
        assert!(config.validate().is_ok());
    }

    #[test]
    fn config_round_trips_through_json_with_millisecond_durations() {
        let config = ServerConfig {
            latency: Duration::from_micros(2500),
            rate_limit: Some(20.0),
            ..ServerConfig::default()
        };
        let json = serde_json::to_value(&config).expect("serialise");
        assert_eq!(json["latency_ms"], 2.5);
        let back: ServerConfig = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, config);
    }
}
