mod object_support;
#[test]
#[ignore]
fn timing() {
    let files = object_support::corpus().unwrap();
    let data: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let names: Vec<String> = files.iter().map(|p| object_support::name_of(p)).collect();
    let (mut parse, mut check) = (f64::MAX, f64::MAX);
    let mut count = 0usize;
    for _ in 0..10 {
        let t = std::time::Instant::now();
        for _ in 0..30 {
            for (d, name) in data.iter().zip(&names) {
                count += bpfc::object::ObjectSpec::parse(d, name).unwrap().maps.len();
            }
        }
        parse = parse.min(t.elapsed().as_secs_f64());
        let t = std::time::Instant::now();
        for _ in 0..30 {
            for (d, name) in data.iter().zip(&names) {
                let o = bpfc::object::ObjectSpec::parse(d, name).unwrap();
                count += bpfc::diag::check_object(&o, &Default::default()).len();
            }
        }
        check = check.min(t.elapsed().as_secs_f64());
    }
    let per = |s: f64| s * 1e6 / (30 * data.len()) as f64;
    println!(
        "{} objects: parse {:.2} us, parse+check {:.2} us per object (best batch) {count}",
        data.len(),
        per(parse),
        per(check)
    );
}
