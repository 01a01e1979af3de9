//! Benchmarks of bpfc; see the benches/ folder.
