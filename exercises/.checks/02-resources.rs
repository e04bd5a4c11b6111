//! Hidden checks for exercise 02-resources (being written).
