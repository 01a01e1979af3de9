//! Differential test: thousands of small random blobs, most of them a
//! little wrong, each validated by us and loaded into the running kernel.
//! The verdicts must agree, and when both refuse, the errno must be the one
//! `Code::kernel_refusal` gives for our first error and the kernel's error line
//! must carry our first error's message. Deterministic (fixed seed).

#[path = "common/btf_blob.rs"]
mod btf_blob;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use bpfc::btf::validate::{validate_bytes, Finding};
use bpfc::sys::{btf_load, LogLevel};
use btf_blob::*;

/// xorshift64*: small, deterministic, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// True once in `n` times.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

/// Picks from `good` values, or from `bad` ones once in `noise` times.
fn choose<T: Copy>(rng: &mut Rng, noise: u64, good: &[T], bad: &[T]) -> T {
    if !bad.is_empty() && rng.one_in(noise) {
        rng.pick(bad)
    } else {
        rng.pick(good)
    }
}

const NAMES: &[&str] = &["a", "b_1", "int", "x", ".x", "a.b", "\u{e9}"];
const BAD_NAMES: &[&str] = &["", "a$b", "?x", "x y", "9a", "a-b"];

/// A random blob of up to `max_types` types; each field is wrong once in
/// `noise` times, references are random (so loops, missing and
/// wrong-kind targets come up on their own).
fn random_blob(rng: &mut Rng, max_types: u64, noise: u64) -> Vec<u8> {
    let mut b = BtfBlob::new();
    let n = 1 + rng.below(max_types) as u32;
    let r = |rng: &mut Rng| -> u32 {
        if rng.one_in(noise * 2) {
            n + 1 + rng.below(2) as u32
        } else {
            rng.below(u64::from(n) + 1) as u32
        }
    };
    for _ in 0..n {
        let kind = if rng.one_in(3) {
            KIND_INT
        } else {
            1 + rng.below(19) as u32
        };
        let kflag = rng.one_in(noise * 2);
        let name = choose(rng, noise, NAMES, BAD_NAMES);
        let name_off = b.str(name);
        let vlen_noise = u32::from(rng.one_in(noise * 4));
        let some_name = |rng: &mut Rng| if rng.one_in(noise) { name_off } else { 0 };
        match kind {
            KIND_INT => {
                let size = choose(rng, noise, &[1u32, 2, 4, 4, 8, 16], &[3, 0]);
                let bits = choose(rng, noise, &[8u32, 16, 32, 32, 64, 1, 3], &[33, 128, 129]);
                let offset = choose(rng, noise, &[0u32], &[1, 4]);
                let enc = choose(rng, noise, &[0u32, 1, 1, 2, 4], &[3, 5]);
                let name_off = b.str(rng.pick(&["int", "char", "unsigned int", "u4"]));
                b.raw(name_off, info(KIND_INT, kflag, vlen_noise), size);
                b.word(int_data(enc, offset, bits.min(255)));
            }
            KIND_PTR | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT => {
                let name_off = some_name(rng);
                let target = r(rng);
                b.raw(name_off, info(kind, kflag, vlen_noise), target);
            }
            KIND_TYPEDEF | KIND_TYPE_TAG => {
                let target = r(rng);
                b.raw(name_off, info(kind, kflag, vlen_noise), target);
            }
            KIND_ARRAY => {
                let (elem, index) = (r(rng), r(rng));
                let name_off = some_name(rng);
                b.raw(name_off, info(KIND_ARRAY, kflag, 0), 0);
                b.word(elem)
                    .word(index)
                    .word(choose(rng, noise, &[0u32, 1, 4, 4], &[0x4000_0000]));
            }
            KIND_STRUCT | KIND_UNION => {
                let size = rng.pick(&[0u32, 1, 4, 8, 16, 24, 32, 64]);
                let vlen = rng.below(4) as u32;
                let kflag = rng.one_in(4);
                b.raw(
                    if rng.one_in(2) { 0 } else { name_off },
                    info(kind, kflag, vlen),
                    size,
                );
                let mut off = 0;
                for _ in 0..vlen {
                    let m = b.str(choose(rng, noise, NAMES, BAD_NAMES));
                    let ty = r(rng);
                    if kind == KIND_STRUCT {
                        off += choose(rng, noise, &[0u32, 8, 32, 64], &[3]);
                    } else if rng.one_in(noise) {
                        off = 8;
                    }
                    let bitfield = if kflag {
                        rng.pick(&[0u32, 0, 1, 3, 8])
                            .max(u32::from(rng.one_in(noise)) * 33)
                            << 24
                    } else {
                        0
                    };
                    b.word(m).word(ty).word(bitfield | off);
                }
            }
            KIND_ENUM | KIND_ENUM64 => {
                let size = choose(rng, noise, &[1u32, 2, 4, 4, 8], &[3, 0, 16]);
                let vlen = rng.below(3) as u32;
                b.raw(
                    if rng.one_in(2) { 0 } else { name_off },
                    info(kind, kflag, vlen),
                    size,
                );
                for i in 0..vlen {
                    let e = b.str(choose(rng, noise, &["A", "B"], &["", "a$b"]));
                    b.word(e).word(i);
                    if kind == KIND_ENUM64 {
                        b.word(0);
                    }
                }
            }
            KIND_FWD => {
                let target = u32::from(rng.one_in(noise));
                b.raw(name_off, info(KIND_FWD, rng.one_in(2), vlen_noise), target);
            }
            KIND_FUNC => {
                let target = r(rng);
                let linkage = choose(rng, noise, &[0u32, 1], &[2]);
                b.raw(name_off, info(KIND_FUNC, kflag, linkage), target);
            }
            KIND_FUNC_PROTO => {
                let vlen = rng.below(4) as u32;
                let ret = r(rng);
                let name_off = some_name(rng);
                b.raw(name_off, info(KIND_FUNC_PROTO, kflag, vlen), ret);
                for _ in 0..vlen {
                    let p = b.str(choose(rng, noise, &["p", "q"], &["", "a$b"]));
                    let ty = if rng.one_in(6) { 0 } else { r(rng) };
                    b.word(p).word(ty);
                }
            }
            KIND_VAR => {
                let target = r(rng);
                b.raw(name_off, info(KIND_VAR, kflag, vlen_noise), target);
                b.word(choose(rng, noise, &[0u32, 1], &[2]));
            }
            KIND_DATASEC => {
                let vlen = rng.below(3) as u32;
                let name_off = b.str(choose(
                    rng,
                    noise,
                    &[".data", ".bss", "?x y"],
                    &["", "a\tb"],
                ));
                b.raw(
                    name_off,
                    info(KIND_DATASEC, kflag, vlen),
                    choose(rng, noise, &[4u32, 8, 16, 32], &[0]),
                );
                let mut off = 0;
                for _ in 0..vlen {
                    let ty = r(rng);
                    let size = choose(rng, noise, &[4u32, 8], &[0, 2]);
                    b.word(ty).word(off).word(size);
                    off += choose(rng, noise, &[4u32, 8], &[0]);
                }
            }
            KIND_FLOAT => {
                b.raw(
                    name_off,
                    info(KIND_FLOAT, kflag, vlen_noise),
                    choose(rng, noise, &[2u32, 4, 8, 12, 16], &[3]),
                );
            }
            KIND_DECL_TAG => {
                let value = b.str(choose(rng, noise, &["tag"], &[""]));
                let target = r(rng);
                b.raw(
                    value,
                    info(KIND_DECL_TAG, rng.one_in(4), vlen_noise),
                    target,
                );
                b.word(choose(rng, noise, &[-1i32, -1, 0, 1], &[-2]) as u32);
            }
            _ => unreachable!("kinds are 1..=19"),
        }
    }
    b.build()
}

