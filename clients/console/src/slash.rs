//! Slash commands: the MCP primitives by hand, no model needed.
//!
//! Everything a server offers can be explored directly: **tools** (`/tools`, `/call`),
//! **resources** and **resource templates** (`/resources`, `/templates`, `/read`) and
//! **prompts** (`/prompts`, `/prompt`). This is the quickest way to see what a server does, and
//! it works in a classroom with no model at all.
//!
//! With several servers (the agent host), listings cover all of them, each line marked with
//! its server; `/read`, `/prompt` and `/subscribe` go to the first server that answers; `/call`
//! takes the names the model sees (`server__tool` when two servers share a name). `/servers`,
//! `/roots` and `/context` are about the host itself.

use crate::chat::{Chat, TurnError, classify};
use crate::host::{self, Host};
use crate::model::ToolSpec;
use crate::render::Renderer;
use rmcp::model::{
    CallToolRequestParams, GetPromptRequestParams, JsonObject, ReadResourceRequestParams,
    SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp::service::ServiceError;
use serde_json::{Map, Value, json};

/// The help text.
pub const HELP: &str = "\
Ask a question in plain words (\"price of Tesla\", \"compare Apple and Google\", \"weather in
Paris\", then \"and London?\"): the model picks tools and answers. Or use a command:
  /tools                         list the server's tools and their parameters
  /call <tool> <json | k=v ...>  call a tool directly: /call get_stock_price symbol=AAPL
  /resources                     list resources
  /templates                     list resource templates
  /read <uri>                    read a resource: /read stock://tickers
  /subscribe <uri>               show a resource's updates as they come: /subscribe stock://AAPL/live
  /unsubscribe <uri>             stop them
  /prompts                       list prompts
  /prompt <name> [k=v ...]       get a prompt: /prompt stock_analysis_prompt symbol=AAPL
  /clear                         forget the conversation
  /servers                       the connected servers and their tools
  /roots                         the roots offered to servers
  /roots add <dir>               offer another directory (servers are notified)
  /roots remove <dir>            stop offering one (servers are notified)
  /context                       what the model's context holds, in tokens, against the budget
  /context compact               run the context policy now
  /context result <n>            the full text of a tool result the policy cut
Progress, log lines and resource updates print as they arrive; the server's questions
(elicitation) and model requests (sampling) are put to you. On everything-server, each
feature is a tool: /call test_tool_with_progress, /call test_long_running_operation steps=50
(Ctrl-C cancels it), /call test_elicitation message=hi, /call test_sampling prompt=hi.
  /help                          this help
  quit, exit, Ctrl-D             leave        (Ctrl-C cancels a request in flight)";

/// Runs one slash command. `Ok(false)` means the command was fine but a tool reported an error.
pub async fn run(
    line: &str,
    host: &Host,
    chat: &mut Chat,
    render: &Renderer,
) -> Result<bool, TurnError> {
    let line = line.trim();
    let (cmd, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let mcp = |e: ServiceError| classify(e, "");
    // Marks a line with its server when there are several.
    let tag = |server: &str| {
        if host.is_multi() {
            format!("[{server}] ")
        } else {
            String::new()
        }
    };
    match cmd {
        "/servers" => {
            for server in host.servers() {
                let session = &server.session;
                let (info, version) = session
                    .peer_info()
                    .map(|i| {
                        (
                            i.server_info
                                .as_ref()
                                .map(|s| format!("{} {}", s.name, s.version))
                                .unwrap_or_default(),
                            i.protocol_version.to_string(),
                        )
                    })
                    .unwrap_or_default();
                let tools = session.list_all_tools().await.map_err(mcp)?;
                let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
                render.say(&format!(
                    "{}  {info}, protocol {version}, {} ({})\n    tools: {}",
                    server.name,
                    server.target,
                    server.target.transport_name(),
                    names.join(", ")
                ));
            }
        }
        "/roots" => return Ok(roots(rest, host, render).await),
        "/context" => {
            // The tools as the model gets them (after the defences, if they are on).
            let tools: Vec<ToolSpec> = host
                .tools()
                .await?
                .iter()
                .map(|t| ToolSpec {
                    name: t.name.clone(),
                    ..ToolSpec::from_mcp(&t.tool)
                })
                .collect();
            let budget = chat.policy.map(|p| p.budget);
            match rest.split_once(char::is_whitespace).unwrap_or((rest, "")) {
                ("", _) => {}
                ("compact", _) => match chat.compact(&tools).await {
                    Some(step) => render.note(&crate::chat::describe_step(&step, chat.policy)),
                    None if budget.is_none() => {
                        render.error("no budget, so no policy: start with --context-budget N");
                        return Ok(false);
                    }
                    None => render.note("context policy: already within budget, nothing to do"),
                },
                ("result", n) => {
                    match n.trim().parse().ok().and_then(|n| chat.kept_result(n)) {
                        Some(text) => render.say(text),
                        None => {
                            render.error(
                                "usage: /context result <n>, n as named in the policy's note",
                            );
                            return Ok(false);
                        }
                    }
                    return Ok(true);
                }
                (other, _) => {
                    render.error(&format!(
                        "unknown /context {other}; try /context, /context compact or /context result <n>"
                    ));
                    return Ok(false);
                }
            }
            let report = crate::context::measure(chat.history(), &tools);
            render.say(&crate::context::show(&report, budget));
        }
        "/help" | "/?" => render.say(HELP),
        "/clear" => {
            chat.clear();
            render.say("conversation forgotten");
        }
        "/tools" => {
            let tools = listed_tools(host).await?;
            if tools.is_empty() {
                render.say("(no tools)");
            }
            for found in tools {
                let t = &found.tool;
                render.say(&format!(
                    "{}{}({})\n    {}",
                    tag(&host.servers()[found.server].name),
                    found.name,
                    params_of(&Value::Object((*t.input_schema).clone())),
                    t.description
                        .as_deref()
                        .unwrap_or("")
                        .replace('\n', "\n    ")
                ));
            }
        }
        "/resources" => {
            let mut any = false;
            for server in offering(host, |c| c.resources.is_some()) {
                let list = server.session.list_all_resources().await.map_err(mcp)?;
                for r in list {
                    any = true;
                    let desc = r.description.clone().unwrap_or_default();
                    render.say(&format!(
                        "{}{}  {}  {desc}",
                        tag(&server.name),
                        r.uri,
                        r.name
                    ));
                }
            }
            if !any {
                render.say("(no resources)");
            }
        }
        "/templates" => {
            let mut any = false;
            for server in offering(host, |c| c.resources.is_some()) {
                let list = server
                    .session
                    .list_all_resource_templates()
                    .await
                    .map_err(mcp)?;
                for t in list {
                    any = true;
                    let desc = t.description.clone().unwrap_or_default();
                    render.say(&format!(
                        "{}{}  {}  {desc}",
                        tag(&server.name),
                        t.uri_template,
                        t.name
                    ));
                }
            }
            if !any {
                render.say("(no resource templates)");
            }
        }
        "/prompts" => {
            let mut list = Vec::new();
            for server in offering(host, |c| c.prompts.is_some()) {
                for p in server.session.list_all_prompts().await.map_err(mcp)? {
                    list.push((tag(&server.name), p));
                }
            }
            if list.is_empty() {
                render.say("(no prompts)");
            }
            for (tag, p) in list {
                let args: Vec<String> = p
                    .arguments
                    .iter()
                    .flatten()
                    .map(|a| {
                        if a.required == Some(true) {
                            a.name.clone()
                        } else {
                            format!("{}?", a.name)
                        }
                    })
                    .collect();
                render.say(&format!(
                    "{tag}{}({})\n    {}",
                    p.name,
                    args.join(", "),
                    p.description.as_deref().unwrap_or("")
                ));
            }
        }
        "/read" => {
            if rest.is_empty() {
                render.error("usage: /read <uri>   (see /resources and /templates)");
                return Ok(false);
            }
            let peer = &server_for_uri(host, rest).await.session;
            match peer
                .read_resource(ReadResourceRequestParams::new(rest))
                .await
            {
                Ok(r) => {
                    for c in serde_json::to_value(&r.contents)
                        .ok()
                        .and_then(|v| v.as_array().cloned())
                        .unwrap_or_default()
                    {
                        match c["text"].as_str() {
                            Some(t) => render.say(t),
                            None => render.say(&format!(
                                "[binary {} {}]",
                                c["uri"].as_str().unwrap_or(""),
                                c["mimeType"].as_str().unwrap_or("")
                            )),
                        }
                    }
                    for line in peer.service().media().save_contents(&r.contents) {
                        render.note(&line);
                    }
                }
                Err(ServiceError::McpError(e)) => {
                    render.error(&format!("cannot read {rest}: {}", e.message));
                    return Ok(false);
                }
                Err(e) => return Err(mcp(e)),
            }
        }
        "/prompt" => {
            let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if name.is_empty() {
                render.error("usage: /prompt <name> [key=value ...]   (see /prompts)");
                return Ok(false);
            }
            let mut params = GetPromptRequestParams::new(name);
            let pairs = key_values(args, None).map_err(|e| {
                render.error(&e);
                TurnError::Mcp(ServiceError::UnexpectedResponse)
            });
            let Ok(pairs) = pairs else { return Ok(false) };
            if !pairs.is_empty() {
                // Prompt arguments are always strings in MCP.
                let strings = pairs
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k,
                            Value::String(v.as_str().map(str::to_string).unwrap_or(v.to_string())),
                        )
                    })
                    .collect();
                params = params.with_arguments(strings);
            }
            let peer = &server_for_prompt(host, name).await.session;
            match peer.get_prompt(params).await {
                Ok(p) => {
                    let blocks: Vec<_> = p.messages.iter().map(|m| m.content.clone()).collect();
                    for line in peer.service().media().save_blocks(name, &blocks) {
                        render.note(&line);
                    }
                    if let Some(d) = &p.description {
                        render.note(d);
                    }
                    for m in serde_json::to_value(&p.messages)
                        .ok()
                        .and_then(|v| v.as_array().cloned())
                        .unwrap_or_default()
                    {
                        let role = m["role"].as_str().unwrap_or("?");
                        if let Some(mime) = m["content"]["mimeType"].as_str() {
                            // An image or audio message: saved, not dumped as base64.
                            let data = m["content"]["data"].as_str().unwrap_or_default();
                            let kind = m["content"]["type"].as_str().unwrap_or("binary");
                            render.say(&format!(
                                "{role}: [{kind} {mime}, {} bytes]",
                                crate::media::decoded_len(data)
                            ));
                            continue;
                        }
                        let text = m["content"]["text"]
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| m["content"].to_string());
                        render.say(&format!("{role}: {text}"));
                    }
                }
                Err(ServiceError::McpError(e)) => {
                    render.error(&format!("prompt {name}: {}", e.message));
                    return Ok(false);
                }
                Err(e) => return Err(mcp(e)),
            }
        }
        "/subscribe" | "/unsubscribe" => {
            if rest.is_empty() {
                render.error(&format!("usage: {cmd} <uri>   (see /templates)"));
                return Ok(false);
            }
            let peer = &server_for_uri(host, rest).await.session;
            let done = if cmd == "/subscribe" {
                peer.subscribe(SubscribeRequestParams::new(rest)).await
            } else {
                peer.unsubscribe(UnsubscribeRequestParams::new(rest)).await
            };
            match done {
                Ok(()) if cmd == "/subscribe" => render.note(&format!(
                    "subscribed to {rest}: updates appear as they arrive"
                )),
                Ok(()) => render.note(&format!("unsubscribed from {rest}")),
                Err(ServiceError::McpError(e)) => {
                    render.error(&format!("{cmd} {rest}: {}", e.message));
                    return Ok(false);
                }
                Err(e) => return Err(mcp(e)),
            }
        }
        "/call" => {
            let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if name.is_empty() {
                render.error("usage: /call <tool> {\"json\": \"args\"} or key=value ...");
                return Ok(false);
            }
            // The name the model sees picks the server; one server takes any name, so that a
            // learner sees how their server answers an unknown tool.
            let listed = listed_tools(host).await?;
            let found = host::find(&listed, name);
            let (peer, tool_name) = match found {
                Some(t) => (&host.servers()[t.server].session, t.tool.name.to_string()),
                None if !host.is_multi() => (host.primary(), name.to_string()),
                None => {
                    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
                    render.error(&format!(
                        "no connected server offers a tool '{name}'; the tools: {}",
                        names.join(", ")
                    ));
                    return Ok(false);
                }
            };
            let tools: Vec<&rmcp::model::Tool> = listed.iter().map(|t| &t.tool).collect();
            let schema = found.map(|t| Value::Object((*t.tool.input_schema).clone()));
            let arguments = match parse_arguments(args, schema.as_ref()) {
                Ok(a) => a,
                Err(e) => {
                    render.error(&e);
                    return Ok(false);
                }
            };
            render.tool_call(name, &Value::Object(arguments.clone()));
            // Sent even with required arguments missing: how the server answers is worth seeing.
            let usage = schema.as_ref().and_then(|s| missing(name, s, &arguments));
            let params = CallToolRequestParams::new(tool_name).with_arguments(arguments);
            match peer.call_tool(params).await {
                Ok(r) => {
                    render.tool_result(&r);
                    for line in peer.service().media().save_blocks(name, &r.content) {
                        render.note(&line);
                    }
                    if r.is_error == Some(true)
                        && let Some(usage) = usage
                    {
                        render.note(&usage);
                    }
                    return Ok(r.is_error != Some(true));
                }
                Err(ServiceError::McpError(e)) => {
                    // The server's own words first (that is what a learner's server said), then
                    // what to do when the name is simply not one of its tools.
                    let hint = if schema.is_none() {
                        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
                        format!(
                            " (this server has no tool '{name}'; its tools: {})",
                            names.join(", ")
                        )
                    } else {
                        usage.map(|u| format!(" ({u})")).unwrap_or_default()
                    };
                    render.error(&format!("{name}: {}{hint}", e.message));
                    return Ok(false);
                }
                Err(e) => return Err(classify(e, &format!(" during {name}"))),
            }
        }
        other => {
            render.error(&format!("unknown command {other}; try /help"));
            return Ok(false);
        }
    }
    Ok(true)
}

