//! Spanish sentences.

use super::Phrasebook;

pub const PHRASES: Phrasebook = Phrasebook {
    and: "y",
    thousands_separator: ".",
    population: &[
        "{name} cuenta con unos {population} habitantes.",
        "Población: unos {population} habitantes.",
        "En el municipio viven unas {population} personas.",
    ],
    activities: &[
        "Principales ámbitos de acción: {topics}.",
        "El municipio es activo en los siguientes ámbitos: {topics}.",
        "Actividades y fortalezas del territorio: {topics}.",
        "Las políticas locales se centran en particular en: {topics}.",
    ],
    offer: &[
        "Experiencia que podemos compartir: {topics}.",
        "Nuestros servicios pueden aportar asistencia técnica en los siguientes ámbitos: {topics}.",
        "El municipio ofrece apoyo técnico y formación de personal: {topics}.",
        "Experiencia reconocida, disponible en el marco de una alianza: {topics}.",
    ],
    offer_more: &[
        "Podemos recibir delegaciones y personal en prácticas.",
        "Son posibles misiones cortas de expertos sobre el terreno.",
        "Podemos apoyar la gestión de proyectos locales.",
        "Los servicios técnicos y las asociaciones locales pueden participar.",
    ],
    request: &[
        "Objetivos de la cooperación buscada: {topics}.",
        "Queremos avanzar en los siguientes temas: {topics}.",
        "Buscamos un socio para fortalecer los servicios locales: {topics}.",
        "Prioridades del municipio para una cooperación: {topics}.",
    ],
    request_more: &[
        "Deseamos intercambios entre autoridades electas y personal técnico.",
        "Sería muy útil un apoyo a la formación del personal municipal.",
        "El proyecto involucrará a la sociedad civil y a los jóvenes.",
        "Se podrá buscar cofinanciación conjuntamente.",
    ],
};
