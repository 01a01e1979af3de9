//! From the parsed attribute and handle to a checked description of one map
//! (or of a map-in-map's inner template). Every rule that can be decided here
//! is an error with a span; the rest become `const` assertions.

use crate::args::{Args, Num};
use crate::errors::Errors;
use crate::flags::{self, describe, name_of};
use crate::item::{Given, Handle};
use crate::kinds::{Btf, Entries, Extra, Kind, Side};
use crate::rules::{self, apply, Assertion, Outcome, Rule, Value};
use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Path, Type};

/// The ring buffer and arena page size the checks assume (x86-64, most
/// arm64 kernels); a 16/64 KiB-page kernel wants larger multiples.
pub const PAGE_SIZE: u128 = 4096;

/// How a key or value lands in the definition struct.
pub enum Field {
    /// The type has no such side.
    None,
    /// `__type(key, T)`: a pointer to the Rust type, described by BTF.
    Type(Type),
    /// `__uint(key_size, N)`: a raw size, no BTF.
    Size(Value),
}

pub struct SideModel {
    /// The Rust type user space sees (`()` when absent).
    pub user_ty: TokenStream,
    /// The size in bytes, for `MapDecl` and the legacy record.
    pub size: Value,
    pub field: Field,
}

/// `map_extra` as libbpf encodes it.
pub enum ExtraField {
    /// `__uint(map_extra, N)`, for values that fit in 32 bits.
    Uint(Value),
    /// `__ulong(map_extra, N)`: an enum with one enumerator, for 64-bit
    /// values (arena addresses).
    Ulong(u64),
}

pub struct MapModel {
    pub kind: &'static Kind,
    /// The kernel-visible name.
    pub name: String,
    pub key: SideModel,
    pub value: SideModel,
    pub max_entries: Option<Value>,
    /// `None` when `map_flags` was not given (then no field is emitted).
    pub map_flags: Option<u32>,
    pub numa_node: Option<Value>,
    pub pinning: Option<u32>,
    pub map_extra: Option<ExtraField>,
    pub inner: Option<Box<MapModel>>,
    pub slots: Vec<Option<Path>>,
    pub legacy: bool,
    /// The key type that must be `bpfc::Pod` (hash-like maps).
    pub pod_key: Option<Type>,
    pub assertions: Vec<Assertion>,
}

struct Builder<'a> {
    kind: &'static Kind,
    /// The map's name as messages show it.
    name: &'a str,
    errors: &'a mut Errors,
    assertions: Vec<Assertion>,
    /// Checking a map-in-map's inner template (its arguments are in `inner(...)`).
    inner: bool,
    /// An argument was misspelt: "missing ..." errors would only repeat it.
    quiet_about_missing: bool,
}

impl Builder<'_> {
    /// Checks `value` against `rule`; `what` completes "map NAME: <what>".
    fn check(&mut self, value: &Value, rule: &Rule, what: &str, help: Option<String>) {
        let source = self.kernel("EINVAL");
        self.check_citing(value, rule, what, help, &source);
    }

    /// "kernel: <the type's check> → errno".
    fn kernel(&self, errno: &str) -> String {
        format!("kernel: {} → {errno}", self.kind.kernel_check)
    }

    /// [`Builder::check`] citing `source` for the rule.
    fn check_citing(
        &mut self,
        value: &Value,
        rule: &Rule,
        what: &str,
        help: Option<String>,
        source: &str,
    ) {
        let message = format!("map {}: {what}", self.name);
        match apply(value, rule, format!("{message} ({source})")) {
            Outcome::Holds => {}
            Outcome::Broken(span, v) => {
                self.errors
                    .at(span, format!("{message}; found {v} ({source})"), help)
            }
            Outcome::Deferred(assertion) => self.assertions.push(assertion),
        }
    }

    /// "add `arg`" where the argument belongs.
    fn add(&self, arg: &str) -> String {
        if self.inner {
            format!("add `{arg}` inside `inner(...)`")
        } else {
            format!("add `{arg}` to #[bpf_map(...)]")
        }
    }

    /// A number that lands in a 32-bit field (`__uint` is read as u32).
    fn fits_u32(&mut self, num: &Num, arg: &str) -> Value {
        let value = number(num);
        let what = format!("{arg} must fit in 32 bits");
        let source = "libbpf reads `__uint` fields as u32";
        self.check_citing(
            &value,
            &rules::at_most(u32::MAX as u128),
            &what,
            None,
            source,
        );
        value
    }
}

