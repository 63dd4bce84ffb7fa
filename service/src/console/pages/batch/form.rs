//! The form of a new batch run, read into the engine's [`BatchSpec`]: scopes chosen
//! in words (a région, a département, countries, a division, or a list of names or
//! ids, one per line), pairs kept, capacities, pairing, exclusions, slots and tables.
//! What the form can check alone (numbers, dates, lines) is refused here, in French,
//! naming the form's field; the rest (names, scopes that select nothing) is the
//! engine's check ([`Corpus::check_batch`](passerelle_engine::Corpus::check_batch)),
//! whose problems are shown against the form's labels.

use chrono::NaiveDateTime;
use passerelle_engine::batch::agenda::Slot;
use passerelle_engine::batch::{
    AgendaSpec, BatchSpec, ExcludedPair, MAX_BATCH_K, MAX_CAPACITY, MAX_EXCLUSIONS, MAX_SLOTS,
    MAX_TABLES, Member, Pairing, Scope,
};
use passerelle_engine::reference::CountryCode;

use super::super::super::params::Params;
use super::super::scoring_form::{self, WeightInput};

/// Every field of the form.
pub(crate) const FIELDS: [&str; 20] = [
    "francais",
    "francais_code",
    "francais_noms",
    "etranger",
    "etranger_code",
    "etranger_noms",
    "k",
    "capacite_francaise",
    "capacite_etrangere",
    "appariement",
    "score_min",
    "exclure",
    "exclure_paires",
    "creneaux",
    "tables",
    "p_thematique",
    "p_geographie",
    "p_taille",
    "p_pays_peu_couverts",
    "confirmer",
];

/// Most lines of a list field (names, exclusions, slots).
pub(crate) const MAX_LINES: usize = 1000;

/// The form as typed (to show it again), each value bounded by [`Params`].
#[derive(Debug, Clone, Default)]
pub(crate) struct BatchForm {
    pub french: String,
    pub french_code: String,
    pub french_names: String,
    pub foreign: String,
    pub foreign_code: String,
    pub foreign_names: String,
    pub k: String,
    pub french_capacity: String,
    pub foreign_capacity: String,
    pub pairing: String,
    pub min_score: String,
    pub exclude: String,
    pub exclude_pairs: String,
    pub slots: String,
    pub tables: String,
    pub weights: Vec<WeightInput>,
}

/// A problem of the form: the field's label and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormProblem {
    pub label: String,
    pub message: String,
    /// Candidates, for an ambiguous or unknown name.
    pub candidates: Vec<String>,
}

impl FormProblem {
    fn new(label: &str, message: impl Into<String>) -> FormProblem {
        FormProblem {
            label: label.to_owned(),
            message: message.into(),
            candidates: Vec::new(),
        }
    }
}

impl BatchForm {
    /// The form with its defaults: France × Benin is what the Assises ask for most.
    pub fn defaults() -> BatchForm {
        BatchForm {
            french: "liste".into(),
            foreign: "pays".into(),
            foreign_code: "BJ".into(),
            k: "10".into(),
            french_capacity: "1".into(),
            foreign_capacity: "1".into(),
            pairing: "optimal".into(),
            min_score: "0".into(),
            tables: "20".into(),
            weights: scoring_form::weight_inputs(&Default::default()),
            ..BatchForm::default()
        }
    }

    pub fn from_params(params: &Params) -> BatchForm {
        let text = |name: &str| params.get(name).unwrap_or("").to_owned();
        let weights = scoring_form::weights(params).unwrap_or_default();
        let mut inputs = scoring_form::weight_inputs(&weights);
        // Show what was typed, even when it is wrong.
        for input in &mut inputs {
            if let Some(typed) = params.get(input.field) {
                input.value = typed.to_owned();
            }
        }
        BatchForm {
            french: text("francais"),
            french_code: text("francais_code"),
            french_names: text("francais_noms"),
            foreign: text("etranger"),
            foreign_code: text("etranger_code"),
            foreign_names: text("etranger_noms"),
            k: text("k"),
            french_capacity: text("capacite_francaise"),
            foreign_capacity: text("capacite_etrangere"),
            pairing: text("appariement"),
            min_score: text("score_min"),
            exclude: text("exclure"),
            exclude_pairs: text("exclure_paires"),
            slots: text("creneaux"),
            tables: text("tables"),
            weights: inputs,
        }
    }
}

