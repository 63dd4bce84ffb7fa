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

/// Tokens of a query that take part in the word-by-word score and in choosing
/// candidates; the names of the corpus have at most 13. Later tokens still count in
/// the whole-name comparisons.
pub const MAX_QUERY_TOKENS: usize = 16;

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

/// The first two letters of a token (a space stands for a missing second letter).
pub fn prefix2(token: &str) -> [char; 2] {
    let mut chars = token.chars();
    [chars.next().unwrap_or(' '), chars.next().unwrap_or(' ')]
}

/// The first three letters of a token of three letters or more.
pub fn prefix3(token: &str) -> Option<[char; 3]> {
    let mut chars = token.chars();
    Some([chars.next()?, chars.next()?, chars.next()?])
}

/// A normalised name without its spaces: equal compact keys are the same name
/// (`portonovo` is `Porto-Novo`).
pub fn compact(key: &str) -> String {
    key.chars().filter(|c| *c != ' ').collect()
}

/// What scoring one query cost: names scored and Jaro-Winkler comparisons made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    pub names_scored: usize,
    pub comparisons: usize,
}

/// A normalised query, ready to score names.
#[derive(Debug)]
pub struct Query<'q> {
    pub key: &'q str,
    pub compact: String,
    /// At most [`MAX_QUERY_TOKENS`].
    pub tokens: Vec<&'q str>,
}

impl<'q> Query<'q> {
    pub fn new(key: &'q str) -> Query<'q> {
        Query {
            key,
            compact: compact(key),
            tokens: key
                .split(' ')
                .filter(|t| !t.is_empty())
                .take(MAX_QUERY_TOKENS)
                .collect(),
        }
    }

    /// Similarity in [0, 1] of the query and a normalised name: 1 when they are
    /// equal ignoring spaces, else the better of the whole-string Jaro-Winkler and a
    /// symmetric token score, scaled below 1. The cost is bounded: both strings are
    /// bounded (names by validation, queries by the lookup) and the token score makes
    /// at most `2 × MAX_QUERY_TOKENS × (name tokens)` comparisons.
    pub fn similarity(&self, name: &str, work: &mut Work) -> f64 {
        work.names_scored += 1;
        if compact_eq(&self.compact, name) {
            return 1.0;
        }
        let name_tokens: Vec<&str> = name.split(' ').collect();
        let whole = jaro_winkler(self.key, name);
        work.comparisons += 1 + 2 * self.tokens.len() * name_tokens.len();
        let tokens = (token_cover(&self.tokens, &name_tokens)
            + token_cover(&name_tokens, &self.tokens))
            / 2.0;
        INEXACT * whole.max(tokens)
    }
}

fn compact_eq(compact: &str, name: &str) -> bool {
    compact.chars().eq(name.chars().filter(|c| *c != ' '))
}

/// Mean over the tokens of `a` of their best Jaro-Winkler similarity in `b`.
fn token_cover(a: &[&str], b: &[&str]) -> f64 {
    let best = |t: &&str| b.iter().map(|u| jaro_winkler(t, u)).fold(0.0, f64::max);
    a.iter().map(best).sum::<f64>() / a.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        let (a, b) = (normalise(a), normalise(b));
        Query::new(&a).similarity(&b, &mut Work::default())
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

    #[test]
    fn the_token_score_reads_at_most_max_query_tokens() {
        let key = vec!["a"; 100].join(" ");
        let query = Query::new(&key);
        assert_eq!(query.tokens.len(), MAX_QUERY_TOKENS);
        let mut work = Work::default();
        query.similarity("a b c", &mut work);
        assert_eq!(work.comparisons, 1 + 2 * MAX_QUERY_TOKENS * 3);
    }
}
