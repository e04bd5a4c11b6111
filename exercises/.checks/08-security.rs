//! Hidden checks for exercise 08-security (being written).