/// The non-blank lines of a list field, trimmed; too many is a problem.
fn lines<'a>(text: &'a str, label: &str, problems: &mut Vec<FormProblem>) -> Vec<(usize, &'a str)> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    if lines.len() > MAX_LINES {
        problems.push(FormProblem::new(
            label,
            format!("{} lignes : au plus {MAX_LINES}.", lines.len()),
        ));
        return Vec::new();
    }
    lines
}

fn members(text: &str, label: &str, problems: &mut Vec<FormProblem>) -> Vec<Member> {
    let mut out = Vec::new();
    for (line, name) in lines(text, label, problems) {
        if name.contains(',') {
            problems.push(FormProblem::new(
                label,
                format!(
                    "ligne {line} : un nom ne contient pas de virgule ; une collectivité par ligne."
                ),
            ));
            continue;
        }
        out.push(Member::parse(name));
    }
    out
}

fn scope(
    side_label: &str,
    kind: &str,
    code: &str,
    names: &str,
    french: bool,
    problems: &mut Vec<FormProblem>,
) -> Option<Scope> {
    let code = code.trim();
    let need_code = |what: &str, problems: &mut Vec<FormProblem>| {
        problems.push(FormProblem::new(side_label, format!("indiquez {what}.")));
        None
    };
    match (kind, french) {
        ("tout", _) => Some(Scope::All),
        ("region", true) if code.is_empty() => {
            need_code("le code de la région (par exemple 75)", problems)
        }
        ("region", true) => Some(Scope::Region(code.to_owned())),
        ("departement", true) if code.is_empty() => {
            need_code("le code du département (par exemple 33)", problems)
        }
        ("departement", true) => Some(Scope::Departement(code.to_owned())),
        ("pays", false) => {
            let mut countries = Vec::new();
            for part in code.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
                match CountryCode::parse_user(part) {
                    Some(country) if country != CountryCode::FRANCE => countries.push(country),
                    _ => problems.push(FormProblem::new(
                        side_label,
                        format!(
                            "« {} » n'est pas le code d'un pays étranger (ISO 3166-1, par exemple BJ).",
                            crate::console::params::shown(part)
                        ),
                    )),
                }
            }
            if countries.is_empty() {
                return need_code("un ou plusieurs codes pays (par exemple BJ, SN)", problems);
            }
            Some(Scope::Countries(countries))
        }
        ("division", false) => {
            let Some((country, area)) = code.split_once('/') else {
                return need_code("la division comme PAYS/CODE (par exemple MA/01)", problems);
            };
            let Some(country) = CountryCode::parse_user(country.trim()) else {
                return need_code("la division comme PAYS/CODE (par exemple MA/01)", problems);
            };
            if area.trim().is_empty() {
                return need_code("la division comme PAYS/CODE (par exemple MA/01)", problems);
            }
            Some(Scope::Admin1 {
                country,
                admin1: area.trim().to_owned(),
            })
        }
        ("liste", _) => {
            let list = members(names, side_label, problems);
            if list.is_empty() {
                return need_code(
                    "au moins une collectivité (nom ou identifiant, une par ligne)",
                    problems,
                );
            }
            Some(Scope::Ids(list))
        }
        _ => {
            problems.push(FormProblem::new(side_label, "choix de périmètre inconnu."));
            None
        }
    }
}

/// `2026-12-03 09:00` or `2026-12-03T09:00`.
fn time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim().replacen(' ', "T", 1);
    passerelle_engine::batch::agenda::parse_time(&text).ok()
}

/// Slots, one per line: `libellé, début, fin`.
fn slots(text: &str, problems: &mut Vec<FormProblem>) -> Vec<Slot> {
    const LABEL: &str = "Créneaux";
    let mut slots: Vec<Slot> = Vec::new();
    for (line, content) in lines(text, LABEL, problems) {
        let mut parts = content.rsplitn(3, [',', ';']);
        let (end, start, label) = (parts.next(), parts.next(), parts.next());
        let (Some(end), Some(start), Some(label)) = (end, start, label) else {
            problems.push(FormProblem::new(
                LABEL,
                format!("ligne {line} : attendu « libellé, début, fin » (par exemple « Matin 1, 2026-12-03 09:00, 2026-12-03 09:30 »)."),
            ));
            continue;
        };
        let (Some(start), Some(end)) = (time(start), time(end)) else {
            problems.push(FormProblem::new(
                LABEL,
                format!("ligne {line} : les heures s'écrivent 2026-12-03 09:00."),
            ));
            continue;
        };
        if end <= start {
            problems.push(FormProblem::new(
                LABEL,
                format!("ligne {line} : le créneau finit avant de commencer."),
            ));
            continue;
        }
        if let Some(previous) = slots.last()
            && start < previous.end
        {
            problems.push(FormProblem::new(
                LABEL,
                format!("ligne {line} : le créneau commence avant la fin du précédent (les créneaux se suivent sans se chevaucher)."),
            ));
            continue;
        }
        slots.push(Slot {
            label: label.trim().to_owned(),
            start,
            end,
        });
    }
    if slots.len() > MAX_SLOTS {
        problems.push(FormProblem::new(
            LABEL,
            format!("au plus {MAX_SLOTS} créneaux."),
        ));
    }
    slots
}

