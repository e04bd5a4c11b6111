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
pub fn evaluate(expression: &str) -> Result<f64, String> {
    if expression.len() > MAX_LEN {
        return Err(format!("the expression is longer than {MAX_LEN} bytes"));
    }
    let tokens = tokenize(expression)?;
    if tokens.is_empty() {
        return Err("the expression is empty".into());
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let value = parser.expr()?;
    if parser.pos < parser.tokens.len() {
        return Err(format!(
            "unexpected {:?} after a complete expression",
            parser.tokens[parser.pos]
        ));
    }
    if value.is_finite() {
        Ok(value)
    } else {
        Err("the result is not a finite number".into())
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn expr(&mut self) -> Result<f64, String> {
        let mut value = self.term()?;
        while let Some(Token::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            let rhs = self.term()?;
            value = if op == '+' { value + rhs } else { value - rhs };
        }
        Ok(value)
    }

    fn term(&mut self) -> Result<f64, String> {
        let mut value = self.factor()?;
        while let Some(Token::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            let rhs = self.factor()?;
            if op == '/' && rhs == 0.0 {
                return Err("division by zero".into());
            }
            value = if op == '*' { value * rhs } else { value / rhs };
        }
        Ok(value)
    }

    fn factor(&mut self) -> Result<f64, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "the expression nests deeper than {MAX_DEPTH} levels"
            ));
        }
        let value = match self.next() {
            Some(Token::Num(n)) => n,
            Some(Token::Op('-')) => -self.factor()?,
            Some(Token::Open) => {
                let value = self.expr()?;
                self.close()?;
                value
            }
            Some(Token::Name(name)) => {
                if !FUNCTIONS.contains(&name.as_str()) {
                    return Err(format!(
                        "`{name}` is not an allowed function (use {})",
                        FUNCTIONS.join(", ")
                    ));
                }
                if self.next() != Some(Token::Open) {
                    return Err(format!("{name} needs parentheses: {name}(x)"));
                }
                let x = self.expr()?;
                self.close()?;
                match name.as_str() {
                    "sqrt" => x.sqrt(),
                    "abs" => x.abs(),
                    _ => x.round(),
                }
            }
            Some(other) => return Err(format!("unexpected {other:?}")),
            None => return Err("the expression ends too early".into()),
        };
        self.depth -= 1;
        Ok(value)
    }

    fn close(&mut self) -> Result<(), String> {
        match self.next() {
            Some(Token::Close) => Ok(()),
            _ => Err("a parenthesis is not closed".into()),
        }
    }
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
