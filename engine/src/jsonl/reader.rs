//! Reading fiches from JSON Lines, one line at a time (the file is never held whole).

use std::io::BufRead;

use crate::fiche::Fiche;

/// Why a line is not a valid fiche: the field path when one is to blame, and a message
/// that quotes the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub field: Option<String>,
    pub message: String,
}

/// Parses and validates one line.
///
/// A line is parsed straight into a fiche first; only one that fails is parsed again
/// tracking the path of every field, to name the one at fault: tracking it for every
/// line cost a quarter of an import.
pub fn parse_fiche(line: &str) -> Result<Fiche, LineError> {
    if let Ok(fiche) = serde_json::from_str::<Fiche>(line)
        && fiche.validate().is_ok()
    {
        return Ok(fiche);
    }
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let fiche: Fiche = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = (path != "." && !inner.is_syntax() && !inner.is_eof()).then_some(path);
        LineError {
            field,
            message: describe(&inner),
        }
    })?;
    deserializer.end().map_err(|inner| LineError {
        field: None,
        message: describe(&inner),
    })?;
    fiche.validate().map_err(|error| LineError {
        field: Some(error.field),
        message: format!("{} : {}", error.value, error.reason),
    })?;
    Ok(fiche)
}

/// serde's messages quote the value they reject whole (`unknown variant `…``): past
/// this many characters a message is cut, with its length.
const MAX_MESSAGE_CHARS: usize = 240;

fn describe(error: &serde_json::Error) -> String {
    // serde_json appends "at line 1 column N"; the line is ours, the column is useful.
    let text = error.to_string();
    let text = match text.rsplit_once(" at line ") {
        Some((head, _)) => format!("{} (colonne {})", bounded(head), error.column()),
        None => bounded(&text),
    };
    if error.is_syntax() || error.is_eof() {
        format!("JSON invalide : {text}")
    } else {
        text
    }
}

fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!(
            "{}…({} caractères)",
            &text[..end],
            MAX_MESSAGE_CHARS + text[end..].chars().count()
        ),
        None => text.to_owned(),
    }
}

/// The lines of a JSON Lines stream, each with its 1-based number; blank lines are
/// skipped. Invalid UTF-8 is reported for its line, not for the whole stream.
#[derive(Debug)]
pub struct FicheLines<R> {
    reader: R,
    buffer: Vec<u8>,
    line: u64,
    bytes_read: u64,
}

impl<R: BufRead> FicheLines<R> {
    pub fn new(reader: R) -> Self {
        FicheLines {
            reader,
            buffer: Vec::new(),
            line: 0,
            bytes_read: 0,
        }
    }

    /// Bytes consumed so far (for progress reporting).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

impl<R: BufRead> Iterator for FicheLines<R> {
    /// `(line number, parsed fiche or why not)`, or an I/O error.
    type Item = std::io::Result<(u64, Result<Fiche, LineError>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            let read = match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(0) => return None,
                Ok(n) => n,
                Err(error) => return Some(Err(error)),
            };
            self.bytes_read += read as u64;
            self.line += 1;
            let line = match std::str::from_utf8(&self.buffer) {
                Ok(text) => text,
                Err(error) => {
                    let message = format!(
                        "UTF-8 invalide à l'octet {} de la ligne",
                        error.valid_up_to() + 1
                    );
                    let problem = LineError {
                        field: None,
                        message,
                    };
                    return Some(Ok((self.line, Err(problem))));
                }
            };
            let line = line.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                continue;
            }
            return Some(Ok((self.line, parse_fiche(line))));
        }
    }
}
