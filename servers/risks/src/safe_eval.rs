//! A bounded, safe arithmetic evaluator: what `calculate` should have been from the start.
//!
//! The vulnerable calculator hands its input to a shell. The fix is not to escape the input
//! better, it is to stop treating it as a program: this module *parses* the expression with a
//! grammar that can only describe arithmetic, and refuses everything else with a message the
//! model can read.
//!
//! ```text
//! expr    = term (("+" | "-") term)*
//! term    = unary (("*" | "/" | "%") unary)*
//! unary   = "-" unary | power
//! power   = atom ("^" unary)?          (right-associative: 2^3^2 = 2^9)
//! atom    = number | constant | function "(" expr ("," expr)* ")" | "(" expr ")"
//! ```
//!
//! Three bounds make it safe against hostile input as well as wrong input, so that no input
//! can make it slow, deep or huge:
//!
//! | bound | value | why |
//! |---|---|---|
//! | [`MAX_LEN`] | 256 bytes | refuses a megabyte of digits before reading it |
//! | [`MAX_NODES`] | 100 numbers, operators and calls | bounds the work |
//! | [`MAX_DEPTH`] | 20 levels of nesting | a recursive parser must not overflow its stack |
//!
//! Names outside an allow-list ([`FUNCTIONS`], [`CONSTANTS`]) are refused by name, and a
//! result that is not a finite number (1/0, 10^400) is an error, not `inf`.

use std::fmt;

/// The longest expression accepted, in bytes.
pub const MAX_LEN: usize = 256;
/// The most nodes (numbers, operators, function calls) an expression may have.
pub const MAX_NODES: usize = 100;
/// The deepest nesting of parentheses, unary minus and calls.
pub const MAX_DEPTH: usize = 20;
/// The functions an expression may call, with their number of arguments.
pub const FUNCTIONS: [(&str, usize); 12] = [
    ("sqrt", 1),
    ("abs", 1),
    ("sin", 1),
    ("cos", 1),
    ("tan", 1),
    ("ln", 1),
    ("log10", 1),
    ("exp", 1),
    ("floor", 1),
    ("ceil", 1),
    ("round", 1),
    ("max", 2),
];
/// The named constants an expression may use.
pub const CONSTANTS: [(&str, f64); 2] = [("pi", std::f64::consts::PI), ("e", std::f64::consts::E)];

/// Why an expression was refused. The message says what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// Empty or only spaces.
    Empty,
    /// Longer than [`MAX_LEN`].
    TooLong(usize),
    /// More than [`MAX_NODES`] nodes.
    TooManyNodes,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A character that is no part of arithmetic, at a byte offset.
    UnexpectedChar(char, usize),
    /// A name that is neither an allowed function nor a constant.
    UnknownName(String),
    /// A function called with the wrong number of arguments.
    Arity(String, usize),
    /// The expression ends or continues where it should not.
    Syntax(String),
    /// Division or remainder by zero.
    DivisionByZero,
    /// The result is infinite or not a number.
    NotFinite,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Empty => write!(f, "the expression is empty; try `2 * (3 + 4)`"),
            EvalError::TooLong(n) => write!(
                f,
                "the expression is {n} bytes long; the limit is {MAX_LEN}"
            ),
            EvalError::TooManyNodes => write!(
                f,
                "the expression has more than {MAX_NODES} numbers and operators"
            ),
            EvalError::TooDeep => write!(f, "the expression nests deeper than {MAX_DEPTH} levels"),
            EvalError::UnexpectedChar(c, at) => write!(
                f,
                "{c:?} at position {at} is not part of arithmetic: use numbers, + - * / % ^, parentheses and the functions {}",
                function_names()
            ),
            EvalError::UnknownName(name) => write!(
                f,
                "`{name}` is not an allowed name: the functions are {} and the constants pi and e",
                function_names()
            ),
            EvalError::Arity(name, n) => write!(f, "{name} takes {n} argument(s)"),
            EvalError::Syntax(what) => write!(f, "{what}"),
            EvalError::DivisionByZero => write!(f, "division by zero"),
            EvalError::NotFinite => write!(f, "the result is not a finite number"),
        }
    }
}

impl std::error::Error for EvalError {}