fn render(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {f}\n")).collect()
}

fn hex(blob: &[u8]) -> String {
    blob.chunks(4)
        .map(|w| w.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cases` random blobs through both and returns (accepted, refused).
fn agree(seed: u64, cases: u32, max_types: u64, noise: u64) -> (u32, u32) {
    let mut rng = Rng(seed);
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..cases {
        let blob = random_blob(&mut rng, max_types, noise);
        let findings = validate_bytes(&blob);
        let first = findings.iter().find(|f| f.is_error());
        let kernel = btf_load(&blob, LogLevel::OFF);
        let what = || {
            format!(
                "seed {seed:#x} case {case}\nblob: {}\nfindings:\n{}",
                hex(&blob),
                render(&findings)
            )
        };
        match (first, kernel) {
            (None, Ok(_)) => accepted += 1,
            (Some(f), Err(e)) => {
                refused += 1;
                assert_eq!(
                    e.errno().0,
                    f.code.kernel_refusal().errno.number(),
                    "{}\nthe kernel failed with another errno than Code::kernel_refusal says for {:?}",
                    what(),
                    f.code
                );
                let last = e
                    .log
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("");
                assert!(
                    last.contains(&f.message),
                    "{}\nour first error {:?} is not the kernel's: {last:?}\nlog:\n{}",
                    what(),
                    f.message,
                    e.log
                );
            }
            (None, Err(e)) => panic!("{}\nthe kernel refuses it: {e}\nlog:\n{}", what(), e.log),
            (Some(f), Ok(_)) => panic!("{}\nthe kernel accepts it, we say: {f}", what()),
        }
    }
    eprintln!("seed {seed:#x}: {accepted} accepted, {refused} refused");
    (accepted, refused)
}

#[test]
fn noisy_blobs_agree_with_the_kernel() {
    if !kernel_btf::kernel_available("noisy_blobs_agree_with_the_kernel") {
        return;
    }
    let (accepted, refused) = agree(0x5eed_b7f0_2026_0001, 3000, 7, 4);
    assert!(
        accepted > 100 && refused > 1000,
        "{accepted} accepted, {refused} refused"
    );
}

/// Mostly well-formed types with random references: the resolution phase
/// (loops, depth, missing and wrong-kind targets, member fits) decides.
#[test]
fn mostly_valid_blobs_agree_with_the_kernel() {
    if !kernel_btf::kernel_available("mostly_valid_blobs_agree_with_the_kernel") {
        return;
    }
    let (accepted, refused) = agree(0x5eed_b7f0_2026_0002, 6000, 12, 60);
    assert!(
        accepted > 300 && refused > 1000,
        "{accepted} accepted, {refused} refused"
    );
}

/// A longer run over many seeds and noise levels (200k blobs, a few
/// seconds in release): `cargo test --release --test
/// btf_validate_differential -- --ignored`.
#[test]
#[ignore]
fn soak_many_seeds() {
    if !kernel_btf::kernel_available("soak_many_seeds") {
        return;
    }
    for s in 0..40u64 {
        let mut rng = Rng(0xabc0_0000 + s * 7919);
        let noise = [3u64, 10, 60, 200][s as usize % 4];
        agree(rng.next(), 5000, 14, noise);
    }
}
