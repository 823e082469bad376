//! Origins (RFC 6454 §4: scheme, host, port): the one check that decides whether a URL the API
//! names — a redirect's `Location`, later a next-page link — may receive the request's
//! credentials.

use url::Url;

/// How a URL the API named relates to the URL the request was sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// Same scheme, host and port: credentials may go there.
    SameOrigin,
    /// Another host or port (or http → https): the request may go there, its credentials
    /// never.
    OtherOrigin,
    /// From `https` to plain `http` (or to any other scheme): never followed, since the request
    /// would travel in clear.
    Downgrade,
}

/// Compares `to` with `from`. A default port counts as written out (`https://h` is
/// `https://h:443`), and host names compare case-insensitively, as the `url` crate normalises
/// them.
pub fn crossing(from: &Url, to: &Url) -> Crossing {
    let secure = |u: &Url| u.scheme() == "https";
    let known = |u: &Url| matches!(u.scheme(), "http" | "https");
    if !known(to) || (secure(from) && !secure(to)) {
        return Crossing::Downgrade;
    }
    if from.origin() == to.origin() {
        Crossing::SameOrigin
    } else {
        Crossing::OtherOrigin
    }
}

/// `scheme://host:port` of a URL, for messages (no path, query or user info).
pub fn display(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn same_origin_ignores_path_query_and_default_port() {
        let from = url("https://api.example.com/v1/users?limit=5");
        assert_eq!(
            crossing(&from, &url("https://API.example.com:443/v2/x")),
            Crossing::SameOrigin
        );
    }

    #[test]
    fn another_port_or_host_is_another_origin() {
        let from = url("http://127.0.0.1:8080/api");
        assert_eq!(
            crossing(&from, &url("http://127.0.0.1:8081/api")),
            Crossing::OtherOrigin
        );
        assert_eq!(
            crossing(&from, &url("http://localhost:8080/api")),
            Crossing::OtherOrigin
        );
        assert_eq!(
            crossing(&from, &url("https://127.0.0.1:8080/api")),
            Crossing::OtherOrigin
        );
    }

    #[test]
    fn https_to_http_or_another_scheme_is_a_downgrade() {
        let from = url("https://api.example.com/");
        assert_eq!(
            crossing(&from, &url("http://api.example.com/")),
            Crossing::Downgrade
        );
        assert_eq!(
            crossing(&from, &url("ftp://api.example.com/")),
            Crossing::Downgrade
        );
    }

    #[test]
    fn display_shows_only_the_origin() {
        assert_eq!(
            display(&url("https://user:pw@api.example.com:8443/x?key=1")),
            "https://api.example.com:8443"
        );
    }
}
