"""The batch cross product as an analyst would write it with numpy.

    python3 benches/baseline/cross_product.py FEATURES.json OUT.json

Reads the scoring features of a French scope and a foreign scope (written by
`bench-batch --baseline`: theme sets and text signatures as bit masks, populations,
levels, languages, countries, partnerships, and the corpus tables: links of each
French région with each country, under-served score of each country), scores every
French x foreign pair with the formula of docs/scoring.md, chunk by chunk of French
fiches as whole-row numpy expressions, and keeps the best k totals of every French
fiche and of every foreign fiche. Writes them, with the time the scoring took, to
OUT.json.

Plain numpy on one core, no compiled extension: the point of comparison for the
engine's cross product (`benches/src/bin/bench_batch.rs` runs both on the same data).
"""

import json
import sys
import time

import numpy as np

LN4 = 2.0 * np.log(2.0)


def popcount(x):
    return np.bitwise_count(x).astype(np.float64)


def share(answered, sought_len):
    """|answered| / |sought|, 0 when nothing is sought."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sought_len > 0, answered / sought_len, 0.0)


def cosine(shared, len_a, len_b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(shared > 0, shared / np.sqrt(len_a * len_b), 0.0)


def column(rows, key, dtype):
    return np.array([row[key] for row in rows], dtype=dtype)


def signature(rows, key):
    return np.array([row[key] for row in rows], dtype=np.uint64).reshape(len(rows), 2)


def main(features_path, out_path):
    with open(features_path) as f:
        data = json.load(f)
    k = data["k"]
    w_thematic, w_geography, w_size, w_underserved = data["weights"]
    underserved = np.array(data["underserved"], dtype=np.float64)
    region_links = np.array(data["region_links"], dtype=np.float64)  # région x country
    french, foreign = data["french"], data["foreign"]

    # Foreign side, as whole columns.
    x_offer = column(foreign, "offer", np.uint32)
    x_request = column(foreign, "request", np.uint32)
    x_profile = column(foreign, "profile", np.uint32)
    x_offer_text = signature(foreign, "offer_text")
    x_request_text = signature(foreign, "request_text")
    x_request_len = popcount(x_request)
    x_profile_len = popcount(x_profile)
    x_offer_text_len = popcount(x_offer_text).sum(axis=1)
    x_request_text_len = popcount(x_request_text).sum(axis=1)
    x_ln = np.array(
        [np.nan if row["ln_population"] is None else row["ln_population"] for row in foreign]
    )
    x_level = column(foreign, "level", np.float64)
    x_languages = column(foreign, "languages", np.uint32)
    x_country = column(foreign, "country", np.int64)
    x_area = column(foreign, "area", np.int64)  # -1: none
    x_underserved = underserved[x_country]

    started = time.perf_counter()
    n_x = len(foreign)
    # Best k per foreign fiche so far: totals, best first; -inf where none.
    best_foreign = np.full((k, n_x), -np.inf)
    best_french = []
    chunk = 16
    for start in range(0, len(french), chunk):
        rows = french[start : start + chunk]
        c = len(rows)
        offer = column(rows, "offer", np.uint32)[:, None]
        request = column(rows, "request", np.uint32)[:, None]
        profile = column(rows, "profile", np.uint32)[:, None]
        offer_text = signature(rows, "offer_text")
        request_text = signature(rows, "request_text")

        # Thematic: what each offers answers what the other seeks, both ways.
        s_ab = share(popcount(offer & x_request[None, :]), x_request_len[None, :])
        s_ba = share(popcount(x_offer[None, :] & request), popcount(request))
        reciprocal = 0.5 * np.sqrt(s_ab * s_ba) + 0.25 * (s_ab + s_ba)
        shared_ab = popcount(offer_text[:, None, 0] & x_request_text[None, :, 0]) + popcount(
            offer_text[:, None, 1] & x_request_text[None, :, 1]
        )
        shared_ba = popcount(x_offer_text[None, :, 0] & request_text[:, None, 0]) + popcount(
            x_offer_text[None, :, 1] & request_text[:, None, 1]
        )
        text = 0.5 * (
            cosine(shared_ab, popcount(offer_text).sum(axis=1)[:, None], x_request_text_len[None, :])
            + cosine(shared_ba, x_offer_text_len[None, :], popcount(request_text).sum(axis=1)[:, None])
        )
        union = popcount(profile | x_profile[None, :])
        profiles = share(popcount(profile & x_profile[None, :]), union)
        thematic = np.minimum(0.7 * reciprocal + 0.15 * text + 0.15 * profiles, 1.0)

        # Geography: pooling, diaspora, a shared language.
        pooling = np.empty((c, n_x))
        diaspora = np.empty((c, n_x))
        for r, row in enumerate(rows):
            links = region_links[row["region"]] if row["region"] >= 0 else np.zeros(len(underserved))
            by_country = 0.6 * links / (links + 2.0)
            by_country[row["partner_countries"]] = 0.8
            pooling[r] = by_country[x_country]
            if row["partner_areas"]:
                pooling[r][np.isin(x_area, row["partner_areas"])] = 1.0
            actors = np.zeros(len(underserved))
            actors[row["other_actors"]] = 0.5
            actors[row["diaspora"]] = 1.0
            diaspora[r] = actors[x_country]
        languages = column(rows, "languages", np.uint32)[:, None]
        shared_language = ((languages & x_languages[None, :]) != 0).astype(np.float64)
        geography = np.minimum(0.4 * pooling + 0.3 * diaspora + 0.3 * shared_language, 1.0)

        # Size: populations on a log scale, levels.
        ln = np.array([np.nan if row["ln_population"] is None else row["ln_population"] for row in rows])
        ratio = (ln[:, None] - x_ln[None, :]) / LN4
        population = np.where(np.isnan(ratio), 0.5, 1.0 / (1.0 + ratio * ratio))
        level_gap = np.abs(column(rows, "level", np.float64)[:, None] - x_level[None, :])
        level = np.where(level_gap == 0, 1.0, np.where(level_gap == 1, 0.5, 0.0))
        size = 0.5 * population + 0.5 * level

        total = np.minimum(
            w_thematic * thematic
            + w_geography * geography
            + w_size * size
            + w_underserved * x_underserved[None, :],
            1.0,
        )
        for r, row in enumerate(rows):
            total[r, row["excluded"]] = -np.inf

        # Best k of each French fiche of the chunk, and of each foreign fiche so far.
        top = -np.partition(-total, k - 1, axis=1)[:, :k]
        best_french.extend(np.sort(top, axis=1)[:, ::-1].tolist())
        merged = np.concatenate([best_foreign, total], axis=0)
        best_foreign = -np.partition(-merged, k - 1, axis=0)[:k]
    seconds = time.perf_counter() - started
    best_foreign = np.sort(best_foreign, axis=0)[::-1].T
    clean = lambda lists: [[t for t in best if t != -np.inf] for best in lists]
    with open(out_path, "w") as f:
        json.dump(
            {
                "seconds": seconds,
                "pairs": len(french) * n_x,
                "best_french": clean(best_french),
                "best_foreign": clean(best_foreign.tolist()),
            },
            f,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
