//! JSON dump. (In progress.)
