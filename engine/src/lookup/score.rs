//! Name normalisation and similarity.

use strsim::jaro_winkler;

use crate::text;

/// Abbreviations expanded before comparing (after folding).
const ABBREVIATIONS: [(&str, &str); 5] = [
    ("st", "saint"),
    ("ste", "sainte"),
    ("sts", "saints"),
    ("stes", "saintes"),
    ("mt", "mont"),
];

/// Similarity given to a non-identical name is scaled by this, so that an identical
/// name (score 1) always ranks first.
const INEXACT: f64 = 0.95;

/// Folded tokens with abbreviations expanded, joined by spaces:
/// `"St-Étienne"` → `"saint etienne"`.
pub fn normalise(name: &str) -> String {
    text::fold_tokens(name)
        .into_iter()
        .map(
            |token| match ABBREVIATIONS.iter().find(|(short, _)| *short == token) {
                Some((_, long)) => (*long).to_owned(),
                None => token,
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bucket keys of a normalised name: the first two letters of each token.
pub fn bucket_keys(key: &str) -> impl Iterator<Item = [char; 2]> + '_ {
    key.split(' ').filter(|t| !t.is_empty()).map(|token| {
        let mut chars = token.chars();
        [chars.next().unwrap_or(' '), chars.next().unwrap_or(' ')]
    })
}

fn compact_eq(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| *c != ' ')
        .eq(b.chars().filter(|c| *c != ' '))
}

/// Mean over the tokens of `a` of their best Jaro-Winkler similarity in `b`.
fn token_cover(a: &[&str], b: &[&str]) -> f64 {
    let best = |t: &&str| b.iter().map(|u| jaro_winkler(t, u)).fold(0.0, f64::max);
    a.iter().map(best).sum::<f64>() / a.len().max(1) as f64
}

/// Similarity in [0, 1] of two normalised names: 1 when they are equal ignoring
/// spaces, else the better of the whole-string Jaro-Winkler and a symmetric token
/// score, scaled below 1.
pub fn similarity(query: &str, query_tokens: &[&str], name: &str) -> f64 {
    if compact_eq(query, name) {
        return 1.0;
    }
    let name_tokens: Vec<&str> = name.split(' ').collect();
    let whole = jaro_winkler(query, name);
    let tokens =
        (token_cover(query_tokens, &name_tokens) + token_cover(&name_tokens, query_tokens)) / 2.0;
    INEXACT * whole.max(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        let (a, b) = (normalise(a), normalise(b));
        let tokens: Vec<&str> = a.split(' ').collect();
        similarity(&a, &tokens, &b)
    }

    #[test]
    fn abbreviations_accents_and_separators_do_not_count() {
        assert_eq!(normalise("St-Étienne"), "saint etienne");
        assert_eq!(normalise("Ste Foy-lès-Lyon"), "sainte foy les lyon");
        assert_eq!(sim("St-Etienne", "Saint-Étienne"), 1.0);
        assert_eq!(sim("Porto Novo", "Porto-Novo"), 1.0);
        assert_eq!(sim("portonovo", "Porto-Novo"), 1.0);
    }

    #[test]
    fn near_names_score_high_and_others_low() {
        assert!(sim("Saint Etiene", "Saint-Étienne") > 0.9);
        assert!(sim("Saint Etienne", "Saint-Étienne-de-Tinée") < 0.9);
        assert!(sim("Dakar", "Porto-Novo") < 0.6);
    }
}
