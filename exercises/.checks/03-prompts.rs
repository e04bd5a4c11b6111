//! Hidden checks for exercise 03-prompts (being written).
