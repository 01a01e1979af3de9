//! C header dump. (In progress.)
