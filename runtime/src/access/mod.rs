//! Access Manager: on when the keyset has a secret key (`--secret-key`).
//!
//! - [`signature`]: requests signed with the secret key (the server role).
//! - [`token`]: v3 tokens (grant token / revoke), CBOR, server-signed.
//! - [`grants`]: v2 grants per auth key, in sled with a TTL.
//! - [`revocations`]: revoked tokens, in sled.
//! - [`policy`]: which permission each endpoint needs.
//! - [`replay`]: signed requests seen twice inside the clock-skew window.
//! - [`error`]: why a request was refused (the HTTP API renders it, and
//!   applies all of this to every request in its Access Manager layer).
//! - [`user_token`]: what a Pigdin user's token allows (their own channels).
//!
//! Without a secret key every request is allowed, as before.

pub mod error;
pub mod grants;
pub mod permission;
pub mod policy;
pub mod replay;
pub mod revocations;
pub mod signature;
pub mod token;
pub mod user_token;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::RwLock;
use serde_json::Value;

pub use error::{AccessError, Denied};
use grants::Grants;
pub use permission::{Permission, Requirement, ResourceKind};
use revocations::Revocations;
use signature::SignedRequest;
use token::{PatternCache, Token, VerifiedToken};

use crate::Config;
use crate::store::GroupCommit;

pub struct AccessManager {
    secret_key: Option<String>,
    publish_key: String,
    subscribe_key: String,
    pub grants: Grants,
    pub revocations: Revocations,
    patterns: PatternCache,
    /// Tokens whose signature already checked out, so a client's repeated
    /// requests skip the base64, CBOR and HMAC work (expiry and revocation
    /// are still checked every time). Cleared when full.
    verified: RwLock<HashMap<String, Arc<VerifiedToken>>>,
    seen_signatures: replay::SeenSignatures,
}

/// How many verified tokens [`AccessManager`] remembers.
const VERIFIED_TOKEN_CACHE: usize = 10_000;

