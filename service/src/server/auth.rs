//! Access control: bearer tokens from the configuration, each with a role, a name and,
//! for a portal, the fiches it speaks for.
//!
//! The interceptor authenticates every call of the Passerelle services (health is
//! not intercepted) and leaves the [`Caller`] in the request's extensions; handlers
//! check the role they need with [`Caller::require`] and, before a write of fiches,
//! that the caller may write each of them ([`Caller::require_write`]).
//!
//! A presented token is compared with every configured one in constant time: each is
//! padded to [`MAX_TOKEN_BYTES`] and compared whole, lengths included, so the time
//! taken says nothing of how much of a token was right.

use std::sync::Arc;

use passerelle_engine::fiche::{FicheId, quote};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// Longest token accepted, in bytes (configured and presented).
pub const MAX_TOKEN_BYTES: usize = 256;

/// What a token may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The Bourse-partenariats portal: upsert (of the fiches it speaks for), get,
    /// search, lookup, suggest; contact data of other collectivités removed.
    Portal,
    /// DCTCIV staff: also the review and batch rpcs, every contact, every fiche
    /// written.
    Staff,
    /// Also deletes fiches.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Portal => "portal",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }
}

/// A fiche a portal token speaks for: one id, or every id with a prefix (a portal
/// acting for many collectivités, `FR-COM-33`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    Fiche(FicheId),
    Prefix(String),
}

impl Grant {
    fn covers(&self, id: &str) -> bool {
        match self {
            Grant::Fiche(fiche) => fiche.as_str() == id,
            Grant::Prefix(prefix) => id.starts_with(prefix.as_str()),
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name (for logs and as the default reviewer); never the token.
    pub name: String,
    pub role: Role,
    /// The collectivités a portal token speaks for: it may write them, and their
    /// contact data is returned to it. Staff and admin need none.
    pub fiches: Vec<Grant>,
}

impl Caller {
    /// PERMISSION_DENIED unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), Status> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Status::permission_denied(format!(
                "cet appel demande le rôle {} ; le jeton {} a le rôle {}",
                role.as_str(),
                quote(&self.name),
                self.role.as_str()
            )))
        }
    }

    /// Whether the caller speaks for `id` (staff and admin speak for every fiche).
    fn speaks_for(&self, id: &str) -> bool {
        self.role >= Role::Staff || self.fiches.iter().any(|grant| grant.covers(id))
    }

    /// Whether the caller may see the contact data of `id`.
    pub fn sees_contact_of(&self, id: &FicheId) -> bool {
        self.speaks_for(id.as_str())
    }

    /// PERMISSION_DENIED naming `field` unless the caller may write the fiche `id`
    /// (as given: checked before the fiche is read, so a refused write costs nothing).
    pub fn require_write(&self, field: &str, id: &str) -> Result<(), Status> {
        if self.speaks_for(id) {
            return Ok(());
        }
        let status = Status::permission_denied(format!(
            "le jeton {} n'écrit que les fiches des collectivités pour lesquelles il est configuré (`fiches`, `fiche_prefix`), pas {} ; rien n'a été écrit",
            quote(&self.name),
            quote(id)
        ));
        Err(super::status::in_field(field, status))
    }

    /// The caller of a request (set by [`Auth`]).
    pub fn of<T>(request: &Request<T>) -> Result<Caller, Status> {
        request
            .extensions()
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| Status::unauthenticated("appel non authentifié"))
    }
}

/// A configured token, padded for comparison in constant time.
struct Secret {
    token: String,
    padded: [u8; MAX_TOKEN_BYTES],
    len: u64,
}

impl Secret {
    fn new(token: &str) -> Option<Secret> {
        let bytes = token.as_bytes();
        if bytes.len() > MAX_TOKEN_BYTES {
            return None;
        }
        let mut padded = [0u8; MAX_TOKEN_BYTES];
        padded[..bytes.len()].copy_from_slice(bytes);
        Some(Secret {
            token: token.to_owned(),
            padded,
            len: bytes.len() as u64,
        })
    }

