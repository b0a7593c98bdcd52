//! The `serve-api` command-line flags, their conversion to `ServerConfig` and back.

use super::fault_options::fault_options;
use crate::server::config::{JitterDist, ServerConfig, ValueError};
use crate::server::{serve_blocking, ConnLimits, ServerError, Stopped};
use crate::workload::declare::flags::{self, Declared};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

/// The fault-injection flags of `serve-api`, built from the declarations in
/// [`super::fault_options::fault_options`] (which `run api-fetch` and `run etl-pipeline` take too).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultArgs {
    /// (flag name without dashes, value as typed); a switch given reads `true`.
    pub given: Vec<(&'static str, String)>,
}

/// The heading the fault flags go under in `serve-api --help`.
const FAULTS_HEADING: &str = "API server faults";

impl clap::FromArgMatches for FaultArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let names: Vec<_> = fault_options().iter().map(|o| (o.name, o.kind)).collect();
        Ok(FaultArgs {
            given: flags::given(matches, names),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for FaultArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let options = fault_options();
        cmd.args(options.iter().map(|decl| {
            let owner = [Declared {
                owner: "",
                decl,
                defaults: ServerConfig::default(),
            }];
            flags::flag(&owner, FAULTS_HEADING)
        }))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl FaultArgs {
    /// `config` with these faults.
    pub fn apply(&self, mut config: ServerConfig) -> Result<ServerConfig, ServerError> {
        let options = fault_options();
        for (name, value) in &self.given {
            if let Some(option) = options.iter().find(|o| o.name == *name) {
                option
                    .set(&mut config, value)
                    .map_err(|e| ServerError::Config(format!("--{name} {value}: {e}")))?;
            }
        }
        Ok(config)
    }
}

/// Flags of `boundscope serve-api`.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080; port 0 picks a free port (printed on start).
    #[arg(long, default_value = "127.0.0.1:0", value_parser = parse_addr)]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub faults: FaultArgs,
    /// Number of tenants served at /tenants (ids 1..=N).
    #[arg(long, default_value_t = 200)]
    pub tenants: usize,
    /// Number of company symbols served at /companies.
    #[arg(long, default_value_t = 100)]
    pub symbols: usize,
    /// Seed of the fault decisions (which requests fail, how much jitter).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Allow listening on a non-loopback address (the API is then reachable from other machines).
    #[arg(long)]
    pub allow_remote: bool,
    /// Stop when standard input closes (used when boundscope starts the server as a child).
    #[arg(long)]
    pub exit_on_stdin_close: bool,
    /// Close a connection that sends no request for this long (keep-alive included).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = crate::server::parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// Close a connection whose request headers are not complete this long after they began.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = crate::server::parse_duration)]
    pub header_timeout: std::time::Duration,
    /// Connections open at once; a client beyond them gets 503 at once [default: 1024, or
    /// half the open-file limit if that is lower].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
}

/// Parses `HOST:PORT` where HOST is an IP address or `localhost`.
pub fn parse_addr(s: &str) -> Result<SocketAddr, ValueError> {
    if let Some(port) = s.strip_prefix("localhost:") {
        let port: u16 = port.parse().map_err(|source| ValueError::Port {
            text: s.to_string(),
            source,
        })?;
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    s.parse().map_err(|source| ValueError::Addr {
        text: s.to_string(),
        source,
    })
}

impl ServeArgs {
    /// The server settings these flags describe, checked.
    pub fn to_config(&self) -> Result<ServerConfig, ServerError> {
        let config = self.faults.apply(ServerConfig {
            addr: self.addr,
            allow_remote: self.allow_remote,
            tenants: self.tenants,
            symbols: self.symbols,
            seed: self.seed,
            stop_on_stdin_eof: self.exit_on_stdin_close,
            ..ServerConfig::default()
        })?;
        config.validate()?;
        Ok(config)
    }
}

/// The `serve-api` flags that reproduce `config` (the inverse of `ServeArgs::to_config`).
pub fn config_to_args(config: &ServerConfig) -> Vec<String> {
    let mut args = vec![
        format!("--addr={}", config.addr),
        format!("--latency={}us", config.latency.as_micros()),
        format!("--jitter={}us", config.jitter.as_micros()),
        format!("--handshake={}us", config.handshake.as_micros()),
        format!("--error-rate={}", config.error_rate),
        format!("--timeout-rate={}", config.timeout_rate),
        format!("--tenants={}", config.tenants),
        format!("--symbols={}", config.symbols),
        format!("--seed={}", config.seed),
    ];
    let dist = match config.jitter_dist {
        JitterDist::Uniform => "uniform",
        JitterDist::Normal => "normal",
        JitterDist::Exponential => "exponential",
    };
    args.push(format!("--jitter-dist={dist}"));
    if let Some(n) = config.concurrency {
        args.push(format!("--concurrency={n}"));
    }
    if let Some(rate) = config.rate_limit {
        args.push(format!("--rate-limit={rate}"));
    }
    let flags = [
        (!config.keepalive, "--no-keepalive"),
        (config.allow_remote, "--allow-remote"),
        (config.stop_on_stdin_eof, "--exit-on-stdin-close"),
    ];
    args.extend(flags.iter().filter(|f| f.0).map(|f| f.1.to_string()));
    args
}

impl ServeArgs {
    /// The connection limits these flags set.
    pub fn limits(&self) -> Result<ConnLimits, ServerError> {
        if self.idle_timeout.is_zero() || self.header_timeout.is_zero() {
            return Err(ServerError::Config(
                "--idle-timeout and --header-timeout must be longer than 0".into(),
            ));
        }
        Ok(ConnLimits {
            idle_timeout: self.idle_timeout,
            header_timeout: self.header_timeout,
            max_connections: match self.max_connections {
                Some(n) => n as usize,
                None => crate::server::conn::default_cap(),
            },
        })
    }
}

/// Runs `serve-api`: prints `listening on http://ADDR` (one line, flushed) once listening,
/// then serves until SIGINT/SIGTERM (or stdin closing with `--exit-on-stdin-close`), and
/// says which.
pub fn run_serve(args: &ServeArgs) -> Result<Stopped, ServerError> {
    let config = args.to_config()?;
    serve_blocking(config, args.limits()?, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::time::Duration;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        let argv = std::iter::once("serve-api").chain(args.iter().copied());
        Cli::try_parse_from(argv).map(|cli| cli.serve)
    }

    #[test]
    fn defaults_are_loopback_and_fault_free() {
        let config = parse(&[]).expect("no flags").to_config().expect("valid");
        assert_eq!(config, ServerConfig::default());
    }

    #[test]
    fn flags_convert_and_round_trip() {
        let args = parse(&[
            "--addr",
            "localhost:0",
            "--latency",
            "50ms",
            "--jitter",
            "5ms",
            "--jitter-dist",
            "exponential",
            "--error-rate",
            "0.1",
            "--rate-limit",
            "100/s",
            "--concurrency",
            "4",
            "--no-keepalive",
            "--tenants",
            "7",
        ])
        .expect("valid flags");
        let config = args.to_config().expect("valid config");
        assert_eq!(config.latency, Duration::from_millis(50));
        assert_eq!(config.rate_limit, Some(100.0));
        assert!(!config.keepalive);
        let text = config_to_args(&config);
        let refs: Vec<&str> = text.iter().map(String::as_str).collect();
        let back = parse(&refs).expect("generated flags parse");
        assert_eq!(back.to_config().expect("valid"), config);
    }

    #[test]
    fn bad_values_are_refused_with_the_value_named() {
        assert!(parse(&["--latency", "fast"]).is_err());
        assert!(parse(&["--rate-limit", "0"]).is_err());
        let remote = parse(&["--addr", "0.0.0.0:0"]).expect("parses");
        let err = remote.to_config().expect_err("remote refused").to_string();
        assert!(
            err.contains("0.0.0.0") && err.contains("--allow-remote"),
            "{err}"
        );
        let allowed = parse(&["--addr", "0.0.0.0:0", "--allow-remote"]).expect("parses");
        assert!(allowed.to_config().is_ok());
    }
}
