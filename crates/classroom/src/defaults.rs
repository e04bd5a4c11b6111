//! The classroom's fixed ports, in one place.
//!
//! Every course document, `.vscode/mcp.json` and the OAuth metadata name these ports, so they
//! are defaults, not suggestions: `up` serves on them unless a flag says otherwise, and
//! `doctor` checks that they are free. Each has an `up` flag to move it when another program
//! holds it. (When the shared kit's defaults land, these constants point at them.)

/// The identity provider (mock-idp): `http://127.0.0.1:8400`.
pub const IDP_PORT: u16 = 8400;

/// The weather MCP server: `http://127.0.0.1:8000/mcp`.
pub const WEATHER_PORT: u16 = 8000;

/// The stock MCP server over HTTP: `http://127.0.0.1:8001/mcp` (legacy SSE at `/sse`).
pub const STOCK_PORT: u16 = 8001;

/// The search MCP server (optional, `up --with search`): `http://127.0.0.1:8004/mcp`.
pub const SEARCH_PORT: u16 = 8004;

/// The instructor dashboard: `http://127.0.0.1:8080`.
pub const DASHBOARD_PORT: u16 = 8080;
