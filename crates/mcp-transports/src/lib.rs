//! MCP transports that rmcp does not ship, each with its server half and its client half.