/// Unix seconds now.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl AccessManager {
    pub fn open(config: &Config, db: &sled::Db, commit: Arc<GroupCommit>) -> anyhow::Result<Self> {
        let revocations = Revocations::open(db, commit.clone())?;
        revocations.purge_expired(now_secs())?;
        Ok(Self {
            secret_key: config.secret_key.clone().filter(|k| !k.is_empty()),
            publish_key: config.publish_key.clone(),
            subscribe_key: config.subscribe_key.clone(),
            grants: Grants::open(db, commit)?,
            revocations,
            patterns: PatternCache::default(),
            verified: RwLock::default(),
            seen_signatures: replay::SeenSignatures::default(),
        })
    }

    pub fn enabled(&self) -> bool {
        self.secret_key.is_some()
    }

    fn secret(&self) -> Result<&str, AccessError> {
        self.secret_key.as_deref().ok_or_else(|| {
            AccessError::BadRequest(
                "Access Manager is off: start `pigdin serve` with --secret-key (or PIGDIN_SECRET_KEY) to grant permissions".into(),
            )
        })
    }

    /// Ok when the request carries a valid signature made with the secret key.
    /// A request with a `requestid` (the JS SDK's, unique per request) is
    /// accepted once; see [`replay`].
    pub fn verify_signature(&self, request: &SignedRequest<'_>) -> Result<(), AccessError> {
        let now = now_secs() as i64;
        signature::verify(
            self.secret()?,
            &self.subscribe_key,
            &self.publish_key,
            request,
            now,
        )?;
        let param = |name: &str| request.params.iter().find(|(k, _)| k == name);
        if let (Some(_), Some((_, signature))) = (param("requestid"), param("signature"))
            && !self
                .seen_signatures
                .first_use(signature, now, signature::CLOCK_SKEW_SECS)
        {
            return Err(AccessError::Denied(
                "Replayed request: this signed request (same requestid and signature) was already received".into(),
            ));
        }
        Ok(())
    }

    /// The token an `auth` parameter carries, its signature, expiry and
    /// revocation checked; `None` when it is a v2 auth key instead. A token
    /// seen before is recognised by the cache alone, without looking at its
    /// shape again.
    fn token_in(&self, auth: &str) -> Result<Option<Arc<VerifiedToken>>, AccessError> {
        let verified = match self.cached_token(auth) {
            Some(verified) => verified,
            None if token::looks_like_token(auth) => self.decode_token(auth)?,
            None => return Ok(None),
        };
        self.check_token_is_live(verified).map(Some)
    }

    fn cached_token(&self, text: &str) -> Option<Arc<VerifiedToken>> {
        self.verified.read().get(text).cloned()
    }

    /// Decodes and verifies a token not seen before, and remembers it.
    fn decode_token(&self, text: &str) -> Result<Arc<VerifiedToken>, AccessError> {
        let verified = Arc::new(token::decode_and_verify(self.secret()?, text)?);
        let mut cache = self.verified.write();
        if cache.len() >= VERIFIED_TOKEN_CACHE {
            cache.clear();
        }
        cache.insert(text.to_owned(), verified.clone());
        Ok(verified)
    }

    /// Refuses a verified token that has since expired or been revoked.
    fn check_token_is_live(
        &self,
        verified: Arc<VerifiedToken>,
    ) -> Result<Arc<VerifiedToken>, AccessError> {
        let now = now_secs();
        if verified.token.expires_at() <= now {
            return Err(AccessError::Denied(format!(
                "Token is expired: it was valid for {} minutes from {}; request a new one",
                verified.token.ttl_minutes, verified.token.timestamp
            )));
        }
        if self.revocations.is_revoked(&verified.signature) {
            return Err(AccessError::Denied(
                "Token is revoked; request a new one".into(),
            ));
        }
        Ok(verified)
    }

    /// Checks a client request (not signed) against its token or auth key.
    /// `auth` is the request's `auth` parameter, `uuid` its `uuid`.
    pub fn authorize(
        &self,
        requirements: &[Requirement],
        auth: Option<&str>,
        uuid: Option<&str>,
    ) -> Result<(), AccessError> {
        if requirements.contains(&Requirement::ServerOnly) {
            return Err(AccessError::Denied(
                "Forbidden: this endpoint needs a request signed with the secret key (the server role)".into(),
            ));
        }
        let token = match auth {
            Some(text) => self.token_in(text)?,
            None => None,
        };
        if let Some(authorized) = token
            .as_ref()
            .and_then(|t| t.token.authorized_uuid.as_deref())
            && uuid != Some(authorized)
        {
            return Err(AccessError::Denied(format!(
                "Forbidden: the token is authorized for uuid {authorized:?} only, and this request's uuid is {:?}",
                uuid.unwrap_or_default()
            )));
        }
        let now = now_secs();
        let mut denied = Denied::default();
        for requirement in requirements {
            let allowed = match (requirement, &token) {
                (
                    Requirement::On {
                        kind,
                        name,
                        permission,
                    },
                    Some(verified),
                ) => verified
                    .token
                    .allows(*kind, name, *permission, &self.patterns),
                (
                    Requirement::On {
                        kind,
                        name,
                        permission,
                    },
                    None,
                ) => self
                    .grants
                    .allows(&Some((*kind, name.clone())), auth, *permission, now),
                // Tokens cannot name the keyset; only v2 keyset grants can.
                (Requirement::Keyset(_), Some(_)) => false,
                (Requirement::Keyset(permission), None) => {
                    self.grants.allows(&None, auth, *permission, now)
                }
                (Requirement::ServerOnly, _) => false,
            };
            if !allowed {
                match requirement {
                    Requirement::On { kind, name, .. } => {
                        let set = match kind {
                            ResourceKind::Channel => &mut denied.channels,
                            ResourceKind::Group => &mut denied.groups,
                            ResourceKind::Uuid => &mut denied.uuids,
                        };
                        set.insert(name.clone());
                    }
                    _ => denied.keyset = true,
                }
            }
        }
        if denied.is_empty() {
            Ok(())
        } else {
            Err(AccessError::Forbidden(denied))
        }
    }

    /// Issues a token for a v3 grant body (`{"ttl", "permissions": {..}}`).
    pub fn grant_token(&self, body: &Value) -> Result<String, AccessError> {
        let secret = self.secret()?;
        let token: Token =
            token::from_grant_request(body, now_secs()).map_err(AccessError::BadRequest)?;
        Ok(token.encode(secret))
    }

    /// Revokes a token this server issued; until it would have expired,
    /// every request carrying it is refused.
    pub async fn revoke_token(&self, text: &str) -> Result<(), AccessError> {
        let verified = token::decode_and_verify(self.secret()?, text)?;
        self.revocations
            .revoke(&verified.signature, verified.token.expires_at())
            .await
            .map_err(|e| AccessError::Internal(format!("cannot record the revocation: {e:#}")))
    }
}
