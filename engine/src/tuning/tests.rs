use super::*;

/// A small deterministic generator (the tests must not depend on a random crate).
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Decisions drawn from known weights: a pair's scores are uniform, staff accept it
/// with probability σ(sharpness · (weighted mean − threshold)).
fn planted(weights: Weights, n: usize, seed: u64) -> Vec<Sample> {
    let mut rng = Lcg(seed);
    let sharpness = 30.0;
    (0..n)
        .map(|_| {
            let scores = PerCriterion::from_fn(|_| rng.unit());
            let mean = weights.total(scores.to_array());
            let p = 1.0 / (1.0 + (-(sharpness * (mean - 0.5))).exp());
            Sample {
                scores,
                accepted: rng.unit() < p,
            }
        })
        .collect()
}

#[test]
fn the_fit_recovers_planted_weights() {
    let truth = PerCriterion {
        thematic: 0.55,
        geography: 0.25,
        size: 0.05,
        underserved: 0.15,
    };
    let samples = planted(truth, 3000, 7);
    let (alpha, losses) = cross_validate(&samples, DEFAULT_FOLDS).unwrap();
    assert_eq!(losses.len(), ALPHAS.len());
    let fitted = fit(&samples, alpha).unwrap();
    let weights = fitted.weights().unwrap();
    for (criterion, &w) in weights.entries() {
        let expected = *truth.get(criterion);
        assert!(
            (w - expected).abs() < 0.04,
            "{criterion:?}: fitted {w:.3}, planted {expected:.3} ({weights:?})"
        );
    }
    assert!((weights.sum() - 1.0).abs() < 1e-12);
    // The model separates what it was fitted on better than chance.
    assert!(log_loss(&fitted, &samples) < std::f64::consts::LN_2);
}

#[test]
fn too_few_decisions_are_refused_with_what_is_needed() {
    let samples = planted(Weights::default(), 30, 1);
    let error = check_enough(&samples).unwrap_err();
    let Error::TooFewDecisions {
        accepted, rejected, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(accepted + rejected, 30);
    let message = error.to_string();
    assert!(message.contains("au moins 50"), "{message}");
    assert!(message.contains("dont 10 de chaque"), "{message}");
    let one_sided: Vec<Sample> = planted(Weights::default(), 200, 2)
        .into_iter()
        .map(|s| Sample {
            accepted: true,
            ..s
        })
        .collect();
    assert!(check_enough(&one_sided).is_err());
}

#[test]
fn the_design_matrix_has_one_column_per_criterion() {
    let samples = planted(Weights::default(), 3, 3);
    let x = design_matrix(&samples);
    assert_eq!(x.shape(), &[3, CRITERIA]);
    assert_eq!(x[[1, 2]], samples[1].scores.size);
}

#[test]
fn negative_coefficients_weigh_nothing() {
    let fitted = Fitted {
        coefficients: PerCriterion {
            thematic: 3.0,
            geography: -1.0,
            size: 1.0,
            underserved: 0.0,
        },
        intercept: 0.0,
        alpha: 1.0,
    };
    let weights = fitted.weights().unwrap();
    assert_eq!(weights.to_array(), [0.75, 0.0, 0.25, 0.0]);
    let against = Fitted {
        coefficients: PerCriterion::from_fn(|_| -1.0),
        ..fitted
    };
    assert!(against.weights().is_err());
}
