//! Which database to use: parsing `--db` strings and printing them without passwords.

use super::DbError;
use std::fmt;
use std::path::{Path, PathBuf};

/// File name of the default SQLite database inside a run (or cache) directory.
pub const DEFAULT_SQLITE_FILE: &str = "boundscope.sqlite";

/// Where a SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlitePath {
    /// A database file (created when missing).
    File(PathBuf),
    /// A private in-memory database, gone when the run ends.
    Memory,
}

/// A database the workloads can write to.
#[derive(Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(SqlitePath),
    /// A `postgres://` or `postgresql://` URL (it may hold a password: print with `Display`).
    Postgres(String),
}

const ACCEPTED: &str = "accepted: `sqlite`, `sqlite:PATH`, `sqlite::memory:` (or `:memory:`), \
                        `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` or `postgresql://...`";

impl DbTarget {
    /// Parses a `--db` value; plain `sqlite` means `boundscope.sqlite` in the current
    /// directory (use `parse_in` to put it into a run directory).
    pub fn parse(s: &str) -> Result<DbTarget, DbError> {
        Self::parse_in(s, Path::new("."))
    }

    /// Parses a `--db` value; plain `sqlite` means `boundscope.sqlite` inside `run_dir`.
    pub fn parse_in(s: &str, run_dir: &Path) -> Result<DbTarget, DbError> {
        let value = s.trim();
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(value.to_string()));
        }
        if lower == "sqlite" {
            return Ok(DbTarget::Sqlite(SqlitePath::File(
                run_dir.join(DEFAULT_SQLITE_FILE),
            )));
        }
        if value == ":memory:" || lower == "sqlite::memory:" {
            return Ok(DbTarget::Sqlite(SqlitePath::Memory));
        }
        if let Some(path) = value
            .strip_prefix("sqlite:")
            .or(value.strip_prefix("SQLITE:"))
        {
            let path = path.strip_prefix("//").unwrap_or(path);
            if !path.is_empty() {
                return Ok(DbTarget::Sqlite(SqlitePath::File(PathBuf::from(path))));
            }
        }
        Err(DbError::BadTarget(format!(
            "unknown database `{}`; {ACCEPTED}",
            mask_password(value)
        )))
    }

    /// The database file a `sqlite:PATH` value names (`None` for other databases, and for
    /// plain `sqlite`, whose file goes into a directory of the run's own).
    pub fn named_file(db: &str) -> Option<PathBuf> {
        if db.trim().eq_ignore_ascii_case("sqlite") {
            return None;
        }
        match DbTarget::parse(db) {
            Ok(DbTarget::Sqlite(SqlitePath::File(path))) => Some(path),
            _ => None,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbTarget::Sqlite(_))
    }

    /// True for an in-memory SQLite database (one connection must serve every worker).
    pub fn is_memory(&self) -> bool {
        matches!(self, DbTarget::Sqlite(SqlitePath::Memory))
    }
}

/// Refuses a database path that is there but is not a regular file (a link to one is fine):
/// SQLite would open `/dev/null`, write `/dev/null-journal` beside it and fail only later.
/// Refuses a read-only file or directory too: SQLite opens a read-only file for reading
/// without a word, then fails at the first write ("disk I/O error" in delete-journal mode)
/// and may leave `-wal` and `-shm` files behind; it writes its journal beside the file, so
/// the directory must take new files even when the file itself is writable.
pub fn check_sqlite_file(path: &Path) -> Result<(), DbError> {
    let refuse = |why: String| {
        DbError::BadTarget(format!(
            "--db sqlite:{}: {why}",
            crate::sanitize::name(&path.display().to_string())
        ))
    };
    match path.metadata() {
        Ok(meta) if !meta.is_file() => {
            return Err(refuse(
                "it is not a regular file; give a database file or the name of a new one".into(),
            ))
        }
        Ok(_) if !writable(path) => {
            return Err(refuse(
                "the file is read-only; the import writes to it".into(),
            ))
        }
        _ => {}
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if dir.is_dir() && !writable(dir) {
        return Err(refuse(format!(
            "the directory {} is read-only; SQLite writes its journal (`-journal` or `-wal` \
             and `-shm` files) beside the database",
            crate::sanitize::name(&dir.display().to_string())
        )));
    }
    Ok(())
}

/// Whether this process may write to `path` (a read-only file system counts, as for root).
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return true;
    };
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

impl fmt::Display for DbTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbTarget::Sqlite(SqlitePath::Memory) => write!(f, "sqlite::memory:"),
            DbTarget::Sqlite(SqlitePath::File(path)) => write!(f, "sqlite:{}", path.display()),
            DbTarget::Postgres(url) => write!(f, "{}", mask_password(url)),
        }
    }
}

impl fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbTarget({self})")
    }
}

/// The standard (libpq) variable a PostgreSQL URL without a password takes it from, so
/// that the password need not be typed into a command line, where `ps` shows it.
pub const PASSWORD_ENV: &str = "PGPASSWORD";

/// The environment variable naming a PostgreSQL server (`postgres://USER@HOST/DB`) for the
/// scenarios that need one and for the UI's `--db` choices.
pub const SERVER_ENV: &str = "BOUNDSCOPE_PG";

