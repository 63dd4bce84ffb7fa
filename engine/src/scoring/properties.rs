//! Property tests of the criteria's contracts over random fiches.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::fiche::{FicheId, Level};
use crate::reference::{CountryCode, THEME_COUNT, ThemeCode};

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::Local),
        Just(Level::Intermediate),
        Just(Level::Regional)
    ]
}

fn signature() -> impl Strategy<Value = TextSignature> {
    proptest::collection::vec("[a-z]{3,8}", 0..12).prop_map(|words| {
        let mut signature = TextSignature::default();
        for word in &words {
            signature.insert(word);
        }
        signature
    })
}

prop_compose! {
    fn features(side: Side)(
        offer in 0u32..(1 << THEME_COUNT),
        request in 0u32..(1 << THEME_COUNT),
        profile in 0u32..(1 << THEME_COUNT),
        population in prop_oneof![Just(0u64), 1u64..20_000_000],
        level in level(),
        languages in 0u8..16,
        offer_text in signature(),
        request_text in signature(),
        country in prop_oneof![Just("BJ"), Just("SN"), Just("ES"), Just("BR"), Just("VN")],
        diaspora in any::<bool>(),
        partner in any::<bool>(),
    ) -> MatchFeatures {
        let foreign_country = CountryCode::parse(country).unwrap();
        let (id, country) = match side {
            Side::French => ("FR-COM-1", CountryCode::FRANCE),
            Side::Foreign => ("BJ-GN-1", foreign_country),
        };
        let population = (population > 0).then_some(population);
        MatchFeatures {
            id: FicheId::parse(id).unwrap(),
            name: "X".into(),
            side,
            country,
            region: Some("84".into()),
            area: None,
            level,
            population,
            ln_population: population.map(|p| (p as f64).ln()),
            profile: ThemeSet::from_bits(profile),
            offer: ThemeSet::from_bits(offer),
            request: ThemeSet::from_bits(request),
            inferred: ThemeSet::EMPTY,
            texts: TextSignatures { offer: offer_text, request: request_text },
            languages,
            partner_ids: Vec::new(),
            partner_countries: if partner { vec![foreign_country] } else { Vec::new() },
            partner_areas: Vec::new(),
            diaspora: if diaspora { vec![foreign_country] } else { Vec::new() },
            other_actors: Vec::new(),
            open_call: true,
            updated_on: None,
            matchable: true,
        }
    }
}

fn context() -> CorpusContext {
    CorpusContext::build(
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        std::iter::empty(),
    )
}

proptest! {
    #[test]
    fn every_score_is_in_range_and_symmetric(a in features(Side::French), b in features(Side::Foreign)) {
        let context = context();
        let ab = score_pair(&a, &b, &context, &Weights::default());
        let ba = score_pair(&b, &a, &context, &Weights::default());
        prop_assert_eq!(&ab, &ba);
        prop_assert!((0.0..=1.0).contains(&ab.total));
        for part in &ab.breakdown {
            prop_assert!((0.0..=1.0).contains(&part.score), "{:?}", part);
        }
        let swapped = thematic::value(&thematic::ThemeSide::of(&b), &thematic::ThemeSide::of(&a));
        prop_assert_eq!(ab.breakdown.thematic.score.to_bits(), swapped.to_bits());
    }

    #[test]
    fn adding_a_shared_theme_never_lowers_the_thematic_score(
        a in features(Side::French),
        b in features(Side::Foreign),
        theme in 0..THEME_COUNT,
        direction in any::<bool>(),
    ) {
        let code = ThemeCode::from_index(theme).unwrap();
        let before = thematic::explain(&a, &b).score;
        let (mut a2, mut b2) = (a.clone(), b.clone());
        if direction {
            a2.offer.insert(code);
            b2.request.insert(code);
        } else {
            b2.offer.insert(code);
            a2.request.insert(code);
        }
        prop_assert!(thematic::explain(&a2, &b2).score >= before);
    }

    #[test]
    fn the_thematic_bound_keeps_every_pair_that_may_reach(
        a in features(Side::French),
        b in features(Side::Foreign),
        weight in prop_oneof![Just(0.0), Just(1.0), 0.0f64..1.0],
        offset in -0.01f64..0.01,
    ) {
        let (a, b) = (thematic::ThemeSide::of(&a), thematic::ThemeSide::of(&b));
        let exact = weight * thematic::value(&a, &b);
        let bound = weight * thematic::upper_bound(&a, &b);
        for needed in [exact, bound, exact + offset, bound + offset, f64::NEG_INFINITY] {
            let may = thematic::bound_may_reach(&a, &b, weight, needed);
            // Never a pair whose score (or bound) reaches what is needed left out...
            if exact >= needed || bound >= needed {
                prop_assert!(may, "left out: exact {exact}, bound {bound}, needed {needed}");
            }
            // ...and no pair whose bound is clearly short of it kept.
            if may {
                prop_assert!(bound >= needed - 1e-9, "kept: bound {bound}, needed {needed}");
            }
        }
    }

    #[test]
    fn weights_only_reweigh(a in features(Side::French), b in features(Side::Foreign), w in 0.01f64..10.0) {
        let context = context();
        let base = score_pair(&a, &b, &context, &Weights::default());
        let only_thematic = Weights { thematic: w, geography: 0.0, size: 0.0, underserved: 0.0 };
        let thematic_only = score_pair(&a, &b, &context, &only_thematic);
        prop_assert!((thematic_only.total - base.breakdown.thematic.score).abs() < 1e-12);
    }
}