/// `/roots`, `/roots add PATH`, `/roots remove PATH`: the list changes, then every server is
/// sent `notifications/roots/list_changed` (and asks `roots/list` again if it cares).
async fn roots(rest: &str, host: &Host, render: &Renderer) -> bool {
    let list = &host.settings().roots;
    let (verb, path) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let path = path.trim();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let changed = match (verb, path) {
        ("", _) => None,
        ("add", p) if !p.is_empty() => {
            Some(list.add(p, &cwd).map(|d| format!("added {}", d.display())))
        }
        ("remove", p) if !p.is_empty() => Some(
            list.remove(p, &cwd)
                .map(|d| format!("removed {}", d.display())),
        ),
        _ => {
            render.error("usage: /roots, /roots add <dir>, /roots remove <dir>");
            return false;
        }
    };
    match changed {
        None => {}
        Some(Err(e)) => {
            render.error(&e.to_string());
            return false;
        }
        Some(Ok(done)) => {
            let failed = host.roots_changed().await;
            let told = host.servers().len() - failed.len();
            render.note(&format!(
                "{done}; notifications/roots/list_changed sent to {told} server(s)"
            ));
            for (server, why) in &failed {
                render.warn(&format!("could not notify {server}: {why}"));
            }
        }
    }
    let roots = list.to_mcp();
    if roots.is_empty() {
        render.say("(no roots: servers that need one will say so)");
    }
    for r in roots {
        render.say(&format!("{}  {}", r.uri, r.name.as_deref().unwrap_or("")));
    }
    true
}

