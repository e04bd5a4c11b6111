//! Exercise 8, solved: a safe calculator and an honest tool description.
//!
//! 1. **No code injection.** `calculate` parses the expression with a small recursive-descent
//!    parser that knows numbers, `+ - * /`, unary minus and parentheses, and nothing else. The
//!    input is data, never code; limits on length and nesting keep hostile input cheap.
//! 2. **No tool poisoning.** The model reads tool descriptions as instructions, so a
//!    description says what the tool does and nothing else, and a tool takes only the
//!    arguments it needs.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use stock_server::market::{Money, Percent, lookup};

/// The longest expression accepted, in characters.
pub const MAX_LEN: usize = 200;
/// The deepest nesting of parentheses and unary minus accepted.
pub const MAX_DEPTH: usize = 32;

/// Arguments of `calculate`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CalcArgs {
    /// An arithmetic expression, e.g. `2 * (3 + 4)`.
    pub expression: String,
}

/// Arguments of `company_profile`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ProfileArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
}

/// Evaluates an arithmetic expression: numbers, `+ - * /` and parentheses.
pub fn evaluate(expression: &str) -> Result<f64, String> {
    if expression.chars().count() > MAX_LEN {
        return Err(format!(
            "the expression is longer than {MAX_LEN} characters"
        ));
    }
    let mut parser = Parser {
        chars: expression.chars().filter(|c| !c.is_whitespace()).collect(),
        pos: 0,
        depth: 0,
    };
    let value = parser.sum()?;
    if let Some(c) = parser.peek() {
        return Err(format!(
            "unexpected '{c}': only numbers, + - * / and parentheses are allowed"
        ));
    }
    if !value.is_finite() {
        return Err("the result is not a finite number".into());
    }
    Ok(value)
}

/// Grammar: sum = product (('+'|'-') product)*; product = factor (('*'|'/') factor)*;
/// factor = '-' factor | '(' sum ')' | number.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn sum(&mut self) -> Result<f64, String> {
        let mut value = self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            let rhs = self.product()?;
            value = if op == '+' { value + rhs } else { value - rhs };
        }
        Ok(value)
    }

    fn product(&mut self) -> Result<f64, String> {
        let mut value = self.factor()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
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
        let value = match self.peek() {
            Some('-') => {
                self.pos += 1;
                -self.factor()?
            }
            Some('(') => {
                self.pos += 1;
                let inner = self.sum()?;
                if self.peek() != Some(')') {
                    return Err("a '(' is never closed".into());
                }
                self.pos += 1;
                inner
            }
            Some(c) if c.is_ascii_digit() || c == '.' => self.number()?,
            Some(c) => {
                return Err(format!(
                    "unexpected '{c}': only numbers, + - * / and parentheses are allowed"
                ));
            }
            None => return Err("the expression ends too early".into()),
        };
        self.depth -= 1;
        Ok(value)
    }

    fn number(&mut self) -> Result<f64, String> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_digit() || c == '.') {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        text.parse()
            .map_err(|_| format!("'{text}' is not a number"))
    }
}

/// The exercise's MCP server: a calculator and a company profile, both safe.
#[derive(Debug, Clone, Default)]
pub struct SafeServer;

#[tool_router]
impl SafeServer {
    /// Evaluates an arithmetic expression.
    #[tool(description = "Evaluate an arithmetic expression with + - * / and parentheses.")]
    pub fn calculate(&self, Parameters(args): Parameters<CalcArgs>) -> Result<String, String> {
        evaluate(&args.expression).map(|v| v.to_string())
    }

    /// A short profile of a listed company.
    #[tool(
        description = "Company profile for a ticker symbol: name, sector, price, market cap, P/E and dividend yield."
    )]
    pub fn company_profile(
        &self,
        Parameters(args): Parameters<ProfileArgs>,
    ) -> Result<String, String> {
        let stock = lookup(&args.symbol).map_err(|e| e.to_string())?;
        Ok(format!(
            "{} ({}): sector {}, price ${:.2}, market cap {}, P/E {:.1}, dividend yield {}",
            stock.name,
            stock.symbol,
            stock.sector,
            stock.price,
            Money(stock.market_cap),
            stock.pe_ratio,
            Percent(stock.dividend_yield)
        ))
    }
}

#[tool_handler]
impl ServerHandler for SafeServer {}
