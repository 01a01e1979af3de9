use bpfc::bpf_map;

#[bpf_map(max_entries = 64)]
pub static CONNECTION_TRACKER: Hash<u32, u64>;

#[bpf_map(max_entries = 64, name = "flow-table")]
pub static FLOWS: Hash<u32, u64>;

#[bpf_map(max_entries = 64, name = "flows.v2")]
pub static FLOWS_V2: Hash<u32, u64>;

#[bpf_map(max_entries = 64, name = "flows.v2", legacy)]
pub static FLOWS_OLD: Hash<u32, u64>;

fn main() {}