/// Every server's tools as listed (no defences: the human is looking), with the names the
/// model sees.
async fn listed_tools(host: &Host) -> Result<Vec<host::HostTool>, TurnError> {
    let mut lists = Vec::new();
    for server in host.servers() {
        lists.push(
            server
                .session
                .list_all_tools()
                .await
                .map_err(|e| classify(e, ""))?,
        );
    }
    let names: Vec<&str> = host.servers().iter().map(|s| s.name.as_str()).collect();
    Ok(host::expose(&names, lists))
}

/// The servers that advertised a capability (all of them when there is only one, so a
/// single server's own error shows, as before the host existed).
fn offering(
    host: &Host,
    has: impl Fn(&rmcp::model::ServerCapabilities) -> bool,
) -> Vec<&host::Server> {
    if !host.is_multi() {
        return host.servers().iter().collect();
    }
    host.servers()
        .iter()
        .filter(|s| s.session.peer_info().is_some_and(|i| has(&i.capabilities)))
        .collect()
}

/// The server a resource URI belongs to: the one whose resources or templates use its scheme
/// (`stock://`, `file://`), else the first.
async fn server_for_uri<'a>(host: &'a Host, uri: &str) -> &'a host::Server {
    let first = &host.servers()[0];
    if !host.is_multi() {
        return first;
    }
    let Some((scheme, _)) = uri.split_once("://") else {
        return first;
    };
    let prefix = format!("{scheme}://");
    for server in offering(host, |c| c.resources.is_some()) {
        let session = &server.session;
        let listed = session.list_all_resources().await.unwrap_or_default();
        let templates = session
            .list_all_resource_templates()
            .await
            .unwrap_or_default();
        if listed.iter().any(|r| r.uri.starts_with(&prefix))
            || templates
                .iter()
                .any(|t| t.uri_template.starts_with(&prefix))
        {
            return server;
        }
    }
    first
}

