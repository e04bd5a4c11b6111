//! Hidden checks for exercise 06-progress (being written).
