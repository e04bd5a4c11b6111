//! Device-code OAuth client for MCP servers (work in progress).
