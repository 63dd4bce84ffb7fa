//! English sentences.

use super::Phrasebook;

pub const PHRASES: Phrasebook = Phrasebook {
    and: "and",
    thousands_separator: ",",
    population: &[
        "{name} has about {population} inhabitants.",
        "Population: about {population} inhabitants.",
        "Some {population} people live in the area.",
    ],
    activities: &[
        "Main fields of action: {topics}.",
        "The municipality is active in the following fields: {topics}.",
        "Activities and assets of the area: {topics}.",
        "Local policies focus in particular on: {topics}.",
    ],
    offer: &[
        "Know-how to share: {topics}.",
        "Our services can provide technical expertise in the following fields: {topics}.",
        "The municipality offers technical support and staff training: {topics}.",
        "Recognised experience, available within a partnership: {topics}.",
    ],
    offer_more: &[
        "We can host delegations and staff on placement.",
        "Short expert missions on site are possible.",
        "Support to local project management can be offered.",
        "Local technical services and associations can take part.",
    ],
    request: &[
        "Objectives of the partnership sought: {topics}.",
        "We wish to make progress on the following subjects: {topics}.",
        "Looking for a partner to strengthen local services: {topics}.",
        "Priorities of the municipality for a cooperation: {topics}.",
    ],
    request_more: &[
        "We would welcome exchanges between elected officials and technical staff.",
        "Support for the training of municipal staff would be valuable.",
        "The project will involve civil society and young people.",
        "Co-funding could be sought together.",
    ],
};
