//! Schema versions of the store, applied in order and recorded in `user_version`.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Each entry brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: fiches, the system of record.
    "CREATE TABLE fiches (
        id            TEXT PRIMARY KEY NOT NULL,
        country       TEXT NOT NULL,
        kind          TEXT NOT NULL,
        level         TEXT NOT NULL,
        name          TEXT NOT NULL,
        population    INTEGER NOT NULL,
        profile_themes INTEGER NOT NULL,
        offer_themes  INTEGER NOT NULL,
        request_themes INTEGER NOT NULL,
        call_status   TEXT,
        call_expires  TEXT,
        body          TEXT NOT NULL
    );",
    // 2: the generation of the fiches, bumped by every write, so that derived data
    // (the search index) knows whether it is stale.
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
     INSERT INTO meta (key, value) VALUES ('fiches_generation', 0);",
    // 3: staff decisions on pairs, append-only (see `decisions.rs`).
    "CREATE TABLE decisions (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        fiche_a   TEXT NOT NULL,
        fiche_b   TEXT NOT NULL,
        kind      TEXT NOT NULL CHECK (kind IN ('accept', 'reject', 'shortlist', 'contacted')),
        note      TEXT NOT NULL,
        reviewer  TEXT NOT NULL,
        at        TEXT NOT NULL,
        CHECK (fiche_a < fiche_b)
     );
     CREATE INDEX decisions_by_a ON decisions (fiche_a, id);
     CREATE INDEX decisions_by_b ON decisions (fiche_b, id);
     CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
       BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
     CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
       BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;",
    // 4: batch runs and their results (see `batch_runs.rs`). Results rows are
    // written with the run's `done` status, in one transaction.
    "CREATE TABLE batch_runs (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        spec             TEXT NOT NULL,
        today            TEXT NOT NULL,
        origin           TEXT NOT NULL,
        status           TEXT NOT NULL
                         CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        message          TEXT,
        generation       INTEGER,
        pairs_scored     INTEGER NOT NULL DEFAULT 0,
        pairs_total      INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        created_at       TEXT NOT NULL,
        started_at       TEXT,
        finished_at      TEXT,
        french_count     INTEGER,
        foreign_count    INTEGER,
        scored_count     INTEGER,
        assigned_count   INTEGER,
        total            REAL,
        unassigned_count INTEGER,
        agenda_count     INTEGER,
        unplaced_count   INTEGER
     );
     CREATE INDEX batch_runs_by_status ON batch_runs (status);
     CREATE TABLE batch_pairs (
        run_id       INTEGER NOT NULL REFERENCES batch_runs (id),
        list         TEXT NOT NULL CHECK (list IN ('scored', 'assigned', 'unplaced')),
        rank         INTEGER NOT NULL,
        french_id    TEXT NOT NULL,
        french_name  TEXT NOT NULL,
        foreign_id   TEXT NOT NULL,
        foreign_name TEXT NOT NULL,
        score        REAL NOT NULL,
        PRIMARY KEY (run_id, list, rank)
     ) WITHOUT ROWID;
     CREATE TABLE batch_unassigned (
        run_id   INTEGER NOT NULL REFERENCES batch_runs (id),
        rank     INTEGER NOT NULL,
        fiche_id TEXT NOT NULL,
        name     TEXT NOT NULL,
        reason   TEXT NOT NULL,
        PRIMARY KEY (run_id, rank)
     ) WITHOUT ROWID;
     CREATE TABLE batch_agenda (
        run_id       INTEGER NOT NULL REFERENCES batch_runs (id),
        rank         INTEGER NOT NULL,
        slot         TEXT NOT NULL,
        start        TEXT NOT NULL,
        end          TEXT NOT NULL,
        table_no     INTEGER NOT NULL,
        french_id    TEXT NOT NULL,
        french_name  TEXT NOT NULL,
        foreign_id   TEXT NOT NULL,
        foreign_name TEXT NOT NULL,
        score        REAL NOT NULL,
        PRIMARY KEY (run_id, rank)
     ) WITHOUT ROWID;",
    // 5: reason codes of decisions; the interest collectivités express in each
    // other (`interests.rs`) and their reconfirmations of a fiche
    // (`reconfirmations.rs`), append-only like decisions.
    "ALTER TABLE decisions ADD COLUMN reason TEXT
        CHECK (reason IS NULL OR reason IN
               ('theme', 'size', 'language', 'already_partners', 'political_context', 'other'));
     CREATE TABLE interests (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        fiche     TEXT NOT NULL,
        candidate TEXT NOT NULL,
        kind      TEXT NOT NULL CHECK (kind IN ('interested', 'not_interested')),
        note      TEXT NOT NULL,
        actor     TEXT NOT NULL,
        at        TEXT NOT NULL,
        CHECK (fiche <> candidate)
     );
     CREATE INDEX interests_by_fiche ON interests (fiche, id);
     CREATE INDEX interests_by_candidate ON interests (candidate, id);
     CREATE TRIGGER interests_no_update BEFORE UPDATE ON interests
       BEGIN SELECT RAISE(ABORT, 'interests are append-only'); END;
     CREATE TRIGGER interests_no_delete BEFORE DELETE ON interests
       BEGIN SELECT RAISE(ABORT, 'interests are append-only'); END;
     CREATE TABLE reconfirmations (
        id    INTEGER PRIMARY KEY AUTOINCREMENT,
        fiche TEXT NOT NULL,
        note  TEXT NOT NULL,
        actor TEXT NOT NULL,
        at    TEXT NOT NULL
     );
     CREATE INDEX reconfirmations_by_fiche ON reconfirmations (fiche, id);
     CREATE TRIGGER reconfirmations_no_update BEFORE UPDATE ON reconfirmations
       BEGIN SELECT RAISE(ABORT, 'reconfirmations are append-only'); END;
     CREATE TRIGGER reconfirmations_no_delete BEFORE DELETE ON reconfirmations
       BEGIN SELECT RAISE(ABORT, 'reconfirmations are append-only'); END;",
    // 6: the administrative areas and the update time of each fiche as columns
    // (filled from the bodies of the fiches already stored), with covering indexes:
    // checking a batch scope against the fiches per area and flagging the fiches
    // « à reconfirmer » read these indexes instead of every body.
    "ALTER TABLE fiches ADD COLUMN region TEXT;
     ALTER TABLE fiches ADD COLUMN departement TEXT;
     ALTER TABLE fiches ADD COLUMN admin1 TEXT;
     ALTER TABLE fiches ADD COLUMN admin1_name TEXT;
     ALTER TABLE fiches ADD COLUMN updated_at TEXT;
     UPDATE fiches SET
        region = json_extract(body, '$.admin.region'),
        departement = json_extract(body, '$.admin.departement'),
        admin1 = json_extract(body, '$.admin.admin1'),
        admin1_name = json_extract(body, '$.admin.admin1_name'),
        updated_at = json_extract(body, '$.updated_at');
     CREATE INDEX fiches_by_area
        ON fiches (kind, country, region, departement, admin1, admin1_name);
     CREATE INDEX fiches_by_update ON fiches (updated_at, id);",
    // 7: a run's pairs name its fiches by number, each fiche's id and name written
    // once per run in `batch_fiches` (a large run keeps millions of pairs over a few
    // hundred thousand fiches: the rows are a fraction of the size, and of the time
    // to write). The pairs already stored are renumbered: the fiches of a run in id
    // order (a run's names come from one snapshot: one name per id).
    "CREATE TABLE batch_fiches (
        run_id   INTEGER NOT NULL REFERENCES batch_runs (id),
        number   INTEGER NOT NULL,
        fiche_id TEXT NOT NULL,
        name     TEXT NOT NULL,
        PRIMARY KEY (run_id, number)
     ) WITHOUT ROWID;
     INSERT INTO batch_fiches (run_id, number, fiche_id, name)
        SELECT run_id, row_number() OVER (PARTITION BY run_id ORDER BY fiche_id) - 1,
               fiche_id, MIN(name)
        FROM (SELECT run_id, french_id AS fiche_id, french_name AS name FROM batch_pairs
              UNION ALL
              SELECT run_id, foreign_id, foreign_name FROM batch_pairs)
        GROUP BY run_id, fiche_id;
     CREATE INDEX batch_fiches_by_id ON batch_fiches (run_id, fiche_id);
     CREATE TABLE batch_numbered_pairs (
        run_id         INTEGER NOT NULL REFERENCES batch_runs (id),
        list           TEXT NOT NULL CHECK (list IN ('scored', 'assigned', 'unplaced')),
        rank           INTEGER NOT NULL,
        french_number  INTEGER NOT NULL,
        foreign_number INTEGER NOT NULL,
        score          REAL NOT NULL,
        PRIMARY KEY (run_id, list, rank)
     ) WITHOUT ROWID;
     INSERT INTO batch_numbered_pairs
        SELECT p.run_id, p.list, p.rank, f.number, x.number, p.score
        FROM batch_pairs p
        JOIN batch_fiches f ON f.run_id = p.run_id AND f.fiche_id = p.french_id
        JOIN batch_fiches x ON x.run_id = p.run_id AND x.fiche_id = p.foreign_id;
     DROP INDEX batch_fiches_by_id;
     DROP TABLE batch_pairs;
     ALTER TABLE batch_numbered_pairs RENAME TO batch_pairs;",
];