fn number(
    params: &Params,
    name: &str,
    label: &str,
    max: usize,
    default: usize,
    problems: &mut Vec<FormProblem>,
) -> usize {
    match params.integer(name, 1, max) {
        Ok(value) => value.unwrap_or(default),
        Err(_) => {
            problems.push(FormProblem::new(
                label,
                format!(
                    "attendu un nombre entier de 1 à {}.",
                    passerelle_engine::french::integer(max as u64)
                ),
            ));
            default
        }
    }
}

/// Reads the form into a spec; every problem the form alone can see is listed.
pub(crate) fn spec(params: &Params) -> Result<BatchSpec, Vec<FormProblem>> {
    let mut problems = Vec::new();
    let get = |name: &str| params.get(name).unwrap_or("");
    let french = scope(
        "Périmètre français",
        get("francais"),
        get("francais_code"),
        get("francais_noms"),
        true,
        &mut problems,
    );
    let foreign = scope(
        "Périmètre étranger",
        get("etranger"),
        get("etranger_code"),
        get("etranger_noms"),
        false,
        &mut problems,
    );
    let k = number(
        params,
        "k",
        "Paires retenues par collectivité",
        MAX_BATCH_K,
        10,
        &mut problems,
    );
    let french_capacity = number(
        params,
        "capacite_francaise",
        "Rendez-vous par collectivité française",
        MAX_CAPACITY,
        1,
        &mut problems,
    );
    let foreign_capacity = number(
        params,
        "capacite_etrangere",
        "Rendez-vous par collectivité étrangère",
        MAX_CAPACITY,
        1,
        &mut problems,
    );
    let pairing = match get("appariement") {
        "" | "optimal" => Pairing::Optimal,
        "stable" => Pairing::Stable,
        "aucun" => Pairing::None,
        _ => {
            problems.push(FormProblem::new(
                "Appariement",
                "choix inconnu (optimal, stable ou aucun).",
            ));
            Pairing::Optimal
        }
    };
    let min_score = match params.decimal("score_min", 0.0, 1.0) {
        Ok(value) => value.unwrap_or(0.0),
        Err(_) => {
            problems.push(FormProblem::new(
                "Score minimal",
                "attendu un nombre de 0 à 1 (par exemple 0,3).",
            ));
            0.0
        }
    };
    let weights = match scoring_form::weights(params) {
        Ok(weights) => weights,
        Err(error) => {
            problems.push(FormProblem::new("Poids des critères", error.message));
            Default::default()
        }
    };
    let exclude = members(get("exclure"), "Collectivités exclues", &mut problems);
    let mut exclude_pairs = Vec::new();
    for (line, text) in lines(get("exclure_paires"), "Paires exclues", &mut problems) {
        match ExcludedPair::parse(text) {
            Ok(pair) => exclude_pairs.push(pair),
            Err(_) => problems.push(FormProblem::new(
                "Paires exclues",
                format!(
                    "ligne {line} : attendu « collectivité française : collectivité étrangère »."
                ),
            )),
        }
    }
    if exclude.len() + exclude_pairs.len() > MAX_EXCLUSIONS {
        problems.push(FormProblem::new(
            "Collectivités exclues",
            "trop d'exclusions.",
        ));
    }
    let slot_list = slots(get("creneaux"), &mut problems);
    let tables = number(
        params,
        "tables",
        "Tables par créneau",
        MAX_TABLES,
        20,
        &mut problems,
    );
    let agenda = (!slot_list.is_empty()).then_some(AgendaSpec {
        slots: slot_list,
        tables,
    });
    if agenda.is_some() && pairing == Pairing::None {
        problems.push(FormProblem::new(
            "Créneaux",
            "un agenda place des paires appariées : choisissez un appariement optimal ou stable, ou retirez les créneaux.",
        ));
    }
    match (french, foreign) {
        (Some(french), Some(foreign)) if problems.is_empty() => {
            let mut spec = BatchSpec::new(french, foreign);
            spec.k = k;
            spec.weights = weights;
            spec.min_score = min_score;
            spec.french_capacity = french_capacity;
            spec.foreign_capacity = foreign_capacity;
            spec.pairing = pairing;
            spec.exclude = exclude;
            spec.exclude_pairs = exclude_pairs;
            spec.agenda = agenda;
            Ok(spec)
        }
        _ => Err(problems),
    }
}

