//! Access control: bearer tokens from the configuration, each with a role and a name.
//!
//! The interceptor authenticates every call of the Passerelle services (health is
//! not intercepted) and leaves the [`Caller`] in the request's extensions; handlers
//! check the role they need with [`Caller::require`].

use std::collections::HashMap;
use std::sync::Arc;

use passerelle_engine::fiche::FicheId;
use serde::Deserialize;
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// What a token may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The Bourse-partenariats portal: upsert, get, search, lookup, suggest; contact
    /// data of other collectivités removed.
    Portal,
    /// DCTCIV staff: also the review rpcs and every contact.
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

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name (for logs and as the default reviewer); never the token.
    pub name: String,
    pub role: Role,
    /// The collectivités a portal token speaks for: their contact data is returned.
    pub fiches: Vec<FicheId>,
}

impl Caller {
    /// PERMISSION_DENIED unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), Status> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Status::permission_denied(format!(
                "this call needs the {} role; token {:?} has {}",
                role.as_str(),
                self.name,
                self.role.as_str()
            )))
        }
    }

    /// Whether the caller may see the contact data of `id`.
    pub fn sees_contact_of(&self, id: &FicheId) -> bool {
        self.role >= Role::Staff || self.fiches.contains(id)
    }

    /// The caller of a request (set by [`Auth`]).
    pub fn of<T>(request: &Request<T>) -> Result<Caller, Status> {
        request
            .extensions()
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| Status::unauthenticated("no caller"))
    }
}

/// The tokens the server accepts.
#[derive(Debug, Clone, Default)]
pub struct Tokens(Arc<HashMap<String, Caller>>);

impl Tokens {
    pub fn new(tokens: impl IntoIterator<Item = (String, Caller)>) -> Tokens {
        Tokens(Arc::new(tokens.into_iter().collect()))
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
            .map(|(token, caller)| (token.as_str(), caller))
    }

    fn authenticate(&self, request: &Request<()>) -> Result<Caller, Status> {
        let header = request
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("missing `authorization: Bearer <token>`"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| Status::unauthenticated("authorization must be `Bearer <token>`"))?;
        self.0
            .get(token)
            .cloned()
            .ok_or_else(|| Status::unauthenticated("unknown token"))
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
