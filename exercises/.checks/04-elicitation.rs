//! Hidden checks for exercise 04-elicitation (being written).
