//! The API's routes and handlers; every JSON answer carries `x-content-digest`.

use super::data::{Dataset, ErrorBody};
use super::faults::{self, Faults};
use super::stats::Stats;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Header holding the xxh3 (hex, 16 digits) of the response body.
pub const DIGEST_HEADER: &str = "x-content-digest";
/// Most symbols one `/prices` request may ask for.
pub const MAX_BATCH: usize = 1000;

/// What every handler shares.
pub struct AppState {
    pub data: Dataset,
    pub stats: Arc<Stats>,
    pub faults: Faults,
}

/// The digest clients compare with `x-content-digest`.
pub fn content_digest(body: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(body))
}

/// Serialises `value` as the body of a `status` answer, with its digest.
pub fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => respond(status, body),
        Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// A JSON error answer: `{"error": message, "status": code}`.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    let body = ErrorBody {
        error: message.to_string(),
        status: status.as_u16(),
    };
    respond(status, serde_json::to_vec(&body).unwrap_or_default())
}

fn respond(status: StatusCode, body: Vec<u8>) -> Response {
    let digest = content_digest(&body);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&digest) {
        headers.insert(DIGEST_HEADER, value);
    }
    response
}

fn found<T: Serialize>(value: Option<T>, what: &str) -> Response {
    match value {
        Some(v) => json_response(StatusCode::OK, &v),
        None => json_error(StatusCode::NOT_FOUND, &format!("unknown {what}")),
    }
}

/// The router with its fault middleware.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/stats", get(stats))
        .route("/tenants", get(tenants))
        .route("/tenants/{id}/connections", get(connections))
        .route("/companies", get(companies))
        .route("/companies/{symbol}", get(company))
        .route("/prices", get(prices))
        .route("/financials/{symbol}", get(financials))
        .fallback(no_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::apply,
        ))
        .with_state(state)
}

async fn health() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

async fn stats(State(state): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &state.stats.snapshot())
}

async fn tenants(State(state): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &state.data.tenants())
}

async fn connections(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let conns = id.parse().ok().and_then(|id| state.data.connections(id));
    found(conns, &format!("tenant '{id}'"))
}

async fn companies(State(state): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &state.data.symbols())
}

async fn company(State(state): State<Arc<AppState>>, Path(symbol): Path<String>) -> Response {
    found(state.data.company(&symbol), &format!("symbol '{symbol}'"))
}

async fn financials(State(state): State<Arc<AppState>>, Path(symbol): Path<String>) -> Response {
    found(
        state.data.financials(&symbol),
        &format!("symbol '{symbol}'"),
    )
}

#[derive(Deserialize)]
struct PricesQuery {
    symbols: Option<String>,
}

async fn prices(State(state): State<Arc<AppState>>, Query(q): Query<PricesQuery>) -> Response {
    let list: Vec<&str> = q
        .symbols
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if list.is_empty() || list.len() > MAX_BATCH {
        let message = format!("give 1 to {MAX_BATCH} symbols: /prices?symbols=A,B,C");
        return json_error(StatusCode::BAD_REQUEST, &message);
    }
    let mut prices = Vec::with_capacity(list.len());
    for symbol in list {
        match state.data.prices(symbol) {
            Some(p) => prices.push(p),
            None => return found(None::<()>, &format!("symbol '{symbol}'")),
        }
    }
    json_response(StatusCode::OK, &super::data::PricesResponse { prices })
}

async fn no_route() -> Response {
    json_error(StatusCode::NOT_FOUND, "no such endpoint")
}
