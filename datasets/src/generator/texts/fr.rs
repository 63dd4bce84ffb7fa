//! French sentences.

use super::Phrasebook;

pub const PHRASES: Phrasebook = Phrasebook {
    and: "et",
    thousands_separator: " ",
    population: &[
        "{name} compte environ {population} habitants.",
        "Population : environ {population} habitants.",
        "Le territoire rassemble quelque {population} habitants.",
    ],
    activities: &[
        "Principaux domaines d'action : {topics}.",
        "Le territoire est actif dans les domaines suivants : {topics}.",
        "Activités et atouts du territoire : {topics}.",
        "Les politiques locales portent notamment sur : {topics}.",
    ],
    offer: &[
        "Savoir-faire à partager : {topics}.",
        "Nos services peuvent apporter une expertise technique dans les domaines suivants : {topics}.",
        "La collectivité propose un appui technique et des formations d'agents : {topics}.",
        "Expérience reconnue, mobilisable dans le cadre d'un partenariat : {topics}.",
    ],
    offer_more: &[
        "Accueil possible de délégations et d'agents en stage.",
        "Des missions d'expertise courtes sur place sont envisageables.",
        "Un appui à la maîtrise d'ouvrage locale peut être proposé.",
        "Les services techniques et les associations du territoire sont mobilisables.",
    ],
    request: &[
        "Objectifs du partenariat recherché : {topics}.",
        "Nous souhaitons progresser sur les sujets suivants : {topics}.",
        "Recherche d'un partenaire pour renforcer les services locaux : {topics}.",
        "Priorités du territoire pour une coopération : {topics}.",
    ],
    request_more: &[
        "Nous souhaitons des échanges entre élus et techniciens.",
        "Un appui à la formation des agents serait précieux.",
        "Le projet associera la société civile et les jeunes.",
        "Un cofinancement pourra être recherché ensemble.",
    ],
};