fn function_names() -> String {
    FUNCTIONS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Evaluates `input`, or says why not. Never panics, whatever the input.
pub fn evaluate(input: &str) -> Result<f64, EvalError> {
    if input.len() > MAX_LEN {
        return Err(EvalError::TooLong(input.len()));
    }
    if input.trim().is_empty() {
        return Err(EvalError::Empty);
    }
    let mut parser = Parser {
        src: input.as_bytes(),
        pos: 0,
        nodes: 0,
        depth: 0,
    };
    let value = parser.expr()?;
    parser.skip_spaces();
    if parser.pos < parser.src.len() {
        return Err(parser.unexpected());
    }
    if value.is_finite() {
        Ok(value)
    } else {
        Err(EvalError::NotFinite)
    }
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    nodes: usize,
    depth: usize,
}

impl Parser<'_> {
    fn node(&mut self) -> Result<(), EvalError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            Err(EvalError::TooManyNodes)
        } else {
            Ok(())
        }
    }

    fn enter(&mut self) -> Result<(), EvalError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(EvalError::TooDeep)
        } else {
            Ok(())
        }
    }

    fn skip_spaces(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_spaces();
        self.src.get(self.pos).copied()
    }

    fn unexpected(&self) -> EvalError {
        // The input is a &str, so decoding from a char boundary we reached by ASCII steps works.
        let rest = std::str::from_utf8(&self.src[self.pos..]).unwrap_or("");
        match rest.chars().next() {
            Some(c) => EvalError::UnexpectedChar(c, self.pos),
            None => EvalError::Syntax("the expression ends too early".into()),
        }
    }

    fn expr(&mut self) -> Result<f64, EvalError> {
        let mut value = self.term()?;
        while let Some(op @ (b'+' | b'-')) = self.peek() {
            self.pos += 1;
            self.node()?;
            let rhs = self.term()?;
            value = if op == b'+' { value + rhs } else { value - rhs };
        }
        Ok(value)
    }

    fn term(&mut self) -> Result<f64, EvalError> {
        let mut value = self.unary()?;
        while let Some(op @ (b'*' | b'/' | b'%')) = self.peek() {
            self.pos += 1;
            self.node()?;
            let rhs = self.unary()?;
            value = match op {
                b'*' => value * rhs,
                _ if rhs == 0.0 => return Err(EvalError::DivisionByZero),
                b'/' => value / rhs,
                _ => value % rhs,
            };
        }
        Ok(value)
    }

    fn unary(&mut self) -> Result<f64, EvalError> {
        self.enter()?;
        let value = if self.peek() == Some(b'-') {
            self.pos += 1;
            self.node()?;
            -self.unary()?
        } else {
            self.power()?
        };
        self.depth -= 1;
        Ok(value)
    }

    fn power(&mut self) -> Result<f64, EvalError> {
        let base = self.atom()?;
        if self.peek() == Some(b'^') {
            self.pos += 1;
            self.node()?;
            let exponent = self.unary()?;
            return Ok(base.powf(exponent));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<f64, EvalError> {
        self.node()?;
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                self.enter()?;
                let value = self.expr()?;
                self.depth -= 1;
                self.expect(b')')?;
                Ok(value)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() => self.name(),
            _ => Err(self.unexpected()),
        }
    }

    fn expect(&mut self, wanted: u8) -> Result<(), EvalError> {
        if self.peek() == Some(wanted) {
            self.pos += 1;
            Ok(())
        } else if self.pos >= self.src.len() {
            Err(EvalError::Syntax(format!(
                "the expression ends too early: expected '{}'",
                wanted as char
            )))
        } else {
            Err(self.unexpected())
        }
    }

    fn number(&mut self) -> Result<f64, EvalError> {
        let start = self.pos;
        while self.pos < self.src.len()
            && (self.src[self.pos].is_ascii_digit() || self.src[self.pos] == b'.')
        {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("");
        text.parse::<f64>()
            .map_err(|_| EvalError::Syntax(format!("`{text}` is not a number")))
    }

    fn name(&mut self) -> Result<f64, EvalError> {
        let start = self.pos;
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_alphanumeric() {
            self.pos += 1;
        }
        let name = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("");
        if let Some((_, value)) = CONSTANTS.iter().find(|(n, _)| *n == name) {
            return Ok(*value);
        }
        let Some((_, arity)) = FUNCTIONS.iter().find(|(n, _)| *n == name) else {
            return Err(EvalError::UnknownName(name.chars().take(40).collect()));
        };
        let name = name.to_string();
        self.expect(b'(')?;
        self.enter()?;
        let mut args = vec![self.expr()?];
        while self.peek() == Some(b',') {
            self.pos += 1;
            args.push(self.expr()?);
        }
        self.depth -= 1;
        self.expect(b')')?;
        if args.len() != *arity {
            return Err(EvalError::Arity(name, *arity));
        }
        let x = args[0];
        Ok(match name.as_str() {
            "sqrt" => x.sqrt(),
            "abs" => x.abs(),
            "sin" => x.sin(),
            "cos" => x.cos(),
            "tan" => x.tan(),
            "ln" => x.ln(),
            "log10" => x.log10(),
            "exp" => x.exp(),
            "floor" => x.floor(),
            "ceil" => x.ceil(),
            "round" => x.round(),
            _ => x.max(args[1]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_right() {
        for (input, want) in [
            ("1 + 2 * 3", 7.0),
            ("(1 + 2) * 3", 9.0),
            ("2 ^ 3 ^ 2", 512.0),
            ("-2 ^ 2", -4.0),
            ("10 % 4", 2.0),
            ("sqrt(16) + max(1, 2)", 6.0),
            ("7 / 2", 3.5),
            ("round(pi * 100)", 314.0),
        ] {
            assert_eq!(evaluate(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn shell_and_names_are_refused() {
        for input in [
            "1)); cat /etc/passwd; echo $((1",
            "$(id)",
            "`id`",
            "1; rm -rf /",
            "__import__('os')",
            "system(1)",
        ] {
            assert!(evaluate(input).is_err(), "{input}");
        }
        assert_eq!(evaluate("1/0"), Err(EvalError::DivisionByZero));
        assert_eq!(evaluate("10^400"), Err(EvalError::NotFinite));
        assert_eq!(evaluate(&"(".repeat(50)), Err(EvalError::TooDeep));
        assert_eq!(evaluate(&"1+".repeat(100)), Err(EvalError::TooManyNodes));
        assert!(matches!(
            evaluate(&"1".repeat(300)),
            Err(EvalError::TooLong(300))
        ));
        assert!(
            evaluate("").is_err() && evaluate("1 +").is_err() && evaluate("sqrt(1, 2)").is_err()
        );
    }
}
