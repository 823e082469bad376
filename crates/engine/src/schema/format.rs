//! The `format` values inputs are checked against (JSON Schema 2020-12 §7.3), each by the RFC
//! that defines it.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Whether `s` is of the named format (one of [`FORMATS`](super::FORMATS)).
pub(super) fn format_holds(format: &str, s: &str) -> bool {
    match format {
        "date-time" => date_time(s),
        "date" => date(s),
        "time" => time(s),
        "email" => email(s),
        "uri" => url::Url::parse(s).is_ok(),
        "uuid" => uuid(s),
        "ipv4" => s.parse::<Ipv4Addr>().is_ok(),
        "ipv6" => s.parse::<Ipv6Addr>().is_ok(),
        "hostname" => hostname(s),
        _ => true,
    }
}

/// `n` ASCII digits as a number.
fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// RFC 3339 `full-date`: `YYYY-MM-DD`, a real day (leap years included).
fn date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&s[..4]), digits(&s[5..7]), digits(&s[8..])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 `full-time`: `HH:MM:SS[.frac]` then `Z` or `±HH:MM`.
fn time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (digits(&s[..2]), digits(&s[3..5]), digits(&s[6..8]))
    else {
        return false;
    };
    if h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = &s[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes().first() {
        Some(b'Z' | b'z') => rest.len() == 1,
        Some(b'+' | b'-') => {
            let o = &rest[1..];
            o.len() == 5
                && o.as_bytes()[2] == b':'
                && digits(&o[..2]).is_some_and(|h| h <= 23)
                && digits(&o[3..]).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// RFC 3339 `date-time`: a date, `T` (or `t`), a time.
fn date_time(s: &str) -> bool {
    s.len() > 11
        && s.is_char_boundary(10)
        && date(&s[..10])
        && matches!(s.as_bytes()[10], b'T' | b't')
        && time(&s[11..])
}

/// `local@domain`: a local part with no space, and a host name or a bracketed address.
fn email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    let domain_ok = match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(ip) => {
            ip.parse::<Ipv4Addr>().is_ok()
                || ip
                    .strip_prefix("IPv6:")
                    .is_some_and(|v| v.parse::<Ipv6Addr>().is_ok())
        }
        None => hostname(domain),
    };
    local_ok && domain_ok
}

/// RFC 1123 host name: dot-separated labels of 1–63 letters, digits and inner hyphens.
fn hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// RFC 4122 text form: 8-4-4-4-12 hex digits.
fn uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
