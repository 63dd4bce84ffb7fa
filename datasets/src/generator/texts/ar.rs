//! Arabic sentences (Modern Standard Arabic, with the vocabulary of decentralised
//! cooperation used in the Maghreb: جماعة, تراب, تكوين).

use super::Phrasebook;

pub const PHRASES: Phrasebook = Phrasebook {
    // Joined to the last item of a list, without a space (`أ، ب وج`): see `join`.
    and: "و",
    thousands_separator: " ",
    population: &[
        "يبلغ عدد سكان {name} حوالي {population} نسمة.",
        "عدد السكان: حوالي {population} نسمة.",
        "يضم التراب حوالي {population} نسمة.",
    ],
    activities: &[
        "أهم مجالات العمل: {topics}.",
        "تنشط الجماعة في المجالات التالية: {topics}.",
        "أنشطة التراب ومؤهلاته: {topics}.",
        "تتركز السياسات المحلية أساسا على: {topics}.",
    ],
    offer: &[
        "خبرات للتقاسم: {topics}.",
        "يمكن لمصالحنا تقديم خبرة تقنية في المجالات التالية: {topics}.",
        "تقترح الجماعة دعما تقنيا وتكوينا لموظفيها: {topics}.",
        "خبرة معترف بها يمكن تعبئتها في إطار شراكة: {topics}.",
    ],
    offer_more: &[
        "يمكن استقبال وفود وموظفين في تداريب.",
        "يمكن تنظيم بعثات خبرة قصيرة في عين المكان.",
        "يمكن تقديم دعم لصاحب المشروع المحلي.",
        "يمكن تعبئة المصالح التقنية وجمعيات التراب.",
    ],
    request: &[
        "أهداف الشراكة المنشودة: {topics}.",
        "نرغب في التقدم في المواضيع التالية: {topics}.",
        "نبحث عن شريك لتعزيز الخدمات المحلية: {topics}.",
        "أولويات التراب في إطار الشراكة: {topics}.",
    ],
    request_more: &[
        "نرغب في تبادلات بين المنتخبين والتقنيين.",
        "سيكون دعم تكوين الموظفين ثمينا.",
        "سيشرك المشروع المجتمع المدني والشباب.",
        "يمكن البحث عن تمويل مشترك معا.",
    ],
};
