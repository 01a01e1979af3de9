//! The running kernel's symbols and configuration, as libbpf looks an
//! object's externs up in them at load time (`bpf_object__resolve_externs`):
//!
//! - typed `__ksym` variables and kfuncs by name among the VARs and FUNCs of
//!   `/sys/kernel/btf/vmlinux`, then of each module's BTF in
//!   `/sys/kernel/btf/` (split BTF on vmlinux);
//! - typeless `__ksym` variables (`extern const void x __ksym`) by name in
//!   `/proc/kallsyms`;
//! - `__kconfig` values in `/boot/config-$(uname -r)`, else the gzipped
//!   `/proc/config.gz`;
//! - struct_ops types (`struct X` and its `struct bpf_struct_ops_X`) among
//!   the STRUCTs of the kernel's and modules' BTF (libbpf 1.1 looks in
//!   vmlinux only; later versions in modules too).
//!
//! Each source is read once, the first time an object needs it, and kept:
//! a run over thousands of objects reads vmlinux's BTF at most once (once
//! per process, for every `HostKernel`: see [`KERNEL_BTF`]).

use super::limits::read;
use super::HostError;
use crate::btf::{Btf, Kind};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const BTF_DIR: &str = "/sys/kernel/btf";
const KALLSYMS: &str = "/proc/kallsyms";
const PROC_CONFIG: &str = "/proc/config.gz";

/// The kernel symbols and configuration of this machine, read on demand.
#[derive(Debug, Default)]
pub struct HostKernel {
    kallsyms: OnceLock<Result<HashSet<Box<str>>, HostError>>,
    kconfig: OnceLock<Result<Kconfig, HostError>>,
}

/// The kernel's and modules' BTF, parsed, and where their VARs, FUNCs and
/// STRUCTs are.
///
/// Read once per process and kept for its lifetime ([`KERNEL_BTF`]): a
/// parsed BTF borrows its bytes, and a module's borrows vmlinux's, so the
/// blobs are given a `'static` home, once. Checking each object's typed
/// externs then costs a lookup, not a parse (~0.6 ms for vmlinux here).
struct KernelBtf {
    vmlinux: &'static Btf<'static>,
    modules: Vec<Btf<'static>>,
    /// Name -> (module index, or `None` for vmlinux; type id).
    vars: HashMap<Box<str>, (Option<usize>, u32)>,
    funcs: HashMap<Box<str>, (Option<usize>, u32)>,
    structs: HashSet<Box<str>>,
}

/// The running kernel's BTF, for every [`HostKernel`] of the process.
static KERNEL_BTF: OnceLock<Result<KernelBtf, HostError>> = OnceLock::new();

fn kernel_btf() -> Result<&'static KernelBtf, &'static HostError> {
    KERNEL_BTF.get_or_init(read_kernel_btf).as_ref()
}

/// `CONFIG_*` values as the config file spells them (`y`, `m`, `"text"`,
/// `0x10`), and where they were read.
#[derive(Debug)]
pub struct Kconfig {
    pub path: PathBuf,
    values: HashMap<Box<str>, Box<str>>,
}

impl Kconfig {
    /// The value of `name` (`CONFIG_...`), `None` when the file has no
    /// `name=` line (a `# CONFIG_X is not set` comment is no value either).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| &**v)
    }

    /// Parses a kernel config: `NAME=VALUE` lines; comments and blank
    /// lines are skipped, as libbpf skips them.
    pub fn parse(path: PathBuf, text: &str) -> Kconfig {
        let values = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("CONFIG_"))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Kconfig { path, values }
    }
}

impl HostKernel {
    pub fn new() -> HostKernel {
        HostKernel::default()
    }

    /// Whether the kernel's or a module's BTF has a FUNC (`func`) or a VAR
    /// named `name`.
    pub fn btf_has(&self, name: &str, func: bool) -> Result<bool, &HostError> {
        let kernel = kernel_btf()?;
        Ok(if func { &kernel.funcs } else { &kernel.vars }.contains_key(name))
    }

    /// Whether the kernel's or a module's BTF has a STRUCT named `name`.
    pub fn btf_has_struct(&self, name: &str) -> Result<bool, &HostError> {
        let kernel = kernel_btf()?;
        Ok(kernel.structs.contains(name))
    }