/// `url` with the password from [`PASSWORD_ENV`] when the URL names a user but gives no
/// password (a password in the URL wins, as with libpq). Only for PostgreSQL URLs.
pub fn with_env_password(url: &str) -> String {
    match std::env::var(PASSWORD_ENV) {
        Ok(password) if !password.is_empty() => with_password(url, &password),
        _ => url.to_string(),
    }
}

/// `url` with `password` (percent-encoded) after its user name, unless it has one already.
fn with_password(url: &str, password: &str) -> String {
    let Some(user_end) = passwordless_user_end(url) else {
        return url.to_string();
    };
    if mask_query_password(url) != url {
        return url.to_string();
    }
    let encoded: String = password
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{}:{encoded}{}", &url[..user_end], &url[user_end..])
}

/// Where the user name of `scheme://user@host...` ends, when it has no `:password`.
fn passwordless_user_end(url: &str) -> Option<usize> {
    let rest_start = url.find("://")? + 3;
    let rest = &url[rest_start..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    (!authority[..at].contains(':') && at > 0).then_some(rest_start + at)
}

/// Replaces the password in a URL (`user:secret@` and `password=secret`) with `***`.
pub fn mask_password(url: &str) -> String {
    let masked = mask_userinfo(url);
    mask_query_password(&masked)
}

fn mask_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..rest_start],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

/// `url` without the password of its `user:password@` part, and that password
/// (percent-decoded), so a child can get the URL on its command line and the password in
/// [`PASSWORD_ENV`]. `None` when the URL has no such password.
pub fn split_password(url: &str) -> Option<(String, String)> {
    let rest_start = url.find("://")? + 3;
    let rest = &url[rest_start..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    let password = percent_decode(&authority[colon + 1..at]);
    let bare = format!("{}{}", &url[..rest_start + colon], &url[rest_start + at..]);
    Some((bare, password))
}

/// `%XX` escapes decoded; anything else (including a malformed escape) kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn mask_query_password(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_string();
    };
    let (head, query) = url.split_at(q + 1);
    let parts: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => part.to_string(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_splits_off_and_comes_back_the_same() {
        let url = "postgres://me:p%40ss%3Aw0rd@db.example:5432/app?sslmode=disable";
        let (bare, password) = split_password(url).expect("has a password");
        assert_eq!(bare, "postgres://me@db.example:5432/app?sslmode=disable");
        assert_eq!(password, "p@ss:w0rd");
        assert_eq!(with_password(&bare, &password), url);
        assert_eq!(split_password("postgres://me@host/db"), None);
        assert_eq!(split_password("sqlite::memory:"), None);
    }

    #[test]
    fn a_password_is_added_only_where_none_is_given() {
        let pw = "p@ss:w/rd %";
        assert_eq!(
            with_password("postgres://u@h:5/db?sslmode=disable", pw),
            "postgres://u:p%40ss%3Aw%2Frd%20%25@h:5/db?sslmode=disable"
        );
        for kept in [
            "postgres://u:given@h/db",
            "postgres://u@h/db?password=given",
            "postgres://h/db",
            "postgres://@h/db",
        ] {
            assert_eq!(with_password(kept, pw), kept);
        }
        let config: ::postgres::Config = with_password("postgres://u@h/db", pw)
            .parse()
            .expect("a URL the driver reads");
        assert_eq!(config.get_password(), Some(pw.as_bytes()));
    }

    #[test]
    fn parses_every_accepted_form() {
        let dir = Path::new("/runs/1");
        let sqlite = DbTarget::parse_in("sqlite", dir).expect("sqlite");
        assert_eq!(
            sqlite,
            DbTarget::Sqlite(SqlitePath::File(dir.join(DEFAULT_SQLITE_FILE)))
        );
        let file = DbTarget::parse_in("sqlite:/tmp/x.db", dir).expect("file");
        assert_eq!(file, DbTarget::Sqlite(SqlitePath::File("/tmp/x.db".into())));
        for memory in ["sqlite::memory:", ":memory:"] {
            assert!(DbTarget::parse_in(memory, dir).expect("memory").is_memory());
        }
        let pg = DbTarget::parse_in("postgresql://u@h/db", dir).expect("pg");
        assert_eq!(pg, DbTarget::Postgres("postgresql://u@h/db".into()));
    }

    #[test]
    fn rejects_unknown_values_naming_them_and_the_accepted_forms() {
        for bad in ["mysql://root@h/db", "", "sqlite:", "oracle"] {
            let err = DbTarget::parse_in(bad, Path::new("."))
                .expect_err(bad)
                .to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
            assert!(
                err.contains("sqlite:PATH") && err.contains("postgres://"),
                "{err}"
            );
        }
        let err = DbTarget::parse("mysql://root:hunter2@h/db").expect_err("mysql");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn display_never_prints_a_password() {
        let t = DbTarget::Postgres(
            "postgres://bob:s3cr%40t@db.example:5433/app?sslmode=disable".into(),
        );
        let shown = t.to_string();
        assert_eq!(
            shown,
            "postgres://bob:***@db.example:5433/app?sslmode=disable"
        );
        let q = mask_password("postgres://h/db?user=x&password=s3cret");
        assert_eq!(q, "postgres://h/db?user=x&password=***");
        assert!(!format!("{t:?}").contains("s3cr"));
        assert_eq!(mask_password("postgres://bob@h/db"), "postgres://bob@h/db");
    }
}
