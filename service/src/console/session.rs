//! Console sessions: a staff or admin token is exchanged once, at login, for a
//! random session id (256 bits) kept in an HttpOnly cookie; the server keeps the
//! session (who, until when) in memory. A restart ends every session.
//!
//! Login attempts are throttled: a few failures per client address per minute, and
//! a ceiling over all addresses, so tokens cannot be guessed at speed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

use crate::server::{Caller, Role, Tokens};

/// How long a session lasts after login (a working day).
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(10 * 3600);
/// Most sessions alive at once (expired ones are dropped first).
pub const MAX_SESSIONS: usize = 10_000;
/// Failed logins allowed per client address in [`FAILURE_WINDOW`].
pub const MAX_FAILURES_PER_CLIENT: u32 = 5;
/// Failed logins allowed over all addresses in [`FAILURE_WINDOW`].
pub const MAX_FAILURES_TOTAL: u32 = 100;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LoginRefusal {
    /// No configured token matches.
    UnknownToken,
    /// The token is a portal token: the console is for staff.
    PortalToken { name: String },
    /// Too many failures lately; retry after this long.
    Throttled(Duration),
    /// The session table is full.
    Full,
}

#[derive(Debug, Clone)]
struct Session {
    caller: Caller,
    expires: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    since: Instant,
    count: u32,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    failures: HashMap<Option<IpAddr>, Failures>,
    total: Option<Failures>,
}

/// The sessions of one server.
pub(crate) struct Sessions {
    tokens: Tokens,
    ttl: Duration,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Sessions {
    // Never the tokens nor the session ids.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sessions")
    }
}

impl Sessions {
    pub fn new(tokens: Tokens, ttl: Duration) -> Sessions {
        Sessions {
            tokens,
            ttl,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        crate::server::registry_lock::lock(&self.inner, "console sessions")
    }

    /// Exchanges a token for a new session id (the caller comes with it).
    pub fn login(
        &self,
        token: &str,
        client: Option<IpAddr>,
    ) -> Result<(String, Caller), LoginRefusal> {
        let now = Instant::now();
        {
            let mut inner = self.inner();
            if let Some(wait) = throttled(&mut inner, client, now) {
                return Err(LoginRefusal::Throttled(wait));
            }
        }
        let Some(caller) = self.find(token) else {
            self.failed(client, now);
            return Err(LoginRefusal::UnknownToken);
        };
        if caller.role < Role::Staff {
            self.failed(client, now);
            return Err(LoginRefusal::PortalToken { name: caller.name });
        }
        let mut inner = self.inner();
        inner.sessions.retain(|_, s| s.expires > now);
        if inner.sessions.len() >= MAX_SESSIONS {
            return Err(LoginRefusal::Full);
        }
        inner.failures.remove(&client);
        let id = new_session_id();
        inner.sessions.insert(
            id.clone(),
            Session {
                caller: caller.clone(),
                expires: now + self.ttl,
            },
        );
        Ok((id, caller))
    }

    /// The caller of a live session.
    pub fn caller(&self, id: &str) -> Option<Caller> {
        let now = Instant::now();
        let mut inner = self.inner();
        match inner.sessions.get(id) {
            Some(session) if session.expires > now => Some(session.caller.clone()),
            Some(_) => {
                inner.sessions.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends a session (logout).
    pub fn end(&self, id: &str) -> Option<Caller> {
        self.inner().sessions.remove(id).map(|s| s.caller)
    }

    /// The configured token equal to `token`, compared with every one in constant
    /// time (the typed token's length aside).
    fn find(&self, token: &str) -> Option<Caller> {
        let mut found = None;
        for (secret, caller) in self.tokens.entries() {
            if bool::from(secret.as_bytes().ct_eq(token.as_bytes())) {
                found = Some(caller.clone());
            }
        }
        found
    }

    fn failed(&self, client: Option<IpAddr>, now: Instant) {
        let mut inner = self.inner();
        inner
            .failures
            .retain(|_, f| now.duration_since(f.since) < FAILURE_WINDOW);
        let entry = inner.failures.entry(client).or_insert(Failures {
            since: now,
            count: 0,
        });
        entry.count += 1;
        let total = inner.total.get_or_insert(Failures {
            since: now,
            count: 0,
        });
        if now.duration_since(total.since) >= FAILURE_WINDOW {
            *total = Failures {
                since: now,
                count: 0,
            };
        }
        total.count += 1;
    }
}

/// How long `client` must wait before trying again, if it must.
fn throttled(inner: &mut Inner, client: Option<IpAddr>, now: Instant) -> Option<Duration> {
    let wait = |f: &Failures, max: u32| {
        let elapsed = now.duration_since(f.since);
        (f.count >= max && elapsed < FAILURE_WINDOW).then(|| FAILURE_WINDOW - elapsed)
    };
    let own = inner
        .failures
        .get(&client)
        .and_then(|f| wait(f, MAX_FAILURES_PER_CLIENT));
    let all = inner
        .total
        .as_ref()
        .and_then(|f| wait(f, MAX_FAILURES_TOTAL));
    own.max(all)
}

/// 256 random bits from the operating system, as 64 hex digits.
fn new_session_id() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions() -> Sessions {
        let caller = |name: &str, role| Caller {
            name: name.into(),
            role,
            fiches: Vec::new(),
        };
        Sessions::new(
            Tokens::new([
                (
                    "staff-token-0123456789".into(),
                    caller("dctciv", Role::Staff),
                ),
                (
                    "portal-token-0123456789".into(),
                    caller("portail", Role::Portal),
                ),
            ]),
            Duration::from_secs(60),
        )
    }

    #[test]
    fn staff_tokens_open_sessions_and_portal_tokens_do_not() {
        let s = sessions();
        let (id, caller) = s.login("staff-token-0123456789", None).unwrap();
        assert_eq!(id.len(), 64);
        assert_eq!(caller.name, "dctciv");
        assert_eq!(s.caller(&id).unwrap().role, Role::Staff);
        let (other, _) = s.login("staff-token-0123456789", None).unwrap();
        assert_ne!(id, other);
        assert_eq!(
            s.login("portal-token-0123456789", None),
            Err(LoginRefusal::PortalToken {
                name: "portail".into()
            })
        );
        assert_eq!(s.login("nope", None), Err(LoginRefusal::UnknownToken));
        assert!(s.end(&id).is_some());
        assert!(s.caller(&id).is_none());
    }

    #[test]
    fn sessions_expire() {
        let s = Sessions::new(sessions().tokens, Duration::ZERO);
        let (id, _) = s.login("staff-token-0123456789", None).unwrap();
        assert!(s.caller(&id).is_none());
    }

    #[test]
    fn failed_logins_are_throttled_per_client() {
        let s = sessions();
        let a: Option<IpAddr> = Some("10.0.0.1".parse().unwrap());
        let b: Option<IpAddr> = Some("10.0.0.2".parse().unwrap());
        for _ in 0..MAX_FAILURES_PER_CLIENT {
            assert_eq!(s.login("wrong", a), Err(LoginRefusal::UnknownToken));
        }
        assert!(matches!(
            s.login("staff-token-0123456789", a),
            Err(LoginRefusal::Throttled(_))
        ));
        assert!(s.login("staff-token-0123456789", b).is_ok());
    }
}
