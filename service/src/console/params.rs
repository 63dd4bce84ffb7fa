//! Query strings and form bodies (`application/x-www-form-urlencoded`), read with
//! bounds before any work is done, every problem reported in French naming the
//! field. Handlers declare the fields they accept; any other field is refused.

use percent_encoding::percent_decode_str;

use super::error::ConsoleError;

/// Longest query string or form body accepted.
pub const MAX_INPUT_BYTES: usize = 16 * 1024;
/// Longest value of one field.
pub const MAX_VALUE_CHARS: usize = 2_000;

/// The decoded fields of a query string or form, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    fields: Vec<(String, String)>,
}

impl Params {
    /// Decodes `input` and checks that every field is one of `allowed`, given once.
    pub fn parse(input: &str, allowed: &[&str]) -> Result<Params, ConsoleError> {
        if input.len() > MAX_INPUT_BYTES {
            return Err(ConsoleError::bad_request(format!(
                "Requête trop longue ({} octets ; au plus {MAX_INPUT_BYTES}).",
                input.len()
            )));
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        for pair in input.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(raw_name).map_err(|_| {
                ConsoleError::bad_request("Un nom de champ n'est pas un texte UTF-8 valide.")
            })?;
            let Some(&known) = allowed.iter().find(|a| **a == name) else {
                return Err(ConsoleError::field(
                    &shorten(&name),
                    format!(
                        "champ inconnu ; champs acceptés : {}.",
                        if allowed.is_empty() {
                            "aucun".to_owned()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                ));
            };
            let value = decode(raw_value)
                .map_err(|_| ConsoleError::field(known, "pas un texte UTF-8 valide."))?;
            if value.chars().count() > MAX_VALUE_CHARS {
                return Err(ConsoleError::field(
                    known,
                    format!("trop long (au plus {MAX_VALUE_CHARS} caractères)."),
                ));
            }
            if value
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(ConsoleError::field(
                    known,
                    "caractères de contrôle refusés.",
                ));
            }
            if fields.iter().any(|(n, _)| n == known) {
                return Err(ConsoleError::field(known, "donné plusieurs fois."));
            }
            fields.push((known.to_owned(), value));
        }
        Ok(Params { fields })
    }

    /// The field's value, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

impl Params {
    /// An integer field in `min..=max`; `None` when absent or blank.
    pub fn integer<T>(&self, name: &str, min: T, max: T) -> Result<Option<T>, ConsoleError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        let out_of_range = || {
            ConsoleError::field(
                name,
                format!(
                    "« {} » : attendu un nombre entier de {min} à {max}.",
                    shorten(text)
                ),
            )
        };
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let value: T = cleaned.parse().map_err(|_| out_of_range())?;
        if value < min || value > max {
            return Err(out_of_range());
        }
        Ok(Some(value))
    }

    /// A decimal field in `min..=max`, written `0,5` or `0.5`; `None` when absent or
    /// blank.
    pub fn decimal(&self, name: &str, min: f64, max: f64) -> Result<Option<f64>, ConsoleError> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        let shown = |x: f64| passerelle_engine::french::decimal(x, 2);
        let wrong = || {
            ConsoleError::field(
                name,
                format!(
                    "« {} » : attendu un nombre de {} à {} (par exemple 0,5).",
                    shorten(text),
                    shown(min),
                    shown(max)
                ),
            )
        };
        if text.len() > 32 {
            return Err(wrong());
        }
        let value: f64 = text.replace(',', ".").parse().map_err(|_| wrong())?;
        if !value.is_finite() || value < min || value > max {
            return Err(wrong());
        }
        Ok(Some(value))
    }

    /// A checkbox: absent, `0` or `non` is false; `1`, `on` or `oui` is true.
    pub fn flag(&self, name: &str) -> Result<bool, ConsoleError> {
        match self.get(name) {
            None | Some("0" | "non") => Ok(false),
            Some("1" | "on" | "oui") => Ok(true),
            Some(other) => Err(ConsoleError::field(
                name,
                format!("« {} » : attendu « oui » ou « non ».", shorten(other)),
            )),
        }
    }
}

