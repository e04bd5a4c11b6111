//! Exercise 13: make the calculator safe (lesson 5.8, command injection).
//!
//! The security lab's vulnerable calculator ran `sh -c "echo $(( EXPRESSION ))"`, so the
//! expression `1)); cat secrets.txt; echo $((1` ran `cat`. Escaping the input better is not the
//! fix; **not starting a shell** is. This calculator *parses* the expression with a grammar that
//! can only describe arithmetic, and refuses anything else with a message the model can read:
//!
//! ```text
//! expr   = term (("+" | "-") term)*
//! term   = factor (("*" | "/") factor)*
//! factor = number | "-" factor | "(" expr ")" | function "(" expr ")"
//! ```
//!
//! Bounds make it safe against hostile input too: at most [`MAX_LEN`] bytes, nesting at most
//! [`MAX_DEPTH`] deep (a recursive parser must not overflow its stack), only the functions in
//! [`FUNCTIONS`], and a result that is a finite number (division by zero is an error).
//!
//! Check your work with `cargo xtask check 13`.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

/// The longest expression accepted, in bytes.
pub const MAX_LEN: usize = 200;
/// The deepest nesting of parentheses, unary minus and function calls.
pub const MAX_DEPTH: usize = 16;
/// The functions an expression may call (one argument each).
pub const FUNCTIONS: [&str; 3] = ["sqrt", "abs", "round"];

/// One piece of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A number (`2`, `2.5`).
    Num(f64),
    /// `+`, `-`, `*` or `/`.
    Op(char),
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// A name (`sqrt`): allowed or not is the parser's decision.
    Name(String),
}

/// Splits an expression into tokens; any character that is not part of arithmetic is an
/// error naming it. (Written for you.)
pub fn tokenize(expression: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = expression.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse()
                .map_err(|_| format!("`{text}` is not a number"))?;
            tokens.push(Token::Num(n));
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            tokens.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            tokens.push(match c {
                '+' | '-' | '*' | '/' => Token::Op(c),
                '(' => Token::Open,
                ')' => Token::Close,
                other => return Err(format!("{other:?} is not part of arithmetic")),
            });
            i += 1;
        }
    }
    Ok(tokens)
}

/// Evaluates `expression`, or says why not. Must never panic, whatever the input.
///
/// - longer than [`MAX_LEN`] bytes, empty, or with a character `tokenize` refuses: an error;
/// - parse the tokens with the grammar in the module doc (one function per rule works well:
///   `expr`, `term`, `factor`), counting nesting depth in `factor`; deeper than [`MAX_DEPTH`]:
///   an error;
/// - a name outside [`FUNCTIONS`], division by zero, tokens left over after a complete
///   expression, or a result that is not finite: an error.
pub fn evaluate(expression: &str) -> Result<f64, String> {
    // TODO: check the length, tokenize, then write a small recursive-descent parser over the
    // tokens (see the grammar above). Never `sh -c`, never `eval`.
    let _ = expression;
    todo!("evaluate")
}

/// The tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CalculateArgs {
    /// An arithmetic expression, e.g. `2 * (3 + 4)`.
    pub expression: String,
}

/// A server with one tool, `calculate`.
#[derive(Debug, Clone)]
pub struct CalculatorServer;

#[tool_router]
impl CalculatorServer {
    /// Evaluate an arithmetic expression: numbers, + - * /, parentheses, sqrt, abs and round.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn calculate(
        &self,
        Parameters(args): Parameters<CalculateArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(match evaluate(&args.expression) {
            Ok(value) => CallToolResult::success(vec![ContentBlock::text(value.to_string())]),
            Err(why) => CallToolResult::error(vec![ContentBlock::text(format!(
                "cannot calculate that: {why}"
            ))]),
        })
    }
}

#[tool_handler]
impl ServerHandler for CalculatorServer {}
