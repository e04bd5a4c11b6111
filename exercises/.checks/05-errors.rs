//! Hidden checks for exercise 05-errors (being written).