fn number(num: &Num) -> Value {
    match num.value {
        Some(v) => Value::Known(v, num.span()),
        None => Value::Expr(Box::new(num.expr.clone())),
    }
}

fn side_word(key: bool) -> &'static str {
    if key {
        "key"
    } else {
        "value"
    }
}

/// Checks one map (or a map-in-map's inner template); `name` is the
/// kernel-visible name.
pub fn build(
    handle: Handle,
    args: &Args,
    name: String,
    inner: bool,
    errors: &mut Errors,
) -> MapModel {
    let Handle {
        kind,
        name_span,
        key: key_given,
        value: value_given,
    } = handle;
    let mut b = Builder {
        kind,
        name: &name,
        errors,
        assertions: Vec::new(),
        inner,
        quiet_about_missing: args.misspelt,
    };

    let flags = check_flags(&mut b, name_span, args);
    let build_id = flags & flags::STACK_BUILD_ID != 0;
    let key = side(
        &mut b,
        true,
        &kind.key,
        key_given,
        args.key_size.as_ref(),
        build_id,
    );
    let (value, inner_handle) = match value_given {
        Given::Inner(inner) => (map_in_map_value(&mut b, args), Some(inner)),
        given => {
            let value = side(
                &mut b,
                false,
                &kind.value,
                given,
                args.value_size.as_ref(),
                build_id,
            );
            (value, None)
        }
    };
    let max_entries = check_max_entries(&mut b, name_span, args);
    let numa_node = args
        .numa_node
        .as_ref()
        .map(|num| check_numa_node(&mut b, num, flags));
    let map_extra = args
        .map_extra
        .as_ref()
        .and_then(|num| check_extra(&mut b, num, max_entries.as_ref()));
    let pod_key = pod_key(&mut b, &key, args);
    let inner = inner_template(&mut b, inner_handle, args);
    let slots = check_slots(&mut b, args, &key, max_entries.as_ref());
    if let Some(span) = args.legacy {
        check_legacy(&mut b, span, args);
    }

    let assertions = b.assertions;
    MapModel {
        kind,
        key,
        value,
        max_entries,
        map_flags: args.map_flags.as_ref().map(|_| flags),
        numa_node,
        pinning: args.pinning.as_ref().map(|p| p.value),
        map_extra,
        inner,
        slots,
        legacy: args.legacy.is_some(),
        pod_key,
        assertions,
        name,
    }
}

/// A map-in-map's value: the inner map's fd, always 4 bytes (libbpf sets it
/// from `values`, so the definition has no value field).
fn map_in_map_value(b: &mut Builder, args: &Args) -> SideModel {
    if let Some(size) = &args.value_size {
        b.errors.at(
            size.name_span,
            format!(
                "a `{}` value is the inner map's fd (4 bytes); `value_size` cannot change it",
                b.kind.name
            ),
            Some("remove `value_size`".into()),
        );
    }
    SideModel {
        user_ty: quote!(),
        size: Value::Known(4, Span::call_site()),
        field: Field::None,
    }
}

fn check_numa_node(b: &mut Builder, num: &Num, flags: u32) -> Value {
    let kind = b.kind;
    if flags & flags::NUMA_NODE == 0 {
        let help = if kind.flags & flags::NUMA_NODE != 0 {
            "add `numa_node` to `map_flags`".to_string()
        } else {
            format!(
                "{} maps cannot be placed on a NUMA node (kernel: {})",
                kind.name, kind.kernel_check
            )
        };
        b.errors.at(
            num.name_span,
            "`numa_node` needs the `numa_node` flag: the kernel ignores the node without it",
            Some(help),
        );
    }
    b.fits_u32(num, "numa_node")
}

