//! Quoting a user's value in an error: never more than a bounded prefix.
//!
//! An error that repeats its input whole can be larger than what carries it (a gRPC
//! status travels in HTTP/2 trailers: above ~8 KB the client sees
//! `RESOURCE_EXHAUSTED` instead of the error) and repeats whatever the input holds into
//! logs and terminals. Every engine error that quotes a value goes through [`quote`]
//! (directly or through [`crate::fiche::FieldError::new`]). A leaf module: every
//! other may use it.

use std::fmt::Write;

/// Characters of a value an error quotes at most.
pub const QUOTED_CHARS: usize = 64;

/// `value` in double quotes with control characters escaped (Rust's `Debug` form), cut
/// after [`QUOTED_CHARS`] characters; a cut value is followed by its length:
/// `"Saint-Étienne"`, `"aaaa…aaa"…(20000 caractères)`.
pub fn quote(value: &str) -> String {
    match value.char_indices().nth(QUOTED_CHARS) {
        None => format!("{value:?}"),
        Some((end, _)) => {
            // Counting the characters is linear but allocates nothing.
            let chars = QUOTED_CHARS + value[end..].chars().count();
            format!("{:?}…({chars} caractères)", &value[..end])
        }
    }
}

/// A value that is not text (a number, a code), shown as written but bounded like
/// [`quote`].
pub fn shown(value: impl std::fmt::Display) -> String {
    let mut out = Bounded::default();
    // `Bounded` never fails: it stops keeping characters past the bound.
    let _ = write!(out, "{value}");
    if out.chars > QUOTED_CHARS {
        format!("{}…({} caractères)", out.kept, out.chars)
    } else {
        out.kept
    }
}

/// A `fmt::Write` keeping the first [`QUOTED_CHARS`] characters and counting the rest.
#[derive(Default)]
struct Bounded {
    kept: String,
    chars: usize,
}

impl Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for c in s.chars() {
            if self.chars < QUOTED_CHARS {
                self.kept.push(c);
            }
            self.chars += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole_and_escaped() {
        assert_eq!(quote("Saint-Étienne"), "\"Saint-Étienne\"");
        assert_eq!(quote("a\rb\u{1b}"), "\"a\\rb\\u{1b}\"");
        assert_eq!(quote(&"é".repeat(64)), format!("{:?}", "é".repeat(64)));
        assert_eq!(shown(95.5), "95.5");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "é".repeat(20_000);
        let quoted = quote(&long);
        assert_eq!(quoted, format!("{:?}…(20000 caractères)", "é".repeat(64)));
        assert!(quoted.len() < 200);
        let shown = shown(&long);
        assert!(shown.ends_with("…(20000 caractères)") && shown.chars().count() < 100);
    }
}