/// The body of a form posted by a console page (`application/x-www-form-urlencoded`,
/// at most [`MAX_INPUT_BYTES`]), as text.
pub(crate) async fn form_body(request: axum::extract::Request) -> Result<String, ConsoleError> {
    let is_form = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(ConsoleError::bad_request(
            "Ce formulaire doit être envoyé par une page de la console.",
        ));
    }
    let body = axum::body::to_bytes(request.into_body(), MAX_INPUT_BYTES)
        .await
        .map_err(|_| ConsoleError::bad_request("Formulaire trop long ou interrompu."))?;
    String::from_utf8(body.to_vec())
        .map_err(|_| ConsoleError::bad_request("Le formulaire n'est pas un texte UTF-8 valide."))
}

fn decode(raw: &str) -> Result<String, std::str::Utf8Error> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
}

/// A value from outside as a message shows it between « »: cut after 64
/// characters, control characters dropped.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 64;
    let clean: String = value.chars().filter(|c| !c.is_control()).collect();
    match clean.char_indices().nth(MAX) {
        None => clean,
        Some((end, _)) => format!("{}…", &clean[..end]),
    }
}

/// A name from outside, cut short for messages.
fn shorten(name: &str) -> String {
    const MAX: usize = 40;
    if name.chars().count() <= MAX {
        name.to_owned()
    } else {
        format!("{}…", name.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded_and_checked() {
        let p = Params::parse(
            "pays=BJ&theme=eau%2Dassainissement&cote=",
            &["pays", "theme", "cote"],
        )
        .unwrap();
        assert_eq!(p.get("pays"), Some("BJ"));
        assert_eq!(p.get("theme"), Some("eau-assainissement"));
        assert_eq!(p.get("cote"), None);
        let p = Params::parse("jeton=a+b%C3%A9", &["jeton"]).unwrap();
        assert_eq!(p.get("jeton"), Some("a bé"));
    }

    #[test]
    fn bad_input_names_the_field_in_french() {
        let err = Params::parse("couleur=bleu", &["pays"]).unwrap_err();
        assert!(err.message.contains("« couleur »"), "{}", err.message);
        assert!(err.message.contains("champ inconnu"), "{}", err.message);
        let err = Params::parse("pays=BJ&pays=SN", &["pays"]).unwrap_err();
        assert!(err.message.contains("plusieurs fois"), "{}", err.message);
        let err = Params::parse("pays=%FF", &["pays"]).unwrap_err();
        assert!(err.message.contains("« pays »"), "{}", err.message);
        let err = Params::parse("pays=a%00b", &["pays"]).unwrap_err();
        assert!(err.message.contains("contrôle"), "{}", err.message);
        let long = format!("pays={}", "a".repeat(MAX_VALUE_CHARS + 1));
        assert!(
            Params::parse(&long, &["pays"])
                .unwrap_err()
                .message
                .contains("trop long")
        );
        let p =
            Params::parse("k=12&x=0%2C25&y=abc&n=-3&c=oui", &["k", "x", "y", "n", "c"]).unwrap();
        assert_eq!(p.integer::<usize>("k", 1, 100).unwrap(), Some(12));
        assert!(
            p.integer::<usize>("k", 1, 10)
                .unwrap_err()
                .message
                .contains("de 1 à 10")
        );
        assert!(p.integer::<usize>("n", 1, 10).is_err());
        assert_eq!(p.integer::<usize>("absent", 1, 10).unwrap(), None);
        assert_eq!(p.decimal("x", 0.0, 1.0).unwrap(), Some(0.25));
        assert!(
            p.decimal("y", 0.0, 1.0)
                .unwrap_err()
                .message
                .contains("« y »")
        );
        assert!(p.flag("c").unwrap());
        assert!(p.flag("y").is_err());
        let huge = "a=1&".repeat(MAX_INPUT_BYTES);
        assert_eq!(Params::parse(&huge, &["a"]).unwrap_err().status, 400);
    }
}
