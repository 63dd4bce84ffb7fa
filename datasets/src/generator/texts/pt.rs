//! Portuguese sentences.

use super::Phrasebook;

pub const PHRASES: Phrasebook = Phrasebook {
    and: "e",
    thousands_separator: ".",
    population: &[
        "{name} tem cerca de {population} habitantes.",
        "População: cerca de {population} habitantes.",
        "Vivem no município cerca de {population} pessoas.",
    ],
    activities: &[
        "Principais áreas de atuação: {topics}.",
        "O município atua nas seguintes áreas: {topics}.",
        "Atividades e pontos fortes do território: {topics}.",
        "As políticas locais se concentram em particular em: {topics}.",
    ],
    offer: &[
        "Experiência que podemos compartilhar: {topics}.",
        "Nossos serviços podem oferecer assistência técnica nas seguintes áreas: {topics}.",
        "O município oferece apoio técnico e capacitação de servidores: {topics}.",
        "Experiência reconhecida, disponível no âmbito de uma parceria: {topics}.",
    ],
    offer_more: &[
        "Podemos receber delegações e servidores em estágio.",
        "Missões curtas de especialistas no local são possíveis.",
        "Podemos apoiar a gestão de projetos locais.",
        "Os serviços técnicos e as associações locais podem participar.",
    ],
    request: &[
        "Objetivos da parceria procurada: {topics}.",
        "Queremos avançar nos seguintes temas: {topics}.",
        "Procuramos um parceiro para fortalecer os serviços locais: {topics}.",
        "Prioridades do município para uma cooperação: {topics}.",
    ],
    request_more: &[
        "Desejamos intercâmbios entre autoridades eleitas e equipes técnicas.",
        "Um apoio à capacitação dos servidores municipais seria valioso.",
        "O projeto envolverá a sociedade civil e os jovens.",
        "Um cofinanciamento poderá ser buscado em conjunto.",
    ],
};
