use bpfc::object::{object_name_from_path, ObjectSpec};

#[test]
#[ignore]
fn explore() {
    let paths = std::env::var("OBJ").unwrap();
    for path in paths.split_whitespace() {
        let data = std::fs::read(path).unwrap();
        let obj = match ObjectSpec::parse(&data, &object_name_from_path(path)) {
            Ok(o) => o,
            Err(e) => {
                println!("{path} FATAL {e}");
                continue;
            }
        };
        if std::env::var("FMT").is_ok() {
            for m in &obj.maps {
                println!(
                    "{path} map {} {} {} {} {} {:#x}",
                    m.name, m.map_type, m.key_size, m.value_size, m.max_entries, m.map_flags
                );
            }
            for p in obj.programs.iter().filter(|p| !p.subprogram) {
                println!(
                    "{path} prog {} {} {} {} {} {}",
                    p.name,
                    p.section.trim_start_matches('?'),
                    p.prog_type.map_or(0, |t| t as u32),
                    p.attach_type.map_or(0, |t| t as u32),
                    p.insn_count,
                    p.autoload as u8
                );
            }
            continue;
        }
        for m in &obj.maps {
            println!("map {:?}", m);
        }
        for p in &obj.programs {
            println!(
                "prog {} sec={} type={:?} attach={:?} insns={} sub={} calls={:?} maps={:?}",
                p.name,
                p.section,
                p.prog_type,
                p.attach_type,
                p.insn_count,
                p.subprogram,
                p.calls,
                p.maps
            );
            for r in &p.relocations {
                println!("   {:?}", r);
            }
        }
        for f in bpfc::diag::check_object(&obj, &Default::default()) {
            println!("{f}");
            for e in &f.effects {
                println!("    {e}");
            }
        }
    }
}

#[test]
#[ignore]
fn dump_fixed_btf() {
    let paths = std::env::var("OBJ").unwrap();
    for path in paths.split_whitespace() {
        let data = std::fs::read(path).unwrap();
        let obj = ObjectSpec::parse(&data, &object_name_from_path(path)).unwrap();
        match obj.fixed_btf() {
            Some(Ok(b)) => {
                std::fs::write(format!("/tmp/oracle/btf/{}.btf", path.replace('/', "_")), b)
                    .unwrap()
            }
            other => println!("{path}: {:?}", other.map(|r| r.map(|_| ()))),
        }
    }
}
