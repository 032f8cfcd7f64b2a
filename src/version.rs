//! fastlane versions (`major.minor.patch`), as read from `Gemfile.lock` or `--fastlane-version`.

use std::fmt;
use std::str::FromStr;

/// A fastlane release number. Pre-release suffixes (`2.220.0.rc1`) are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }
}

/// The newest fastlane release the knowledge table was checked against.
pub const NEWEST_KNOWN: Version = Version::new(2, 237, 0);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for Version {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.trim().split('.');
        let mut next = |what: &str, required: bool| -> Result<u32, String> {
            match parts.next() {
                Some(p) => p
                    .parse::<u32>()
                    .map_err(|_| format!("`{s}` is not a version: {what} `{p}` is not a number")),
                None if required => Err(format!("`{s}` is not a version: expected X.Y.Z")),
                None => Ok(0),
            }
        };
        let major = next("major", true)?;
        let minor = next("minor", true)?;
        let patch = next("patch", false)?;
        Ok(Version::new(major, minor, patch))
    }
}

/// Reads the locked fastlane version from a `Gemfile.lock`: the `    fastlane (X.Y.Z)` line under `specs:`.
pub fn from_gemfile_lock(text: &str) -> Option<Version> {
    let mut in_specs = false;
    for line in text.lines() {
        let trimmed = line.trim_end();
        if trimmed.trim_start() == "specs:" {
            in_specs = true;
            continue;
        }
        if !line.starts_with(' ') {
            in_specs = false;
            continue;
        }
        if !in_specs {
            continue;
        }
        // Specs are indented four spaces; their dependencies six.
        let indent = line.len() - line.trim_start().len();
        if indent != 4 {
            continue;
        }
        if let Some(rest) = trimmed.trim_start().strip_prefix("fastlane (") {
            let version = rest.trim_end_matches(')');
            let numeric: String = version
                .split('.')
                .take_while(|p| p.chars().all(|c| c.is_ascii_digit()))
                .collect::<Vec<_>>()
                .join(".");
            return numeric.parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let a: Version = "2.190.0".parse().unwrap();
        assert_eq!(a, Version::new(2, 190, 0));
        assert!(a < Version::new(2, 197, 0));
        assert_eq!("2.1".parse::<Version>().unwrap(), Version::new(2, 1, 0));
        assert!("two".parse::<Version>().is_err());
        assert!("2".parse::<Version>().is_err());
    }

    #[test]
    fn reads_gemfile_lock() {
        let lock = "GEM\n  remote: https://rubygems.org/\n  specs:\n    fastlane (2.190.0)\n      CFPropertyList (>= 2.3, < 4.0.0)\n    fastlane-plugin-x (0.1.0)\n      fastlane (>= 2.0)\n\nDEPENDENCIES\n  fastlane\n";
        assert_eq!(from_gemfile_lock(lock), Some(Version::new(2, 190, 0)));
        let dep_only = "GEM\n  specs:\n    fastlane-plugin-x (0.1.0)\n      fastlane (>= 2.0)\n";
        assert_eq!(from_gemfile_lock(dep_only), None);
        let rc = "GEM\n  specs:\n    fastlane (2.220.0.rc1)\n";
        assert_eq!(from_gemfile_lock(rc), Some(Version::new(2, 220, 0)));
    }
}