/// The key type that must be `bpfc::Pod`: a typed key of a map that compares
/// keys byte for byte, unless the declaration opts out.
fn pod_key(b: &mut Builder, key: &SideModel, args: &Args) -> Option<Type> {
    let kind = b.kind;
    if let Some(switch) = args.allow_key_padding {
        if !kind.byte_compared_key {
            b.errors.at(
                switch,
                format!(
                    "`allow_key_padding` has no effect: {} maps do not compare keys byte for byte",
                    kind.name
                ),
                Some("remove it; it applies to hash maps, lpm_trie and sockhash".into()),
            );
        }
        return None;
    }
    match &key.field {
        Field::Type(ty) if kind.byte_compared_key => Some(ty.clone()),
        _ => None,
    }
}

/// The inner template of a map-in-map, checked like a map of its own with
/// the arguments of `inner(...)`; named `OUTER.inner` as libbpf does.
fn inner_template(
    b: &mut Builder,
    handle: Option<Box<Handle>>,
    args: &Args,
) -> Option<Box<MapModel>> {
    let Some(handle) = handle else {
        if let Some((span, _)) = &args.inner {
            b.errors.at(
                *span,
                format!(
                    "`inner(...)` is for array_of_maps and hash_of_maps, not {}",
                    b.kind.name
                ),
                None,
            );
        }
        return None;
    };
    let empty = Args::default();
    let inner_args = args.inner.as_ref().map_or(&empty, |(_, a)| &**a);
    let name = format!("{}.inner", b.name);
    Some(Box::new(build(*handle, inner_args, name, true, b.errors)))
}

/// `values = [...]`: only map-in-map types have initial slots, at most
/// max_entries of them.
fn check_slots(
    b: &mut Builder,
    args: &Args,
    key: &SideModel,
    max_entries: Option<&Value>,
) -> Vec<Option<Path>> {
    let kind = b.kind;
    let Some(values) = &args.values else {
        return Vec::new();
    };
    if !kind.is_map_in_map() {
        let help = if kind.name == "prog_array" {
            "prog_array slots name BPF programs, which #[bpf_map] cannot declare: leave them empty and fill them at run time"
        } else {
            "only array_of_maps and hash_of_maps have initial slots"
        };
        b.errors.at(
            values.name_span,
            format!("{} maps take no `values`", kind.name),
            Some(help.into()),
        );
        return Vec::new();
    }
    let count = values.slots.len() as u128;
    if let Some(max) = max_entries {
        let what = format!("{count} initial slots need max_entries >= {count}");
        let source = "libbpf: init_map_in_map_slots writes every slot";
        b.check_citing(max, &rules::at_least(count), &what, None, source);
    }
    if kind.name == "hash_of_maps" {
        b.check_citing(
            &key.size,
            &rules::exactly(4),
            "hash_of_maps keys must be 4 bytes to initialise slots",
            None,
            "libbpf: init_map_in_map_slots writes slot i under key i",
        );
    }
    values.slots.clone()
}

