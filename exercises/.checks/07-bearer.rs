//! Hidden checks for exercise 07-bearer (being written).