    /// Calls `f` with the BTF that defines the FUNC (`func`) or VAR `name`
    /// (vmlinux's, or a module's split on it) and its type id; `None` when
    /// no BTF defines it. vmlinux is found first, as libbpf looks there
    /// first.
    pub fn with_symbol_btf<R>(
        &self,
        name: &str,
        func: bool,
        f: impl FnOnce(&Btf<'_>, u32) -> R,
    ) -> Result<Option<R>, &HostError> {
        let kernel = kernel_btf()?;
        let found = if func { &kernel.funcs } else { &kernel.vars }.get(name);
        Ok(found.map(|&(module, id)| match module {
            None => f(kernel.vmlinux, id),
            Some(m) => f(&kernel.modules[m], id),
        }))
    }

    /// Whether `/proc/kallsyms` lists `name`.
    pub fn kallsyms_has(&self, name: &str) -> Result<bool, &HostError> {
        let names = self.kallsyms.get_or_init(read_kallsyms).as_ref()?;
        Ok(names.contains(name))
    }

    /// The kernel's configuration.
    pub fn kconfig(&self) -> Result<&Kconfig, &HostError> {
        self.kconfig.get_or_init(read_kconfig).as_ref()
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, HostError> {
    std::fs::read(path).map_err(|source| HostError::Read {
        path: path.into(),
        source,
    })
}

fn btf_error(path: &Path, e: impl std::fmt::Display) -> HostError {
    HostError::Btf {
        path: path.into(),
        message: e.to_string(),
    }
}

/// Where `btf`'s VARs, FUNCs and STRUCTs are, added to the maps (the
/// first definition of a name wins: vmlinux before the modules).
#[derive(Default)]
struct Names {
    vars: HashMap<Box<str>, (Option<usize>, u32)>,
    funcs: HashMap<Box<str>, (Option<usize>, u32)>,
    structs: HashSet<Box<str>>,
}

impl Names {
    fn collect(&mut self, btf: &Btf<'_>, module: Option<usize>) {
        for t in btf.types() {
            let Ok(name) = btf.str_at(t.name_off()) else {
                continue;
            };
            let at = (module, t.id());
            match t.kind() {
                Kind::Var => {
                    self.vars.entry(Box::from(&*name)).or_insert(at);
                }
                Kind::Func => {
                    self.funcs.entry(Box::from(&*name)).or_insert(at);
                }
                Kind::Struct => {
                    self.structs.insert(Box::from(&*name));
                }
                _ => {}
            }
        }
    }
}

/// Reads and parses vmlinux's and the modules' BTF, giving their bytes
/// (and vmlinux's parse, which the modules' borrow) the process lifetime.
fn read_kernel_btf() -> Result<KernelBtf, HostError> {
    let dir = Path::new(BTF_DIR);
    let vmlinux_path = dir.join("vmlinux");
    let bytes: &'static [u8] = Box::leak(read_bytes(&vmlinux_path)?.into_boxed_slice());
    let vmlinux = Btf::parse(bytes).map_err(|e| btf_error(&vmlinux_path, e))?;
    let vmlinux: &'static Btf<'static> = Box::leak(Box::new(vmlinux));
    let mut names = Names::default();
    names.collect(vmlinux, None);

    let entries = std::fs::read_dir(dir).map_err(|source| HostError::Read {
        path: dir.into(),
        source,
    })?;
    let mut module_paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n != "vmlinux"))
        .collect();
    module_paths.sort();
    let mut modules = Vec::with_capacity(module_paths.len());
    for path in &module_paths {
        let bytes: &'static [u8] = Box::leak(read_bytes(path)?.into_boxed_slice());
        let module = Btf::parse_split(bytes, vmlinux).map_err(|e| btf_error(path, e))?;
        names.collect(&module, Some(modules.len()));
        modules.push(module);
    }
    Ok(KernelBtf {
        vmlinux,
        modules,
        vars: names.vars,
        funcs: names.funcs,
        structs: names.structs,
    })
}

fn read_kallsyms() -> Result<HashSet<Box<str>>, HostError> {
    let text = read(Path::new(KALLSYMS))?;
    // "ADDRESS TYPE NAME [MODULE]"
    Ok(text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(Into::into)
        .collect())
}

fn read_kconfig() -> Result<Kconfig, HostError> {
    let release = rustix::system::uname();
    let release = release.release().to_string_lossy();
    let boot = PathBuf::from(format!("/boot/config-{release}"));
    if let Ok(text) = std::fs::read_to_string(&boot) {
        return Ok(Kconfig::parse(boot, &text));
    }
    let path = PathBuf::from(PROC_CONFIG);
    let gz = read_bytes(&path)?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .map_err(|source| HostError::Read {
            path: path.clone(),
            source,
        })?;
    Ok(Kconfig::parse(path, &text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_skip as skip_rule;

    #[test]
    fn config_lines_are_values_and_comments_are_not() {
        let k = Kconfig::parse(
            "test".into(),
            "#\n# CONFIG_NOT_SET is not set\nCONFIG_BPF=y\nCONFIG_HZ=250\nCONFIG_NAME=\"x=y\"\n\n",
        );
        assert_eq!(k.value("CONFIG_BPF"), Some("y"));
        assert_eq!(k.value("CONFIG_HZ"), Some("250"));
        assert_eq!(k.value("CONFIG_NAME"), Some("\"x=y\""));
        assert_eq!(k.value("CONFIG_NOT_SET"), None);
    }

    #[test]
    fn this_kernel_has_its_own_symbols_and_config() {
        let host = HostKernel::new();
        if !Path::new(BTF_DIR).join("vmlinux").exists() {
            skip_rule::skip("the running kernel has no /sys/kernel/btf/vmlinux");
            return;
        }
        // Every BTF kernel has the helper bpf_map_lookup_elem as a FUNC,
        // and kallsyms names it too.
        assert_eq!(host.btf_has("bpf_map_lookup_elem", true).ok(), Some(true));
        assert_eq!(host.btf_has("bpfc_no_such_symbol", true).ok(), Some(false));
        assert_eq!(
            host.btf_has_struct("bpf_struct_ops_tcp_congestion_ops")
                .ok(),
            Some(true)
        );
        assert_eq!(host.kallsyms_has("bpf_map_lookup_elem").ok(), Some(true));
        match host.kconfig() {
            Ok(config) => assert_eq!(config.value("CONFIG_BPF"), Some("y")),
            Err(e) => skip_rule::skip(&format!("no kernel config to read: {e}")),
        }
    }
}
