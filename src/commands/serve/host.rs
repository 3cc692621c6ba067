//! Who may talk to the preview. Two browser attacks reach a server on localhost from any web
//! page: DNS rebinding (a name the attacker controls first resolves to their server, then to
//! 127.0.0.1, so their page reads ours as same-origin) and cross-site embedding (a page that
//! `<script src>`s or `<img src>`s our files). Rebinding always carries the attacker's name
//! in `Host`, so only names that mean this machine are accepted; embedding is refused through
//! the browser's Fetch Metadata headers, and `Cross-Origin-Resource-Policy` on every answer.

use std::net::{IpAddr, SocketAddr};

/// The names and addresses `serve` answers to.
pub struct Allowed {
    pub port: u16,
    /// The address given to `--bind`, when it is one (not a name such as `localhost`).
    pub bind: Option<IpAddr>,
    /// The machine's host name, accepted only when listening on every interface.
    pub hostname: Option<String>,
}

impl Allowed {
    pub fn new(bind: &str, port: u16) -> Allowed {
        let bind: Option<IpAddr> = bind.trim_matches(['[', ']']).parse().ok();
        let hostname = bind
            .filter(IpAddr::is_unspecified)
            .and_then(|_| hostname())
            .map(|h| h.to_ascii_lowercase());
        Allowed {
            port,
            bind,
            hostname,
        }
    }

    /// Whether `host` (the `Host` header) names this server, reached at `local` (the address
    /// the connection arrived at). An IP address cannot be rebound, only a name can: every
    /// loopback address, the bound address and the one the client connected to are fine,
    /// and on a wildcard bind (0.0.0.0, ::) any address, since the client chose it. Names:
    /// `localhost` (browsers never ask DNS for it) and, on a wildcard bind, this machine's
    /// host name. A port, when given, must be ours.
    pub fn accepts(&self, host: &str, local: Option<SocketAddr>) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if port.is_some_and(|p| p != self.port) {
            return false;
        }
        let wildcard = self.bind.is_some_and(|b| b.is_unspecified());
        match name.trim_matches(['[', ']']).parse::<IpAddr>() {
            Ok(ip) => {
                ip.is_loopback()
                    || wildcard
                    || Some(ip) == self.bind
                    || local.is_some_and(|l| l.ip() == ip)
            }
            Err(_) => {
                let name = name.to_ascii_lowercase();
                name == "localhost" || self.hostname.as_deref() == Some(name.as_str())
            }
        }
    }
}

/// `name[:port]` or `[v6]:port`; `None` when malformed.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        match &host[end + 1..] {
            "" => (&host[..=end], None),
            rest => (&host[..=end], Some(rest.strip_prefix(':')?)),
        }
    } else {
        match host.rsplit_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        }
    };
    let valid = |b: u8| b.is_ascii_alphanumeric() || b"-._[]:".contains(&b);
    if name.is_empty() || !name.bytes().all(valid) {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((name, port))
}

/// Fetch Metadata resource isolation: a request another site's page made (`Sec-Fetch-Site`
/// `cross-site`, or `same-site`, which other ports of localhost are) is refused unless it
/// opens a page in a window, like following a link. Old browsers send no such header and
/// DNS rebinding is stopped by `Host` alone.
pub fn from_another_site(site: Option<&str>, mode: Option<&str>, dest: Option<&str>) -> bool {
    let foreign = matches!(site, Some("cross-site" | "same-site"));
    let opens_page = mode == Some("navigate") && matches!(dest, None | Some("document"));
    foreign && !opens_page
}

#[cfg(target_os = "linux")]
fn hostname() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    Some(name.trim().to_string()).filter(|n| !n.is_empty())
}

#[cfg(not(target_os = "linux"))]
fn hostname() -> Option<String> {
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok()
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_this_machine_are_answered() {
        let local: SocketAddr = "127.0.0.1:8000".parse().unwrap();
        let loopback = Allowed::new("127.0.0.1", 8000);
        for ok in [
            "localhost:8000",
            "LOCALHOST",
            "127.0.0.1:8000",
            "[::1]:8000",
            "127.0.0.1",
        ] {
            assert!(loopback.accepts(ok, Some(local)), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8000",
            "localhost.:8000",
            "localhost:8001",
            "localhost:",
            "192.168.1.5:8000",
            "127.0.0.1.nip.io:8000",
            "",
            "[::1",
            "a b",
        ] {
            assert!(!loopback.accepts(bad, Some(local)), "{bad}");
        }
        let lan = Allowed::new("192.168.1.5", 8000);
        assert!(lan.accepts("192.168.1.5:8000", None));
        assert!(!lan.accepts("192.168.1.6:8000", None));
        let mut any = Allowed::new("0.0.0.0", 8000);
        any.hostname = Some("laptop".into());
        assert!(any.accepts("192.168.1.6:8000", None));
        assert!(any.accepts("Laptop:8000", None));
        assert!(!any.accepts("laptop.evil.example:8000", None));
        assert!(Allowed::new("::", 8000).accepts("[fe80::1]:8000", None));
    }

    #[test]
    fn another_sites_requests_are_refused_but_links_followed() {
        assert!(from_another_site(
            Some("cross-site"),
            Some("no-cors"),
            Some("script")
        ));
        assert!(from_another_site(
            Some("same-site"),
            Some("cors"),
            Some("empty")
        ));
        assert!(from_another_site(
            Some("cross-site"),
            Some("navigate"),
            Some("iframe")
        ));
        assert!(!from_another_site(
            Some("cross-site"),
            Some("navigate"),
            Some("document")
        ));
        assert!(!from_another_site(Some("same-origin"), Some("cors"), None));
        assert!(!from_another_site(None, None, None));
    }
}
