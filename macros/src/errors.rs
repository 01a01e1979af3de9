//! Collects every error of a declaration so that one compile shows them all.

use proc_macro2::Span;
use std::fmt::Display;

#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// An error at `span` with a rustc-style `help:` line.
    pub fn at(&mut self, span: Span, message: impl Display, help: Option<String>) {
        self.push(error_with_help(span, message, help));
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// syn has no notes or helps; rustc shows a message's further lines under
/// the pointer, so the help goes on its own line, prefixed like rustc's.
pub fn error_with_help(span: Span, message: impl Display, help: Option<String>) -> syn::Error {
    match help {
        Some(help) => syn::Error::new(span, format!("{message}\n= help: {help}")),
        None => syn::Error::new(span, message.to_string()),
    }
}