/// The form's label of a spec field the engine names (`french`, `exclude[2]`,
/// `exclude_pairs[0].foreign`, `agenda.slots[1].label`).
pub(crate) fn field_label(field: &str) -> String {
    let (head, rest) = match field.find(['[', '.']) {
        Some(i) => (&field[..i], &field[i..]),
        None => (field, ""),
    };
    let line = rest
        .strip_prefix('[')
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| format!(", ligne {}", n + 1));
    let base = match head {
        "french" => "Périmètre français",
        "foreign" => "Périmètre étranger",
        "k" => "Paires retenues par collectivité",
        "french_capacity" => "Rendez-vous par collectivité française",
        "foreign_capacity" => "Rendez-vous par collectivité étrangère",
        "min_score" => "Score minimal",
        "weights" => "Poids des critères",
        "exclude" => "Collectivités exclues",
        "exclude_pairs" => "Paires exclues",
        "agenda" if rest.starts_with(".tables") => "Tables par créneau",
        "agenda" => "Créneaux",
        _ => return field.to_owned(),
    };
    let part = if rest.ends_with(".french") {
        " (française)"
    } else if rest.ends_with(".foreign") {
        " (étrangère)"
    } else {
        ""
    };
    let line = if head == "agenda" {
        rest.strip_prefix(".slots[")
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| format!(", créneau {}", n + 1))
    } else {
        line
    };
    format!("{base}{}{part}", line.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<BatchSpec, Vec<FormProblem>> {
        spec(&Params::parse(body, &FIELDS).unwrap())
    }

    #[test]
    fn a_benin_form_makes_the_spec() {
        let spec = parse(
            "francais=liste&francais_noms=Bordeaux%0D%0AFR-COM-69123%0D%0A&etranger=pays&etranger_code=bj&k=20&capacite_francaise=5&capacite_etrangere=1&appariement=optimal&creneaux=Matin+1%2C+2026-12-03+09%3A00%2C+2026-12-03+09%3A30%0D%0AMatin%2C+2%2C2026-12-03T09%3A30%2C2026-12-03T10%3A00&tables=15",
        )
        .unwrap();
        assert_eq!(
            spec.french,
            Scope::parse("ids:Bordeaux,FR-COM-69123").unwrap()
        );
        assert_eq!(spec.foreign, Scope::parse("country:BJ").unwrap());
        assert_eq!(
            (spec.k, spec.french_capacity, spec.foreign_capacity),
            (20, 5, 1)
        );
        let agenda = spec.agenda.unwrap();
        assert_eq!(agenda.tables, 15);
        assert_eq!(agenda.slots[1].label, "Matin, 2");
        assert_eq!(agenda.slots[0].start.to_string(), "2026-12-03 09:00:00");
    }

    #[test]
    fn problems_name_the_form_fields_in_french() {
        let problems = parse(
            "francais=region&etranger=pays&etranger_code=FR%2CZZ&k=0&creneaux=a%2C2026-12-03+10%3A00%2C2026-12-03+09%3A00&appariement=aucun",
        )
        .unwrap_err();
        let text = format!("{problems:?}");
        for expected in [
            "Périmètre français",
            "code de la région",
            "« FR » n'est pas le code d'un pays étranger",
            "« ZZ »",
            "Paires retenues par collectivité",
            "finit avant de commencer",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        assert!(parse("francais=liste&francais_noms=a%2Cb&etranger=tout").is_err());
    }

    #[test]
    fn engine_fields_read_as_form_labels() {
        assert_eq!(field_label("french"), "Périmètre français");
        assert_eq!(field_label("exclude[2]"), "Collectivités exclues, ligne 3");
        assert_eq!(
            field_label("exclude_pairs[0].foreign"),
            "Paires exclues, ligne 1 (étrangère)"
        );
        assert_eq!(field_label("agenda.slots[1].label"), "Créneaux, créneau 2");
        assert_eq!(field_label("agenda.tables"), "Tables par créneau");
        assert_eq!(field_label("weights.size"), "Poids des critères");
    }
}
