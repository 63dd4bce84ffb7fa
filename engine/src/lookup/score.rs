//! Name normalisation and similarity.

use super::jaro::jaro_winkler;

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
    /// Characters of `key`.
    pub chars: usize,
    pub compact: String,
    /// At most [`MAX_QUERY_TOKENS`].
    pub tokens: Vec<&'q str>,
    /// The distinct tokens (a repeated word is compared once), and the index in
    /// `distinct` of each token.
    distinct: Vec<&'q str>,
    index: Vec<usize>,
}

impl<'q> Query<'q> {
    pub fn new(key: &'q str) -> Query<'q> {
        let tokens: Vec<&str> = key
            .split(' ')
            .filter(|t| !t.is_empty())
            .take(MAX_QUERY_TOKENS)
            .collect();
        let mut distinct: Vec<&str> = Vec::new();
        let index = tokens
            .iter()
            .map(|t| match distinct.iter().position(|d| d == t) {
                Some(i) => i,
                None => {
                    distinct.push(t);
                    distinct.len() - 1
                }
            })
            .collect();
        Query {
            key,
            chars: key.chars().count(),
            compact: compact(key),
            tokens,
            distinct,
            index,
        }
    }

    /// The symmetric token score: the mean over the query's tokens of their best
    /// Jaro-Winkler similarity among the name's, and the same from the name's side,
    /// averaged. Each distinct word is compared once (the sums are the same).
    fn token_score(&self, name_tokens: &[&str], work: &mut Work) -> f64 {
        work.comparisons += 2 * self.distinct.len() * name_tokens.len();
        let best = |t: &&str| {
            name_tokens
                .iter()
                .map(|u| jaro_winkler(t, u))
                .fold(0.0, f64::max)
        };
        let bests: Vec<f64> = self.distinct.iter().map(best).collect();
        let query_side =
            self.index.iter().map(|&i| bests[i]).sum::<f64>() / self.tokens.len().max(1) as f64;
        let name_side = name_tokens
            .iter()
            .map(|u| {
                self.distinct
                    .iter()
                    .map(|t| jaro_winkler(u, t))
                    .fold(0.0, f64::max)
            })
            .sum::<f64>()
            / name_tokens.len().max(1) as f64;
        (query_side + name_side) / 2.0
    }

    /// Similarity in [0, 1] of the query and a normalised name: 1 when they are
    /// equal ignoring spaces, else the better of the whole-string Jaro-Winkler and a
    /// symmetric token score, scaled below 1. The cost is bounded: both strings are
    /// bounded (names by validation, queries by the lookup), the token score makes
    /// `2 × (distinct query words, ≤ MAX_QUERY_TOKENS) × (name words)` comparisons,
    /// and the whole strings are compared only when their lengths allow the result
    /// to beat the token score.
    pub fn similarity(&self, name: &str, work: &mut Work) -> f64 {
        work.names_scored += 1;
        if compact_eq(&self.compact, name) {
            return 1.0;
        }
        let name_tokens: Vec<&str> = name.split(' ').collect();
        let tokens = self.token_score(&name_tokens, work);
        // The whole-string comparison costs the product of the lengths: skip it when
        // the lengths alone say it cannot beat the token score (a long query against
        // a short name), which leaves the result unchanged.
        let bound = jaro_winkler_bound(self.chars, name.chars().count());
        if bound + 1e-9 < tokens {
            return INEXACT * tokens;
        }
        work.comparisons += 1;
        INEXACT * jaro_winkler(self.key, name).max(tokens)
    }
}

/// An upper bound of `strsim::jaro_winkler` for strings of `a` and `b` characters:
/// at most `min(a, b)` characters match, so Jaro ≤ (m/a + m/b + 1)/3, and the
/// Winkler prefix bonus (≤ 4 × 0.1 of what is left) gives JW ≤ 0.6·Jaro + 0.4.
fn jaro_winkler_bound(a: usize, b: usize) -> f64 {
    if a == 0 || b == 0 {
        return 1.0;
    }
    let m = a.min(b) as f64;
    let jaro = (m / a as f64 + m / b as f64 + 1.0) / 3.0;
    0.6 * jaro + 0.4
}

fn compact_eq(compact: &str, name: &str) -> bool {
    compact.chars().eq(name.chars().filter(|c| *c != ' '))
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
    fn the_bound_is_never_below_jaro_winkler() {
        let words = [
            "a",
            "saint",
            "saint etienne",
            "etienne saint",
            "sainte foy les lyon",
            "x",
        ];
        for a in words {
            for b in words {
                let bound = jaro_winkler_bound(a.chars().count(), b.chars().count());
                assert!(jaro_winkler(a, b) <= bound + 1e-12, "{a} {b}");
            }
        }
        let long = "a ".repeat(99);
        assert!(jaro_winkler(&long, "abc") <= jaro_winkler_bound(long.len(), 3));
    }

    #[test]
    fn the_token_score_reads_at_most_max_query_tokens() {
        let key = vec!["a"; 100].join(" ");
        let query = Query::new(&key);
        assert_eq!(query.tokens.len(), MAX_QUERY_TOKENS);
        let mut work = Work::default();
        query.similarity("a b c", &mut work);
        // One distinct word: compared once with each of the name's three, both ways.
        assert!((2 * 3..=1 + 2 * 3).contains(&work.comparisons));
    }
}