pub(super) fn migrate(connection: &mut Connection, path: &Path) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(Error::SchemaTooNew {
            path: path.to_owned(),
            found,
            known,
        });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", version as i64 + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, params};
    use serde_json::json;

    use super::MIGRATIONS;
    use crate::jsonl;
    use crate::store::areas::{RawRow, read};
    use crate::store::{DATABASE_FILE, Store};
    use crate::text::fixtures::{corpus, fiche};

    /// A data directory left by a version 5 store (before the area and update
    /// columns): its fiches as that version wrote them.
    fn version_5_store(dir: &std::path::Path, fiches: &[crate::fiche::Fiche]) {
        let mut connection = Connection::open(dir.join(DATABASE_FILE)).unwrap();
        let transaction = connection.transaction().unwrap();
        for sql in &MIGRATIONS[..5] {
            transaction.execute_batch(sql).unwrap();
        }
        for f in fiches {
            transaction
                .execute(
                    "INSERT INTO fiches (id, country, kind, level, name, population,
                         profile_themes, offer_themes, request_themes, call_status,
                         call_expires, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, NULL, NULL, ?7)",
                    params![
                        f.id.as_str(),
                        f.country.as_str(),
                        f.kind.as_str(),
                        f.level.as_str(),
                        f.name,
                        f.population as i64,
                        jsonl::to_line(f)
                    ],
                )
                .unwrap();
        }
        transaction.pragma_update(None, "user_version", 5).unwrap();
        transaction.commit().unwrap();
    }

    #[test]
    fn a_version_5_store_gets_its_area_and_update_columns_from_the_bodies() {
        let mut fiches = corpus();
        fiches.push(fiche(
            "FR-COM-69123",
            "Lyon",
            json!({"admin": {"region": "84", "departement": "69"},
                   "updated_at": "2026-03-01T23:30:00-02:00"}),
        ));
        // Another kind in the same area: one group per side, kinds merged.
        fiches.push(fiche(
            "FR-EPCI-200046977",
            "Métropole de Lyon",
            json!({"kind": "epci", "level": "intermediate",
                   "admin": {"region": "84", "departement": "69"}}),
        ));
        fiches.push(fiche(
            "ML-COM-BKO",
            "Bamako",
            json!({"admin": {"admin1": "BK", "admin1_name": "Bamako"},
                   "updated_at": "2025-12-31T08:00:00Z"}),
        ));
        let old = tempfile::tempdir().unwrap();
        version_5_store(old.path(), &fiches);
        let migrated = Store::open(old.path()).unwrap();
        let version: i64 = migrated
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);

        // The same fiches written by the current version: the same answers.
        let new = tempfile::tempdir().unwrap();
        let mut fresh = Store::open(new.path()).unwrap();
        fresh.upsert(&fiches).unwrap();
        let areas = migrated.area_counts().unwrap();
        assert_eq!(areas, fresh.area_counts().unwrap());
        let lyon = areas
            .iter()
            .find(|a| a.departement.as_deref() == Some("69"));
        assert_eq!(lyon.map(|a| a.fiches), Some(2));
        assert!(
            areas
                .iter()
                .any(|a| a.admin1_name.as_deref() == Some("Bamako"))
        );
        // What version 5 answered, from the bodies: the same groups in the same order.
        let mut statement = migrated
            .connection
            .prepare(
                "SELECT CASE WHEN kind IN ('commune', 'epci', 'departement', 'region')
                             THEN 'french' ELSE 'foreign' END,
                        country,
                        json_extract(body, '$.admin.region'),
                        json_extract(body, '$.admin.departement'),
                        json_extract(body, '$.admin.admin1'),
                        json_extract(body, '$.admin.admin1_name'),
                        COUNT(*)
                 FROM fiches GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6",
            )
            .unwrap();
        let from_bodies: Vec<RawRow> = statement
            .query_map([], read)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let side = |side: crate::fiche::Side| match side {
            crate::fiche::Side::French => "french",
            crate::fiche::Side::Foreign => "foreign",
        };
        let counted: Vec<RawRow> = areas
            .iter()
            .map(|a| {
                (
                    side(a.side).to_owned(),
                    a.country.as_str().to_owned(),
                    a.region.clone(),
                    a.departement.clone(),
                    a.admin1.clone(),
                    a.admin1_name.clone(),
                    a.fiches as i64,
                )
            })
            .collect();
        assert_eq!(counted, from_bodies);
        drop(statement);
        let sorted = |store: &Store| {
            let mut days = store.updated_days().unwrap();
            days.sort();
            days
        };
        let days = sorted(&migrated);
        assert_eq!(days, sorted(&fresh));
        // The day in UTC: 23:30 at UTC-2 is the next day.
        let day = |id: &str| days.iter().find(|(f, _)| f.as_str() == id).unwrap().1;
        assert_eq!(
            day("FR-COM-69123"),
            chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
        );
        assert_eq!(day("SN-COM-DKR"), None);
        for f in &fiches {
            assert_eq!(
                migrated.updated_on(&f.id).unwrap(),
                fresh.updated_on(&f.id).unwrap()
            );
        }
    }
}
