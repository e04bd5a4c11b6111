//! Ending a session: `DELETE /mcp` answers `200 OK`, as the official SDKs' servers do.
//!
//! A Streamable HTTP client that is done with a session sends `DELETE` with its
//! `Mcp-Session-Id` (MCP 2025-11-25, "Session Management"). rmcp's server answers
//! `202 Accepted`, which is what the transport uses for a POST of notifications, not for a
//! request that has been carried out. The reference servers answer `200`: the TypeScript SDK
//! (`handleDeleteRequest`: `res.writeHead(200).end()`) and the Python SDK
//! (`_handle_delete_request`: `HTTPStatus.OK`). The Python SDK's *client* treats anything but
//! `200` or `204` as a failure and prints "Session termination failed: 202" on every close.
//!
//! [`ok_on_delete`] is the middleware that gives the answer the SDKs expect: a successful
//! `DELETE` that rmcp answered with `202` becomes `200`. Every other answer (a `404` for an
//! unknown session, a `405` when the server is stateless, a `400` without a session id) passes
//! as rmcp wrote it.

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The middleware: `202 Accepted` to a `DELETE` becomes `200 OK` (see the module docs).
pub async fn ok_on_delete(request: Request, next: Next) -> Response {
    let delete = request.method() == Method::DELETE;
    let mut response = next.run(request).await;
    if delete && response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::OK;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::any;
    use tower::ServiceExt;

    async fn status(method: Method, answer: StatusCode) -> StatusCode {
        let app = Router::new()
            .route("/mcp", any(move || async move { answer }))
            .layer(axum::middleware::from_fn(ok_on_delete));
        let request = Request::builder()
            .method(method)
            .uri("/mcp")
            .body(Body::empty())
            .unwrap();
        app.oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn only_a_delete_that_succeeded_changes() {
        assert_eq!(
            status(Method::DELETE, StatusCode::ACCEPTED).await,
            StatusCode::OK
        );
        assert_eq!(
            status(Method::DELETE, StatusCode::NOT_FOUND).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(Method::DELETE, StatusCode::METHOD_NOT_ALLOWED).await,
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(
            status(Method::POST, StatusCode::ACCEPTED).await,
            StatusCode::ACCEPTED
        );
    }
}
