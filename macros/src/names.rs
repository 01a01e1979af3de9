//! Map names the kernel accepts (bpf-reference §1.1 item 13): at most 15
//! bytes (`BPF_OBJ_NAME_LEN` 16 with the NUL) of `[A-Za-z0-9_.]`. libbpf
//! silently cuts longer names, which then collide or stop matching pins.

/// `BPF_OBJ_NAME_LEN - 1`.
pub const MAX_LEN: usize = 15;

/// Why the kernel would refuse `name`, and a name it would accept instead.
pub struct NameProblem {
    pub message: String,
    pub suggestion: String,
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

pub fn check(name: &str) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem {
            message: "a map name cannot be empty".into(),
            suggestion: "map".into(),
        });
    }
    let cleaned: String = name
        .chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .collect();
    if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
        return Err(NameProblem {
            message: format!(
                "map name `{name}` contains `{bad}`; the kernel accepts only letters, digits, `_` and `.` (map_create → EINVAL)"
            ),
            suggestion: cut(&cleaned),
        });
    }
    if name.len() > MAX_LEN {
        return Err(NameProblem {
            message: format!(
                "map name `{name}` is {} bytes; the kernel takes at most {MAX_LEN} (BPF_OBJ_NAME_LEN), and libbpf would cut it to `{}`",
                name.len(),
                cut(name)
            ),
            suggestion: cut(name),
        });
    }
    Ok(())
}

/// A BTF-defined map's name is also its BTF VAR's name, which the kernel
/// requires to be a C identifier (`btf_var_check_meta`: "Invalid name"):
/// no `.`, no leading digit. Legacy maps have no VAR and keep `.`.
pub fn check_btf_var(name: &str) -> Result<(), NameProblem> {
    let leading_digit = name.starts_with(|c: char| c.is_ascii_digit());
    if !name.contains('.') && !leading_digit {
        return Ok(());
    }
    let mut suggestion = name.replace('.', "_");
    if leading_digit {
        suggestion.insert(0, '_');
    }
    Err(NameProblem {
        message: format!(
            "map name `{name}` is not a C identifier; a `.maps` map's name is its BTF VAR's name, which the kernel refuses unless it is one (BPF_BTF_LOAD: Invalid name); only `legacy` maps may use `.` or a leading digit"
        ),
        suggestion: cut(&suggestion),
    })
}

fn cut(name: &str) -> String {
    // The name is ASCII here (non-ASCII characters were replaced), so byte
    // and char counts agree.
    name.chars().take(MAX_LEN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kernel_names() {
        assert!(check("FLOWS").is_ok());
        assert!(check("my.map_1").is_ok());
        assert!(check("A23456789012345").is_ok());
    }

    #[test]
    fn refuses_long_and_odd_names() {
        let long = check("CONNECTION_TRACKER").unwrap_err();
        assert_eq!(long.suggestion, "CONNECTION_TRAC");
        let dash = check("my-map").unwrap_err();
        assert_eq!(dash.suggestion, "my_map");
        assert!(dash.message.contains("`-`"));
        let unicode = check("größe").unwrap_err();
        assert_eq!(unicode.suggestion, "gr__e");
        assert!(check("").is_err());
    }
}