/// The server that offers the prompt `name`, else the first.
async fn server_for_prompt<'a>(host: &'a Host, name: &str) -> &'a host::Server {
    let first = &host.servers()[0];
    if !host.is_multi() {
        return first;
    }
    for server in offering(host, |c| c.prompts.is_some()) {
        let prompts = server.session.list_all_prompts().await.unwrap_or_default();
        if prompts.iter().any(|p| p.name == name) {
            return server;
        }
    }
    first
}

/// When required arguments are missing, how to call the tool:
/// `usage: /call get_stock_price symbol=<string> (missing: symbol)`.
fn missing(name: &str, schema: &Value, arguments: &Map<String, Value>) -> Option<String> {
    let required: Vec<&str> = schema["required"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let absent: Vec<&str> = required
        .iter()
        .copied()
        .filter(|k| !arguments.contains_key(*k))
        .collect();
    if absent.is_empty() {
        return None;
    }
    let example: Vec<String> = required
        .iter()
        .map(|k| {
            let ty = schema["properties"][*k]["type"].as_str().unwrap_or("value");
            format!("{k}=<{ty}>")
        })
        .collect();
    Some(format!(
        "usage: /call {name} {} (missing: {})",
        example.join(" "),
        absent.join(", ")
    ))
}

/// `symbol, period?` from an input schema, for listings.
fn params_of(schema: &Value) -> String {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let ty = match &v["type"] {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("|"),
                _ => "any".into(),
            };
            let opt = if required.contains(&k.as_str()) {
                ""
            } else {
                "?"
            };
            format!("{k}{opt}: {ty}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Arguments for `/call`: a JSON object, or `key=value` pairs typed by the tool's schema.
pub fn parse_arguments(text: &str, schema: Option<&Value>) -> Result<JsonObject, String> {
    let text = text.trim();
    if text.starts_with('{') {
        return match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => Ok(o),
            Ok(_) => Err("arguments must be a JSON object".into()),
            Err(e) => Err(format!("arguments are not valid JSON: {e}")),
        };
    }
    Ok(key_values(text, schema)?.into_iter().collect())
}

fn key_values(text: &str, schema: Option<&Value>) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    for pair in text.split_whitespace() {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("'{pair}' is not key=value"))?;
        let ty = schema
            .and_then(|s| s["properties"][k]["type"].as_str())
            .unwrap_or("");
        let value = match ty {
            "string" => json!(v),
            // Typed by schema, or guessed: numbers and booleans as such, the rest as strings.
            _ => serde_json::from_str::<Value>(v)
                .ok()
                .filter(|x| x.is_number() || x.is_boolean() || x.is_array() || x.is_object())
                .unwrap_or_else(|| json!(v)),
        };
        out.push((k.to_string(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_required_arguments_get_a_usage_line() {
        let schema = json!({"type": "object",
            "properties": {"symbol": {"type": "string"}, "period": {"type": "string"}},
            "required": ["symbol"]});
        assert_eq!(
            missing("get_stock_history", &schema, &Map::new()).as_deref(),
            Some("usage: /call get_stock_history symbol=<string> (missing: symbol)")
        );
        let given = json!({"symbol": "AAPL"}).as_object().unwrap().clone();
        assert_eq!(missing("get_stock_history", &schema, &given), None);
    }

    #[test]
    fn key_values_follow_the_schema() {
        let schema = json!({"properties": {"symbol": {"type": "string"}, "days": {"type": "integer"}, "code": {"type": "string"}}});
        let a = parse_arguments("symbol=AAPL days=3 code=007", Some(&schema)).unwrap();
        assert_eq!(
            Value::Object(a),
            json!({"symbol": "AAPL", "days": 3, "code": "007"})
        );
        let a = parse_arguments(r#"{"symbol": "MSFT"}"#, None).unwrap();
        assert_eq!(a["symbol"], "MSFT");
        assert!(parse_arguments("symbol", None).is_err());
        assert!(parse_arguments("[1]", None).is_err());
    }
}
