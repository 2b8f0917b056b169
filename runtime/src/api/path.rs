//! The path extractor every PubNub route uses: axum's `Path`, whose
//! rejection is a [`Refusal`] in the shape of the route's API family (the
//! pattern of axum's `examples/error-handling`), so a handler never sees a
//! `PathRejection`.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::extract::rejection::PathRejection;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::refusal::Refusal;
use crate::Runtime;

/// How an API family answers a path that does not parse.
pub trait Family: Send + Sync {
    fn bad_path(runtime: &Runtime, rejection: PathRejection) -> Refusal;
}

/// `Path<T, F>`: the path's segments as `T`; a bad path is refused as the
/// family `F` refuses it. Match it as `Path(segments, _)`.
pub struct Path<T, F>(pub T, pub PhantomData<F>);

impl<T, F> FromRequestParts<Arc<Runtime>> for Path<T, F>
where
    T: DeserializeOwned + Send,
    F: Family,
{
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        runtime: &Arc<Runtime>,
    ) -> Result<Self, Refusal> {
        match axum::extract::Path::<T>::from_request_parts(parts, runtime).await {
            Ok(axum::extract::Path(segments)) => Ok(Self(segments, PhantomData)),
            Err(rejection) => Err(F::bad_path(runtime, rejection)),
        }
    }
}
