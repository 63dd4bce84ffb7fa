//! Numbers as staff read them, written the French way (`198 562`, `0,853`,
//! `41,7 %`, `1 min 15 s`): the command line, the console and the engine's own
//! reasons all format through here. The French names of codes live with their types
//! (`Criterion::label`, `Level::label`, `Side::label`). A leaf module: it depends on
//! nothing else in the engine.

use std::time::Duration;

/// The space between groups of digits (a no-break space, so `12 345` never breaks
/// across lines).
const GROUP: char = '\u{a0}';

/// `198562` → `198 562`.
pub fn integer(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(GROUP);
        }
        out.push(digit);
    }
    out
}

/// `0.8534, 3` → `0,853`; `12345.6, 1` → `12 345,6`.
pub fn decimal(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{:.*}", places, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let whole = integer(whole.parse().unwrap_or(0));
    match fraction {
        "" => format!("{sign}{whole}"),
        fraction => format!("{sign}{whole},{fraction}"),
    }
}

/// `0.417` → `41,7 %`.
pub fn percent(share: f64) -> String {
    format!("{}{GROUP}%", decimal(share * 100.0, 1))
}

/// A rate with a precision fit for reading: `3 412 567` → `3,4 millions`,
/// `48 210` → `48 210`, `12.34` → `12,3`.
pub fn quantity(x: f64) -> String {
    match x {
        x if x >= 1e9 => format!("{} milliards", decimal(x / 1e9, 1)),
        x if x >= 1e6 => format!("{} millions", decimal(x / 1e6, 1)),
        x if x >= 100.0 => integer(x.round() as u64),
        x => decimal(x, 1),
    }
}

/// `75 s` → `1 min 15 s`; `3 700 s` → `1 h 01 min`.
pub fn duration(d: Duration) -> String {
    let seconds = d.as_secs();
    match seconds {
        s if s < 60 => format!("{s}{GROUP}s"),
        s if s < 3600 => format!("{}{GROUP}min {:02}{GROUP}s", s / 60, s % 60),
        s => format!("{}{GROUP}h {:02}{GROUP}min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_french_way() {
        assert_eq!(integer(0), "0");
        assert_eq!(integer(198_562), "198\u{a0}562");
        assert_eq!(integer(5_897_575_236), "5\u{a0}897\u{a0}575\u{a0}236");
        assert_eq!(decimal(0.8534, 3), "0,853");
        assert_eq!(decimal(12345.64, 1), "12\u{a0}345,6");
        assert_eq!(decimal(-0.0001, 2), "0,00");
        assert_eq!(decimal(-1.5, 1), "-1,5");
        assert_eq!(percent(0.417), "41,7\u{a0}%");
        assert_eq!(quantity(3_412_567.0), "3,4 millions");
        assert_eq!(quantity(48_210.4), "48\u{a0}210");
        assert_eq!(duration(Duration::from_secs(75)), "1\u{a0}min 15\u{a0}s");
        assert_eq!(duration(Duration::from_secs(3700)), "1\u{a0}h 01\u{a0}min");
    }
}
