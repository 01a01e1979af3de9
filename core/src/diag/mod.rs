//! Findings: a stable code, severity, location, rule, consequence and fix. (In progress.)
