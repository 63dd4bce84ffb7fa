//! Every section of a fiche as staff read it (labels in French, numbers the French
//! way), for the Fiche page and the two sides of the Paire page. Texts from the
//! fiche stay text: templates escape them, nothing here is marked safe.
//!
//! Contact data is personal: it is put in the view only for a caller allowed to see
//! it ([`Caller::sees_contact_of`]: staff and admin sessions, the only ones the
//! console opens); for anyone else the view says the section is reserved.

use chrono::NaiveDate;
use passerelle_engine::atlas::CallState;
use passerelle_engine::fiche::{Fiche, Intent};
use passerelle_engine::french;

use super::super::labels;
use crate::server::Caller;

/// A fiche, section by section.
#[derive(Debug, Clone)]
pub(crate) struct FicheView {
    pub id: String,
    pub href: String,
    pub name: String,
    /// `commune · France · région 75, département 33`.
    pub nature: String,
    /// `française` / `étrangère`.
    pub side: &'static str,
    pub alt_names: Vec<String>,
    pub facts: Vec<(&'static str, String)>,
    pub contact: ContactView,
    pub activities: Option<String>,
    /// Theme label and weight (`95 %`).
    pub themes: Vec<(String, String)>,
    pub offer: IntentView,
    pub request: IntentView,
    pub partnerships: Vec<PartnershipView>,
    pub actors: Vec<ActorView>,
    pub call: String,
    pub provenance: Vec<(String, String)>,
    /// Older than the configured age, or undated: « à reconfirmer » (set by the
    /// page, from the corpus's settings).
    pub stale: bool,
}

/// The contact section.
#[derive(Debug, Clone)]
pub(crate) enum ContactView {
    /// The caller may not see contacts.
    Reserved,
    /// The fiche gives none.
    Missing,
    /// Label and value of each part given.
    Shown(Vec<(&'static str, String)>),
}

impl ContactView {
    pub fn is_reserved(&self) -> bool {
        matches!(self, ContactView::Reserved)
    }

    /// The parts shown (none when reserved or missing).
    pub fn parts(&self) -> &[(&'static str, String)] {
        match self {
            ContactView::Shown(parts) => parts,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct IntentView {
    pub themes: Vec<String>,
    pub text: Option<String>,
}

impl IntentView {
    pub fn is_empty(&self) -> bool {
        self.themes.is_empty() && self.text.is_none()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PartnershipView {
    pub partner: String,
    /// The partner's page when it is in the corpus.
    pub href: Option<String>,
    pub country: String,
    pub kind: &'static str,
    pub since: String,
    pub themes: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ActorView {
    pub country: String,
    pub kind: &'static str,
    pub name: String,
}

/// The French name of a working language, when it is a common one.
fn language_name(code: &str) -> String {
    let name = match code {
        "fr" => "français",
        "en" => "anglais",
        "es" => "espagnol",
        "pt" => "portugais",
        "ar" => "arabe",
        "de" => "allemand",
        "it" => "italien",
        "zh" => "chinois",
        "ru" => "russe",
        "wo" => "wolof",
        "mg" => "malgache",
        "sw" => "swahili",
        other => return format!("langue « {other} »"),
    };
    name.to_owned()
}

fn intent(intent: Option<&Intent>) -> IntentView {
    let Some(intent) = intent else {
        return IntentView::default();
    };
    IntentView {
        themes: intent
            .themes
            .iter()
            .map(|t| labels::theme_label(*t).to_owned())
            .collect(),
        text: intent.text.clone().filter(|t| !t.trim().is_empty()),
    }
}

/// Where the fiche is, in words: `région 75, département 33` or the admin1 name.
fn place(fiche: &Fiche) -> Option<String> {
    let admin = fiche.admin.as_ref()?;
    let mut parts = Vec::new();
    if let Some(region) = &admin.region {
        parts.push(format!("région {region}"));
    }
    if let Some(departement) = &admin.departement {
        parts.push(format!("département {departement}"));
    }
    match (&admin.admin1_name, &admin.admin1) {
        (Some(name), _) => parts.push(name.clone()),
        (None, Some(code)) => parts.push(format!("division {code}")),
        (None, None) => {}
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

impl FicheView {
    pub fn new(fiche: &Fiche, caller: &Caller, today: NaiveDate) -> FicheView {
        let mut nature = format!(
            "{} · {}",
            fiche.kind.label(),
            labels::country_name(fiche.country)
        );
        if let Some(place) = place(fiche) {
            nature.push_str(" · ");
            nature.push_str(&place);
        }
        let mut facts = vec![("Échelon", labels::capitalised(fiche.level.label()))];
        facts.push((
            "Population",
            match fiche.population {
                0 => "inconnue".to_owned(),
                n => format!("{} habitants", french::integer(n)),
            },
        ));
        if let Some(area) = fiche.area_km2 {
            facts.push(("Superficie", format!("{} km²", french::decimal(area, 1))));
        }
        if !fiche.languages.is_empty() {
            let names: Vec<String> = fiche
                .languages
                .iter()
                .map(|l| language_name(l.as_str()))
                .collect();
            facts.push(("Langues de travail", names.join(", ")));
        }
        facts.push((
            "Position",
            format!(
                "{} ; {}{}",
                french::decimal(fiche.location.lat, 4),
                french::decimal(fiche.location.lon, 4),
                if fiche.location.approximate {
                    " (approximative)"
                } else {
                    ""
                }
            ),
        ));
        if let Some(updated) = &fiche.updated_at {
            facts.push(("Mise à jour", labels::utc_time(updated.as_str())));
        }
        let contact = if !caller.sees_contact_of(&fiche.id) {
            ContactView::Reserved
        } else {
            match &fiche.contact {
                None => ContactView::Missing,
                Some(c) => {
                    let parts: Vec<(&'static str, String)> = [
                        ("Nom", &c.name),
                        ("Fonction", &c.role),
                        ("Courriel", &c.email),
                        ("Téléphone", &c.phone),
                        ("Adresse", &c.address),
                        ("Site", &c.website),
                    ]
                    .into_iter()
                    .filter_map(|(label, value)| value.clone().map(|v| (label, v)))
                    .collect();
                    if parts.is_empty() {
                        ContactView::Missing
                    } else {
                        ContactView::Shown(parts)
                    }
                }
            }
        };
        let call = match fiche.call {
            None => CallState::None.label_fr().to_owned(),
            Some(call) => {
                let mut text = CallState::of(Some(&call), today).label_fr().to_owned();
                if let Some(published) = call.published {
                    text.push_str(&format!(", publié le {}", published.format("%d/%m/%Y")));
                }
                if let Some(expires) = call.expires {
                    text.push_str(&format!(", échéance le {}", expires.format("%d/%m/%Y")));
                }
                labels::capitalised(&text)
            }
        };
        FicheView {
            id: fiche.id.to_string(),
            href: format!("/console/fiches/{}", fiche.id),
            name: fiche.name.clone(),
            nature,
            side: fiche.side().label(),
            alt_names: fiche.alt_names.clone(),
            facts,
            contact,
            activities: fiche.activities.clone().filter(|t| !t.trim().is_empty()),
            themes: fiche
                .themes
                .iter()
                .map(|t| {
                    (
                        labels::theme_label(t.code).to_owned(),
                        french::percent(t.weight).replace(",0\u{a0}%", "\u{a0}%"),
                    )
                })
                .collect(),
            offer: intent(fiche.offer.as_ref()),
            request: intent(fiche.request.as_ref()),
            partnerships: fiche
                .partnerships
                .iter()
                .map(|p| PartnershipView {
                    partner: p
                        .partner_name
                        .clone()
                        .or_else(|| p.partner_id.as_ref().map(|id| id.to_string()))
                        .unwrap_or_else(|| "partenaire non nommé".to_owned()),
                    href: p
                        .partner_id
                        .as_ref()
                        .map(|id| format!("/console/fiches/{id}")),
                    country: p
                        .country
                        .map(|c| labels::country_name(c).to_owned())
                        .unwrap_or_default(),
                    kind: labels::partnership_label(p.kind),
                    since: p.since.map(|y| y.to_string()).unwrap_or_default(),
                    themes: p
                        .themes
                        .iter()
                        .map(|t| labels::theme_label(*t))
                        .collect::<Vec<_>>()
                        .join(", "),
                    active: p.active,
                })
                .collect(),
            actors: fiche
                .foreign_actors
                .iter()
                .map(|a| ActorView {
                    country: labels::country_name(a.country).to_owned(),
                    kind: labels::actor_label(a.kind),
                    name: a.name.clone().unwrap_or_default(),
                })
                .collect(),
            call,
            provenance: fiche
                .provenance
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            stale: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Role;

    fn fiche() -> Fiche {
        passerelle_engine::jsonl::parse_fiche(
            r#"{"id":"FR-COM-33063","country":"FR","kind":"commune","level":"local","name":"Bordeaux","admin":{"region":"75","departement":"33"},"location":{"lat":44.8,"lon":-0.58},"population":260000,"contact":{"name":"Camille Martin","email":"camille.martin@example.org"},"request":{"text":"Coopération"}}"#,
        )
        .unwrap()
    }

    fn caller(role: Role) -> Caller {
        Caller {
            name: "x".into(),
            role,
            fiches: Vec::new(),
        }
    }

    #[test]
    fn contacts_are_shown_to_staff_only() {
        let today = "2026-09-01".parse().unwrap();
        for role in [Role::Staff, Role::Admin] {
            let view = FicheView::new(&fiche(), &caller(role), today);
            assert_eq!(
                view.contact.parts()[0],
                ("Nom", "Camille Martin".to_owned())
            );
        }
        // The console opens no portal session; were one to reach a page, it would
        // see no contact.
        let view = FicheView::new(&fiche(), &caller(Role::Portal), today);
        assert!(view.contact.is_reserved());
        assert!(view.contact.parts().is_empty());
        assert!(!format!("{view:?}").contains("Camille"));
    }

    #[test]
    fn sections_read_in_french() {
        let view = FicheView::new(
            &fiche(),
            &caller(Role::Staff),
            "2026-09-01".parse().unwrap(),
        );
        assert_eq!(view.nature, "commune · France · région 75, département 33");
        assert_eq!(view.side, "française");
        assert!(
            view.facts
                .contains(&("Population", "260\u{a0}000 habitants".to_owned()))
        );
        assert_eq!(view.call, "sans appel");
    }
}
