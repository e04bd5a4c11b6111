//! Serves an exercise's MCP server over stdio, so you can try it by hand.
//!
//! On the *stdio* transport the client starts the server as a child process and they exchange
//! JSON-RPC messages, one per line, over the child's stdin and stdout. That is why a stdio
//! server must never print anything else to stdout: logs and panics go to stderr, where
//! clients show them (the MCP Inspector's "Server Notifications", VS Code's "Output" panel).
//!
//! A `todo!()` you have not written yet panics when a client calls it. rmcp runs each request
//! in its own task and does not catch panics, so the client would wait for an answer forever;
//! [`Guarded`] turns the panic into an error reply instead, and Rust prints the panic (with
//! the file and line of the `todo!()`) on stderr.

use rmcp::model::ServerResult;
use rmcp::service::{NotificationContext, RequestContext, RoleServer, ServiceRole};
use rmcp::{ErrorData, Service, ServiceExt};

/// Serves `server` on this process's stdin and stdout until the client disconnects.
pub async fn serve<S>(server: S)
where
    S: Service<RoleServer> + Clone,
{
    eprintln!(
        "{}: serving MCP on stdio (a client sends JSON-RPC on stdin; Ctrl-C or end of input stops)",
        env!("CARGO_PKG_NAME")
    );
    let result = match Guarded(server).serve(rmcp::transport::stdio()).await {
        Ok(running) => running
            .waiting()
            .await
            .map(drop)
            .map_err(|err| err.to_string()),
        Err(err) => Err(format!(
            "no MCP client said hello on stdin ({err}). Start this from a client, e.g. \
             `cargo run -q -p mcp-console -- -- cargo run -q -p {}`",
            env!("CARGO_PKG_NAME")
        )),
    };
    if let Err(err) = result {
        eprintln!("{}: {err}", env!("CARGO_PKG_NAME"));
        std::process::exit(1);
    }
}

/// A server whose handler panics answer with an error instead of leaving the client waiting.
#[derive(Clone)]
pub struct Guarded<S>(pub S);

impl<S: Service<RoleServer> + Clone> Service<RoleServer> for Guarded<S> {
    async fn handle_request(
        &self,
        request: <RoleServer as ServiceRole>::PeerReq,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        // A task of its own: a panic ends that task, and its `JoinError` says so.
        let server = self.0.clone();
        let task = tokio::spawn(async move { server.handle_request(request, context).await });
        match task.await {
            Ok(result) => result,
            Err(err) => {
                let why = match err.try_into_panic() {
                    Ok(panic) => panic_message(panic.as_ref()),
                    Err(_) => "the request was cancelled".to_string(),
                };
                Err(ErrorData::internal_error(
                    format!("the server panicked: {why} (its stderr says where)"),
                    None,
                ))
            }
        }
    }

    async fn handle_notification(
        &self,
        notification: <RoleServer as ServiceRole>::PeerNot,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.0.handle_notification(notification, context).await
    }

    fn get_info(&self) -> <RoleServer as ServiceRole>::Info {
        self.0.get_info()
    }

    fn supported_protocol_versions(
        &self,
    ) -> std::borrow::Cow<'static, [rmcp::model::ProtocolVersion]> {
        self.0.supported_protocol_versions()
    }
}

/// The text of a panic: what `todo!("...")`, `panic!` or `unwrap` said.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}