/// One side (key or value) from the handle's argument and the raw size.
fn side(
    b: &mut Builder,
    is_key: bool,
    rule: &Side,
    given: Given,
    raw: Option<&Num>,
    build_id: bool,
) -> SideModel {
    let kind = b.kind;
    let word = side_word(is_key);
    let size_arg = format!("{word}_size");
    let refuses_raw = |b: &mut Builder, num: &Num| {
        b.errors.at(
            num.name_span,
            format!("{} maps need BTF for their key and value, so `{size_arg}` cannot replace the type", kind.name),
            Some(format!(
                "give the {word} as the handle's type argument (kernel: {}: BTF key and value are mandatory)",
                kind.kernel_check
            )),
        );
    };
    match rule {
        Side::Absent | Side::Inner => {
            if let Some(num) = raw {
                b.errors.at(
                    num.name_span,
                    format!(
                        "{} maps have no {word}: `{size_arg}` does not apply",
                        kind.name
                    ),
                    Some(format!(
                        "remove `{size_arg}` (the kernel wants {word}_size 0: {})",
                        kind.kernel_check
                    )),
                );
            }
            SideModel {
                user_ty: quote!(()),
                size: Value::Known(0, Span::call_site()),
                field: Field::None,
            }
        }
        Side::Fixed { ty, size } => {
            let ty: Type = syn::parse_str(ty).expect("table types parse");
            match raw {
                Some(num) if kind.btf == Btf::Required => {
                    refuses_raw(b, num);
                    typed(kind, ty)
                }
                Some(num) => {
                    let value = b.fits_u32(num, &size_arg);
                    let what = format!("{} {word}s must be {size} bytes", kind.name);
                    b.check(&value, &rules::exactly(*size as u128), &what, None);
                    SideModel {
                        user_ty: ty.to_token_stream(),
                        size: value.clone(),
                        field: Field::Size(value),
                    }
                }
                None => fixed(kind, ty, *size),
            }
        }
        Side::Param {
            rules: size_rules, ..
        } => {
            let model = match (given, raw) {
                (Given::Type(ty), Some(num)) => {
                    let ty = *ty;
                    b.errors.at(
                        num.name_span,
                        format!("the {word} type is already given by the handle; `{size_arg}` would contradict it"),
                        Some(format!("keep the type, or write `_` in its place for a raw `{size_arg}`")),
                    );
                    typed(kind, ty)
                }
                (Given::Type(ty), None) => typed(kind, *ty),
                (Given::Default((ty, size)), None) => {
                    fixed(kind, syn::parse_str(ty).expect("table types parse"), size)
                }
                (Given::Infer(_) | Given::Default(_), Some(num)) => {
                    if kind.btf == Btf::Required {
                        refuses_raw(b, num);
                    }
                    let value = b.fits_u32(num, &size_arg);
                    let len = value.as_usize();
                    SideModel {
                        user_ty: quote!([u8; #len]),
                        size: value.clone(),
                        field: Field::Size(value),
                    }
                }
                (Given::Infer(span), None) => {
                    // Reported; a 1-byte stand-in keeps the size rules quiet.
                    b.errors.at(
                        span,
                        format!(
                            "`_` needs a raw size: {}",
                            b.add(&format!("{size_arg} = N"))
                        ),
                        None,
                    );
                    SideModel {
                        user_ty: quote!(()),
                        size: Value::Known(1, span),
                        field: Field::None,
                    }
                }
                (Given::Inner(_) | Given::NotAParam, _) => {
                    unreachable!("the handle parser matches the table")
                }
            };
            for rule in size_rules.iter() {
                for (rule, phrase, errno) in rules::size_rules(*rule, build_id) {
                    let what = format!("{} {word}s {phrase}", kind.name);
                    let source = b.kernel(errno);
                    b.check_citing(&model.size, &rule, &what, None, &source);
                }
            }
            model
        }
    }
}

/// A side whose type and size the kernel's table fixes (an index, an fd):
/// like [`typed`], with the size known here.
fn fixed(kind: &Kind, ty: Type, size: u64) -> SideModel {
    let size = Value::Known(size as u128, Span::call_site());
    let mut model = typed(kind, ty);
    if let Field::Size(_) = model.field {
        model.field = Field::Size(size.clone());
    }
    model.size = size;
    model
}

/// A side given as a Rust type: `__type` where the kernel takes BTF, a raw
/// `size_of` where it refuses it.
fn typed(kind: &Kind, ty: Type) -> SideModel {
    let size = Value::SizeOf(Box::new(ty.clone()));
    let field = if kind.btf == Btf::Refused {
        Field::Size(size.clone())
    } else {
        Field::Type(ty.clone())
    };
    SideModel {
        user_ty: ty.to_token_stream(),
        size,
        field,
    }
}

fn check_flags(b: &mut Builder, name_span: Span, args: &Args) -> u32 {
    let kind = b.kind;
    let Some(given) = &args.map_flags else {
        if kind.required_flags != 0 && !b.quiet_about_missing {
            let need = describe(kind.required_flags);
            b.errors.at(
                name_span,
                format!(
                    "{} maps need `map_flags = {need}` (kernel: {} → EINVAL)",
                    kind.name, kind.kernel_check
                ),
                Some(b.add(&format!("map_flags = {need}"))),
            );
        }
        return 0;
    };
    let bits = given.bits;
    for &(bit, ref ident) in &given.items {
        if bit & flags::NOT_FOR_DEFINITIONS != 0 {
            b.errors.at(
                ident.span(),
                format!("`{ident}` says how a file descriptor is passed to bpf(2); it is not part of a map definition"),
                Some(format!("remove `{ident}`")),
            );
        } else if kind.flags & bit == 0 {
            let consequence = if bit == flags::NO_PREALLOC && kind.name.starts_with("lru") {
                "ENOTSUPP: LRU maps are always preallocated"
            } else {
                "EINVAL"
            };
            let accepted = if kind.flags == 0 {
                format!("{} maps take no flags", kind.name)
            } else {
                format!("{} maps accept: {}", kind.name, describe(kind.flags))
            };
            b.errors.at(
                ident.span(),
                format!(
                    "map {}: {} maps do not accept `{ident}` (kernel: {} → {consequence})",
                    b.name, kind.name, kind.kernel_check
                ),
                Some(accepted),
            );
        }
    }
    let missing = kind.required_flags & !bits;
    if missing != 0 {
        b.errors.at(
            given.name_span,
            format!(
                "{} maps need `{}` in map_flags (kernel: {} → EINVAL)",
                kind.name,
                describe(missing),
                kind.kernel_check
            ),
            Some(format!("add `| {}`", describe(missing))),
        );
    }
    for (a, c, why) in [
        (flags::RDONLY, flags::WRONLY, "bpf_get_file_flag"),
        (
            flags::RDONLY_PROG,
            flags::WRONLY_PROG,
            "bpf_map_flags_access_ok",
        ),
    ] {
        if bits & a != 0 && bits & c != 0 {
            b.errors.at(
                given.span_of(c),
                format!(
                    "`{}` and `{}` exclude each other (kernel: {why} → EINVAL)",
                    name_of(a),
                    name_of(c)
                ),
                None,
            );
        }
    }
    if kind.name == "lru_hash" && bits & flags::NUMA_NODE != 0 && bits & flags::NO_COMMON_LRU != 0 {
        b.errors.at(
            given.span_of(flags::NUMA_NODE),
            "an lru_hash with `no_common_lru` cannot be placed on a NUMA node (kernel: htab_map_alloc_check → EINVAL)",
            None,
        );
    }
    bits
}

fn check_max_entries(b: &mut Builder, name_span: Span, args: &Args) -> Option<Value> {
    let kind = b.kind;
    let Some(num) = &args.max_entries else {
        let (message, help) = match kind.max_entries {
            Entries::Required { .. } => (
                format!("{} maps need `max_entries` (kernel: {} → EINVAL for 0)", kind.name, kind.kernel_check),
                b.add("max_entries = N"),
            ),
            Entries::RingSize => (
                format!(
                    "{} maps need `max_entries`: the ring size in bytes, a power of two and a multiple of {PAGE_SIZE}",
                    kind.name
                ),
                b.add("max_entries = 256 * 1024"),
            ),
            Entries::One => (
                format!("{} maps need `max_entries = 1` (kernel: {})", kind.name, kind.kernel_check),
                b.add("max_entries = 1"),
            ),
            Entries::PerCpuDefault | Entries::Zero => return None,
        };
        if !b.quiet_about_missing {
            let message = if b.inner {
                format!("the inner map: {message}")
            } else {
                message
            };
            b.errors.at(name_span, message, Some(help));
        }
        return None;
    };
    let value = b.fits_u32(num, "max_entries");
    let name = kind.name;
    match kind.max_entries {
        Entries::Required { max } => {
            b.check(
                &value,
                &rules::NON_ZERO,
                &format!("{name} maps need max_entries > 0"),
                None,
            );
            if let Some(max) = max {
                let what = format!("{name} maps take at most {max} entries");
                let errno = if name == "devmap_hash" {
                    "EINVAL"
                } else {
                    "E2BIG"
                };
                let source = b.kernel(errno);
                b.check_citing(&value, &rules::at_most(max as u128), &what, None, &source);
            }
        }
        Entries::PerCpuDefault => {}
        Entries::Zero => {
            let what = format!("{name} maps need max_entries 0");
            let help = "remove `max_entries`: the elements live with their owners (sockets, inodes, tasks, cgroups)";
            b.check(&value, &rules::exactly(0), &what, Some(help.into()));
        }
        Entries::One => {
            let what = format!("{name} maps need max_entries 1");
            b.check(&value, &rules::exactly(1), &what, None);
        }
        Entries::RingSize => {
            let what =
                format!("{name} size must be a power of two and a multiple of {PAGE_SIZE} bytes");
            let help = value.known().map(|v| {
                let fixed = v.max(PAGE_SIZE).next_power_of_two();
                format!("use `max_entries = {fixed}` (libbpf would round up to that)")
            });
            b.check(&value, &rules::ring_size(PAGE_SIZE), &what, help);
        }
    }
    Some(value)
}

fn check_extra(b: &mut Builder, num: &Num, max_entries: Option<&Value>) -> Option<ExtraField> {
    let kind = b.kind;
    let value = number(num);
    match kind.extra {
        Extra::None => {
            b.errors.at(
                num.name_span,
                format!("{} maps take no `map_extra` (kernel: map_create → EINVAL)", kind.name),
                Some("map_extra is for bloom_filter (hash count), arena (address) and rhash (size hint)".into()),
            );
            return None;
        }
        Extra::BloomHashes => {
            let what =
                "bloom_filter map_extra is the number of hash functions, at most 15 (0 means 5)";
            b.check(&value, &rules::at_most(15), what, None);
        }
        Extra::ArenaAddress => {
            let what = format!(
                "arena map_extra is the mapping's start address, a multiple of {PAGE_SIZE}"
            );
            b.check(&value, &rules::multiple_of(PAGE_SIZE), &what, None);
        }
        Extra::RhashHint => {
            b.check(
                &value,
                &rules::at_most(65535),
                "rhash map_extra (initial size hint) must be at most 65535",
                None,
            );
            if let (Some(max), Some(hint)) = (max_entries.and_then(Value::known), value.known()) {
                if hint > max {
                    b.errors.at(
                        num.span(),
                        format!("map {}: rhash map_extra (initial size hint) must not exceed max_entries ({max})", b.name),
                        None,
                    );
                }
            }
        }
    }
    match value.known() {
        Some(v) if v > u64::MAX as u128 => {
            b.errors
                .at(num.span(), "map_extra must fit in 64 bits", None);
            None
        }
        Some(v) if v > u32::MAX as u128 => Some(ExtraField::Ulong(v as u64)),
        _ => {
            let what = "map_extra above u32::MAX must be written as a literal (it then uses libbpf's __ulong form)";
            let source = "`__uint(map_extra, N)` holds 32 bits";
            b.check_citing(
                &value,
                &rules::at_most(u32::MAX as u128),
                what,
                None,
                source,
            );
            Some(ExtraField::Uint(value))
        }
    }
}

fn check_legacy(b: &mut Builder, legacy: Span, args: &Args) {
    let kind = b.kind;
    let refuse = |b: &mut Builder, span: Span, what: &str| {
        b.errors.at(
            span,
            format!("a legacy `struct bpf_map_def` has no {what}"),
            Some("drop `legacy` to declare a BTF-defined map, or remove this argument".into()),
        );
    };
    if let Some(p) = &args.pinning {
        refuse(b, p.name_span, "pinning field");
    }
    if let Some(n) = &args.numa_node {
        refuse(b, n.name_span, "numa_node field");
    }
    if let Some(n) = &args.map_extra {
        refuse(b, n.name_span, "map_extra field");
    }
    if kind.is_map_in_map() {
        b.errors.at(
            legacy,
            format!(
                "{} cannot be a legacy map: `struct bpf_map_def` has no inner map",
                kind.name
            ),
            None,
        );
    }
    if kind.btf == Btf::Required {
        b.errors.at(
            legacy,
            format!(
                "{} maps need BTF, which legacy definitions do not carry",
                kind.name
            ),
            None,
        );
    }
}
