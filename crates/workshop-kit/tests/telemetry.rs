//! The log the services write, read back: rmcp's report of a client that went away is not an
//! error line, while rmcp's real errors and everything else still are.

#[test]
fn a_disconnect_is_not_logged_as_an_error() {
    let log = workshop_kit::telemetry::capture("debug");
    // What rmcp 3.x logs (target `rmcp::service`) when the client dropped mid-request.
    tracing::error!(
        target: "rmcp::service",
        error = "connection closed",
        "failed to send pending response during drain"
    );
    tracing::error!(target: "rmcp::service", "response send task failed during drain");
    tracing::error!(target: "rmcp::service", "a real failure");
    tracing::error!(target: "stock_server", "failed to send pending response during drain");
    let text = log.text();
    assert!(!text.contains("rmcp::service: failed to send"), "{text}");
    assert!(!text.contains("response send task failed"), "{text}");
    assert!(text.contains("a real failure"), "{text}");
    assert!(
        text.contains("stock_server: failed to send"),
        "other targets are untouched: {text}"
    );
}
