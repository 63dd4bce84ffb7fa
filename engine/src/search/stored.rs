//! What a hit shows of its fiche, stored as one text per document: its id, name,
//! country, the language of its texts, alternative names, themes and texts.
//!
//! A search reads the stored document of each hit of its page. Stored as a field
//! each, a document was about ten strings for tantivy to read one by one (each
//! allocated and checked as UTF-8): a fifth of a hit's cost, as much as finding its
//! block. As one record, it is one string read and checked once, and its parts are
//! slices of it.
//!
//! The record is a sequence of parts, each written `<tag><length>:<text>`: a tag
//! letter (see [`Part::tag`]), the text's length in bytes in decimal, a colon and the
//! text. Lengths let texts hold anything, colons and digits included; a record
//! that does not parse, or a length that does not end on a character boundary,
//! is a corrupt index.

use std::ops::Range;

use tantivy::TantivyDocument;
use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize,
    ValueDeserializer,
};
use tantivy::schema::{Field, Value};

/// A part of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Id,
    Name,
    /// One per alternative name.
    AltName,
    /// The country code.
    Country,
    /// The code of the language the texts are analysed in.
    Language,
    /// One per theme code, declared or inferred.
    Theme,
    Request,
    Offer,
    Activities,
}

impl Part {
    const ALL: [Part; 9] = [
        Part::Id,
        Part::Name,
        Part::AltName,
        Part::Country,
        Part::Language,
        Part::Theme,
        Part::Request,
        Part::Offer,
        Part::Activities,
    ];

    fn tag(self) -> u8 {
        match self {
            Part::Id => b'i',
            Part::Name => b'n',
            Part::AltName => b'a',
            Part::Country => b'c',
            Part::Language => b'l',
            Part::Theme => b't',
            Part::Request => b'r',
            Part::Offer => b'o',
            Part::Activities => b'x',
        }
    }

    fn of_tag(tag: u8) -> Option<Part> {
        Part::ALL.into_iter().find(|part| part.tag() == tag)
    }
}

/// Writes a record part by part.
#[derive(Debug, Default)]
pub struct Record(String);

impl Record {
    /// A record for about `bytes` of texts, made without growing.
    pub fn with_capacity(bytes: usize) -> Record {
        Record(String::with_capacity(bytes))
    }

    pub fn push(&mut self, part: Part, text: &str) {
        use std::fmt::Write;
        self.0.push(char::from(part.tag()));
        write!(self.0, "{}:", text.len()).expect("a string takes any text");
        self.0.push_str(text);
    }

    pub fn into_text(self) -> String {
        self.0
    }
}

/// A document's record, read.
#[derive(Debug, Default)]
pub struct Stored {
    record: String,
    parts: Vec<(Part, Range<usize>)>,
}

/// Why a record does not parse.
#[derive(Debug, PartialEq, Eq)]
pub struct Corrupt;

impl Stored {
    /// Parses `record` (see the module's documentation).
    pub fn parse(record: String) -> Result<Stored, Corrupt> {
        let mut parts = Vec::with_capacity(12);
        let bytes = record.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let part = Part::of_tag(bytes[at]).ok_or(Corrupt)?;
            let colon = at
                + 1
                + (bytes[at + 1..].iter())
                    .position(|&b| b == b':')
                    .ok_or(Corrupt)?;
            let length: usize = record[at + 1..colon].parse().map_err(|_| Corrupt)?;
            let text = colon + 1..(colon + 1).checked_add(length).ok_or(Corrupt)?;
            record.get(text.clone()).ok_or(Corrupt)?;
            at = text.end;
            parts.push((part, text));
        }
        Ok(Stored { record, parts })
    }

    /// The record of a document not committed yet (a pending write), in `field`.
    pub fn of_document(doc: &TantivyDocument, field: Field) -> Result<Stored, Corrupt> {
        let record = doc.get_first(field).and_then(|v| v.as_str());
        Stored::parse(record.ok_or(Corrupt)?.to_owned())
    }

    /// Every text of `part`, in order.
    pub fn all(&self, part: Part) -> impl Iterator<Item = &str> {
        (self.parts.iter())
            .filter(move |(p, _)| *p == part)
            .map(|(_, range)| &self.record[range.clone()])
    }

    /// The first text of `part`.
    pub fn first(&self, part: Part) -> Option<&str> {
        self.all(part).next()
    }
}

/// The record: the document's one stored value, a text.
struct Text(String);

impl ValueDeserialize for Text {
    fn deserialize<'de, D>(deserializer: D) -> Result<Self, DeserializeError>
    where
        D: ValueDeserializer<'de>,
    {
        deserializer.deserialize_string().map(Text)
    }
}

impl DocumentDeserialize for Stored {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let corrupt = || DeserializeError::Custom("a stored record does not parse".into());
        let Some((_, Text(record))) = deserializer.next_field()? else {
            return Err(corrupt());
        };
        Stored::parse(record).map_err(|Corrupt| corrupt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_gives_back_its_parts_whatever_they_hold() {
        let mut record = Record::default();
        let texts = ["BJ-0042", "", "a1:b2:é", "Porto-Novo", "十:", "x99"];
        let parts = [
            Part::Id,
            Part::Request,
            Part::Offer,
            Part::Name,
            Part::AltName,
            Part::AltName,
        ];
        for (part, text) in parts.iter().zip(texts) {
            record.push(*part, text);
        }
        let stored = Stored::parse(record.into_text()).unwrap();
        assert_eq!(stored.first(Part::Id), Some("BJ-0042"));
        assert_eq!(stored.first(Part::Request), Some(""));
        assert_eq!(stored.first(Part::Offer), Some("a1:b2:é"));
        assert_eq!(
            stored.all(Part::AltName).collect::<Vec<_>>(),
            ["十:", "x99"]
        );
        assert_eq!(stored.first(Part::Activities), None);
    }

    #[test]
    fn a_record_that_does_not_parse_is_corrupt() {
        for record in [
            "z3:abc",
            "i3abc",
            "i4:abc",
            "i1:é",
            "i:a",
            "n99999999999999999999:",
        ] {
            assert_eq!(
                Stored::parse(record.into()).err(),
                Some(Corrupt),
                "{record}"
            );
        }
        assert!(Stored::parse(String::new()).is_ok());
    }
}
