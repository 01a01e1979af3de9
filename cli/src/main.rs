fn main() {
    println!("bpfc");
}