    /// Equal, in a time that depends on neither token.
    fn matches(&self, other: &Secret) -> bool {
        bool::from(self.padded.ct_eq(&other.padded) & self.len.ct_eq(&other.len))
    }
}

/// The tokens the server accepts.
#[derive(Clone, Default)]
pub struct Tokens(Arc<Vec<(Secret, Caller)>>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the tokens.
        f.debug_list()
            .entries(self.0.iter().map(|(_, caller)| &caller.name))
            .finish()
    }
}

impl Tokens {
    /// The table; tokens longer than [`MAX_TOKEN_BYTES`] are left out (the
    /// configuration refuses them first, naming them).
    pub fn new(tokens: impl IntoIterator<Item = (String, Caller)>) -> Tokens {
        let table = tokens
            .into_iter()
            .filter_map(|(token, caller)| Secret::new(&token).map(|secret| (secret, caller)))
            .collect();
        Tokens(Arc::new(table))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every token with its caller (the console compares a typed token with each in
    /// constant time).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &Caller)> {
        self.0
            .iter()
            .map(|(secret, caller)| (secret.token.as_str(), caller))
    }

    /// The caller whose token is `token`: every configured token is compared, each
    /// in constant time.
    pub fn find(&self, token: &str) -> Option<&Caller> {
        let presented = Secret::new(token)?;
        let mut found = None;
        for (secret, caller) in self.0.iter() {
            if secret.matches(&presented) {
                found = Some(caller);
            }
        }
        found
    }

    fn authenticate(&self, request: &Request<()>) -> Result<Caller, Status> {
        let header = request.metadata().get("authorization").ok_or_else(|| {
            Status::unauthenticated("métadonnée `authorization: Bearer <jeton>` manquante")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                Status::unauthenticated("`authorization` doit être de la forme `Bearer <jeton>`")
            })?;
        self.find(token)
            .cloned()
            .ok_or_else(|| Status::unauthenticated("jeton inconnu"))
    }
}

/// The interceptor: authenticates and records the [`Caller`].
#[derive(Debug, Clone)]
pub struct Auth(pub Tokens);

impl Interceptor for Auth {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let caller = self.0.authenticate(&request)?;
        request.extensions_mut().insert(caller);
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal(grants: Vec<Grant>) -> Caller {
        Caller {
            name: "portail".into(),
            role: Role::Portal,
            fiches: grants,
        }
    }

    #[test]
    fn tokens_are_found_whole_and_only_whole() {
        let tokens = Tokens::new([
            ("token-a-0123456789".to_owned(), portal(Vec::new())),
            ("token-b-0123456789".to_owned(), portal(Vec::new())),
        ]);
        assert!(tokens.find("token-a-0123456789").is_some());
        assert!(tokens.find("token-a-012345678").is_none());
        assert!(tokens.find("token-a-01234567890").is_none());
        assert!(tokens.find("").is_none());
        assert!(tokens.find(&"x".repeat(MAX_TOKEN_BYTES + 1)).is_none());
        // Padding is no token: a token and the same with trailing NULs differ.
        assert!(tokens.find("token-a-0123456789\0").is_none());
        assert!(!format!("{tokens:?}").contains("token-a"));
    }

    #[test]
    fn a_portal_writes_its_fiches_and_those_under_its_prefix_only() {
        let id = |s: &str| FicheId::parse(s).unwrap();
        let caller = portal(vec![
            Grant::Fiche(id("FR-COM-13055")),
            Grant::Prefix("FR-COM-33".into()),
        ]);
        assert!(caller.require_write("fiches[0].id", "FR-COM-13055").is_ok());
        assert!(caller.require_write("fiches[0].id", "FR-COM-33063").is_ok());
        assert!(caller.sees_contact_of(&id("FR-COM-33063")));
        let denied = caller
            .require_write("fiches[1].id", "FR-COM-31555")
            .unwrap_err();
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
        assert!(denied.message().contains("fiches[1].id"), "{denied:?}");
        assert!(!caller.sees_contact_of(&id("FR-COM-31555")));
        let staff = Caller {
            role: Role::Staff,
            ..portal(Vec::new())
        };
        assert!(staff.require_write("fiches[0].id", "BJ-MUN-1").is_ok());
    }
}
