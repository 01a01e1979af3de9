use bpfc::Pod;

#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct Padded {
    pub proto: u8,
    pub addr: u32,
}

#[derive(Clone, Copy, Pod)]
pub struct NoRepr {
    pub addr: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct WithPointer {
    pub next: *const WithPointer,
    pub flag: bool,
}

#[repr(u32)]
#[derive(Clone, Copy, Pod)]
pub enum Proto {
    Tcp = 6,
}

fn main() {}
