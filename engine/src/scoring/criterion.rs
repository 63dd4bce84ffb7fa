//! The criteria, and one value per criterion ([`PerCriterion`]): weights, scores and
//! breakdowns are all keyed by criterion, so adding a criterion is a new variant of
//! [`Criterion`] and a new field of [`PerCriterion`] — and the compiler then points
//! at every place that builds or reads a set of per-criterion values.

use serde::{Deserialize, Serialize};

/// Number of criteria.
pub const CRITERIA: usize = 4;

/// The criteria, in the order of breakdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    Thematic,
    Geography,
    Size,
    Underserved,
}

impl Criterion {
    pub const ALL: [Criterion; CRITERIA] = [
        Criterion::Thematic,
        Criterion::Geography,
        Criterion::Size,
        Criterion::Underserved,
    ];

    /// The criterion's key in files and messages (`thematic`, as in weights files).
    pub fn key(self) -> &'static str {
        match self {
            Criterion::Thematic => "thematic",
            Criterion::Geography => "geography",
            Criterion::Size => "size",
            Criterion::Underserved => "underserved",
        }
    }

    /// The criterion's one French name, wherever staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Criterion::Thematic => "thématique",
            Criterion::Geography => "géographie",
            Criterion::Size => "taille",
            Criterion::Underserved => "pays peu couverts",
        }
    }
}

/// One value per criterion. Read from a file (weights), a missing criterion takes
/// its value from `Default` (the default weights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    default,
    deny_unknown_fields,
    bound(deserialize = "T: Deserialize<'de>, PerCriterion<T>: Default")
)]
pub struct PerCriterion<T> {
    pub thematic: T,
    pub geography: T,
    pub size: T,
    pub underserved: T,
}

impl<T> PerCriterion<T> {
    /// The value of each criterion, given by `value`.
    pub fn from_fn(mut value: impl FnMut(Criterion) -> T) -> PerCriterion<T> {
        PerCriterion {
            thematic: value(Criterion::Thematic),
            geography: value(Criterion::Geography),
            size: value(Criterion::Size),
            underserved: value(Criterion::Underserved),
        }
    }

    pub fn get(&self, criterion: Criterion) -> &T {
        match criterion {
            Criterion::Thematic => &self.thematic,
            Criterion::Geography => &self.geography,
            Criterion::Size => &self.size,
            Criterion::Underserved => &self.underserved,
        }
    }

    pub fn get_mut(&mut self, criterion: Criterion) -> &mut T {
        match criterion {
            Criterion::Thematic => &mut self.thematic,
            Criterion::Geography => &mut self.geography,
            Criterion::Size => &mut self.size,
            Criterion::Underserved => &mut self.underserved,
        }
    }

    /// Each criterion with its value, in the order of [`Criterion::ALL`].
    pub fn entries(&self) -> impl Iterator<Item = (Criterion, &T)> {
        Criterion::ALL.into_iter().map(move |c| (c, self.get(c)))
    }

    /// The values, in the order of [`Criterion::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.entries().map(|(_, value)| value)
    }

    pub fn map<U>(&self, mut f: impl FnMut(Criterion, &T) -> U) -> PerCriterion<U> {
        PerCriterion::from_fn(|c| f(c, self.get(c)))
    }

    /// The values as an array in the order of [`Criterion::ALL`] (the ranking
    /// kernel's layout).
    pub fn to_array(&self) -> [T; CRITERIA]
    where
        T: Copy,
    {
        Criterion::ALL.map(|c| *self.get(c))
    }
}

impl<'a, T> IntoIterator for &'a PerCriterion<T> {
    type Item = &'a T;
    type IntoIter = std::array::IntoIter<&'a T, CRITERIA>;

    fn into_iter(self) -> Self::IntoIter {
        Criterion::ALL.map(|c| self.get(c)).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_keyed_and_ordered_by_criterion() {
        let keys = PerCriterion::from_fn(Criterion::key);
        assert_eq!(
            keys.to_array(),
            ["thematic", "geography", "size", "underserved"]
        );
        for (criterion, key) in keys.entries() {
            assert_eq!(criterion.key(), *key);
            assert_eq!(
                serde_json::to_value(criterion).unwrap(),
                serde_json::json!(key)
            );
        }
        let mut doubled = PerCriterion::from_fn(|c| c as usize).map(|_, v| v * 2);
        *doubled.get_mut(Criterion::Size) = 0;
        assert_eq!(doubled.to_array(), [0, 2, 0, 6]);
    }
}
