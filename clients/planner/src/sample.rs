//! Sampling without a model: a server's `sampling/createMessage` answered from its own data.
//!
//! With sampling, a *server* asks the *client's* model to write something ("a headline for this
//! data"). The planner cannot write, but the prompts servers send usually follow one shape: an
//! instruction on the first line, the data after it. So it answers with the data's first
//! sentence (a headline: the first two, joined by a dash; a summary: the first two), and keeps
//! to the request's limits: it stops at a stop sequence and never writes more words than
//! `maxTokens` (counting one token a word).

/// Why a sampled answer ended, in MCP's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The answer is complete (`endTurn`).
    EndTurn,
    /// A stop sequence was reached (`stopSequence`).
    StopSequence,
    /// The `maxTokens` limit was reached (`maxTokens`).
    MaxTokens,
}

impl StopReason {
    /// The name MCP uses on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::EndTurn => "endTurn",
            StopReason::StopSequence => "stopSequence",
            StopReason::MaxTokens => "maxTokens",
        }
    }
}

/// Answers the sampling prompt `prompt` within `max_tokens` words, stopping at any of `stop`.
pub fn sample(prompt: &str, max_tokens: Option<u32>, stop: &[String]) -> (String, StopReason) {
    // "Instruction\ndata": the instruction says what to write, the data what to write about.
    let (instruction, data) = match prompt.split_once('\n') {
        Some((i, d)) if !d.trim().is_empty() => (i.to_lowercase(), d.trim().to_string()),
        _ => (prompt.to_lowercase(), prompt.trim().to_string()),
    };
    let mut text = write(&instruction, &data);
    let mut reason = StopReason::EndTurn;
    if let Some(pos) = stop.iter().filter_map(|s| text.find(s.as_str())).min() {
        text.truncate(pos);
        reason = StopReason::StopSequence;
    }
    if let Some(max) = max_tokens {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.len() > max as usize {
            text = words[..max as usize].join(" ");
            reason = StopReason::MaxTokens;
        }
    }
    (text.trim().to_string(), reason)
}

/// What the instruction asks for, written from the data's sentences.
fn write(instruction: &str, data: &str) -> String {
    let mut sentences = data.split_inclusive(". ");
    let first = sentences
        .next()
        .unwrap_or(data)
        .trim()
        .trim_end_matches('.');
    if instruction.contains("headline") || instruction.contains("title") {
        match sentences.next() {
            Some(rest) => format!("{first} — {}", rest.trim().trim_end_matches('.')),
            None => first.to_string(),
        }
    } else if instruction.contains("summar") || instruction.contains("short") {
        data.split_inclusive(". ")
            .take(2)
            .collect::<String>()
            .trim()
            .to_string()
    } else {
        first.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_respects_max_tokens_and_stop_sequences() {
        let prompt = "Create a stock headline based on the following data\nAAPL +1.20 (+0.69%) over 1mo. Latest close $175.50.";
        let (text, reason) = sample(prompt, None, &[]);
        assert_eq!(text, "AAPL +1.20 (+0.69%) over 1mo — Latest close $175.50");
        assert_eq!(reason, StopReason::EndTurn);
        let (text, reason) = sample(prompt, Some(2), &[]);
        assert_eq!(text, "AAPL +1.20");
        assert_eq!(reason, StopReason::MaxTokens);
        let (text, reason) = sample(prompt, None, &[" over".into()]);
        assert_eq!(text, "AAPL +1.20 (+0.69%)");
        assert_eq!(reason, StopReason::StopSequence);
    }
}
