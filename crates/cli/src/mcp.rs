//! `actionspec mcp`: the tool server of `agent.rs` over the Model Context Protocol on stdio,
//! with the official SDK (`rmcp`).
//!
//! The SDK changes often, so this is the only module that uses it: everything else deals in
//! plain JSON values. Standard output carries the protocol only; logs go to standard error.

use std::sync::Arc;

use actionspec_engine::{Error, ErrorKind, Result};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};

use crate::agent;

/// What the server tells a client about itself at `initialize`.
const INSTRUCTIONS: &str = "Each tool runs one action of a SaaS API. List tools return one page: call them again with `next_input` for the next. A failed action is a result with isError true, carrying the error's kind, the HTTP status, the API's message and a hint.";

struct Handler {
    server: Arc<agent::Server>,
    tools: Vec<Tool>,
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("actionspec", env!("CARGO_PKG_VERSION"))
                    .with_title("Actionspec"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResponse, ErrorData> {
        let result = self
            .server
            .call(&request.name, request.arguments)
            .await
            .map_err(|message| ErrorData::invalid_params(message, None))?;
        let result = if result.is_error {
            CallToolResult::structured_error(result.value)
        } else {
            CallToolResult::structured(result.value)
        };
        Ok(result.into())
    }
}

/// Serves `server` on stdin and stdout until the client closes them.
///
/// # Errors
/// [`ErrorKind::Spec`] when a tool definition is not a valid MCP tool; [`ErrorKind::Io`] when
/// the session cannot start or ends on a transport error.
pub(crate) async fn serve(server: agent::Server) -> Result<()> {
    let tools = server
        .tools()
        .into_iter()
        .map(serde_json::from_value::<Tool>)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::new(ErrorKind::Spec, format!("invalid tool definition: {e}")))?;
    let handler = Handler {
        server: Arc::new(server),
        tools,
    };
    let running = handler
        .serve(crate::mcp_guard::stdio())
        .await
        .map_err(|e| Error::new(ErrorKind::Io, format!("the MCP session did not start: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| Error::new(ErrorKind::Io, format!("the MCP session failed: {e}")))?;
    Ok(())
}
