//! The franco-béninoise Assises scenario: 15 French collectivités × Benin's 77
//! communes, paired under capacities, then an agenda over two half-days. Every
//! constraint is checked on the files `passerelle batch` writes.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use clap::Parser;
use passerelle::cli::{Cli, run};
use passerelle_tests::sample_path;

/// Meetings per French collectivité and per Beninese commune.
const FRENCH_CAPACITY: usize = 5;
const BENIN_CAPACITY: usize = 1;
const TABLES: usize = 15;

/// Two half-days (a morning and an afternoon) of seven 30-minute slots.
fn slots_file(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("label,start,end\n");
    let day = "2026-12-03";
    {
        for (half, hour) in [9, 14].iter().enumerate() {
            for slot in 0..7 {
                let start = hour * 60 + slot * 30;
                let end = start + 30;
                text.push_str(&format!(
                    "D{half}-{slot},{day}T{:02}:{:02},{day}T{:02}:{:02}\n",
                    start / 60,
                    start % 60,
                    end / 60,
                    end % 60
                ));
            }
        }
    }
    let path = dir.join("slots.csv");
    std::fs::write(&path, text).unwrap();
    path
}

pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            // Names are quoted; ids and numbers never contain commas.
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            for c in line.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut field)),
                    c => field.push(c),
                }
            }
            fields.push(field);
            fields
        })
        .collect()
}

fn batch(data: &Path, french: &str, slots: &Path, out: &Path) {
    let argv = [
        "passerelle",
        "--data-dir",
        data.to_str().unwrap(),
        "batch",
        "--fr",
        french,
        "--foreign",
        "country:BJ",
        "-k",
        "20",
        "--assign",
        &BENIN_CAPACITY.to_string(),
        "--assign-french",
        &FRENCH_CAPACITY.to_string(),
        "--slots",
        slots.to_str().unwrap(),
        "--tables",
        &TABLES.to_string(),
        "--event",
        "Assises franco-béninoises",
        "--out",
        out.to_str().unwrap(),
        "--date",
        "2026-11-22",
    ];
    run(Cli::try_parse_from(argv).unwrap()).unwrap();
}

#[test]
fn franco_beninese_assises() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(Cli::try_parse_from([
        "passerelle",
        "--data-dir",
        data.to_str().unwrap(),
        "import",
        sample_path().to_str().unwrap(),
    ])
    .unwrap())
    .unwrap();
    let fiches: Vec<_> = passerelle_tests::sample_fiches();
    let french: Vec<String> = fiches
        .iter()
        .filter(|f| f.id.as_str().starts_with("FR-COM-"))
        .take(15)
        .map(|f| f.id.to_string())
        .collect();
    assert_eq!(french.len(), 15);
    let slots = slots_file(dir.path());
    let out = dir.path().join("run");
    batch(&data, &format!("ids:{}", french.join(",")), &slots, &out);

    let assigned = csv_rows(&out.join("assignment.csv"));
    let partners: HashSet<(String, String)> = fiches
        .iter()
        .flat_map(|f| {
            f.partnerships.iter().filter_map(move |p| {
                p.partner_id
                    .as_ref()
                    .map(|p| (f.id.to_string(), p.to_string()))
            })
        })
        .collect();
    let mut per_french: HashMap<&str, usize> = HashMap::new();
    let mut per_benin: HashMap<&str, usize> = HashMap::new();
    for row in &assigned {
        assert!(french.contains(&row[0]), "{row:?} in the French scope");
        assert!(row[2].starts_with("BJ-COM-"), "{row:?} in Benin");
        assert!(
            !partners.contains(&(row[0].clone(), row[2].clone())),
            "{row:?} not already partners"
        );
        *per_french.entry(&row[0]).or_default() += 1;
        *per_benin.entry(&row[2]).or_default() += 1;
    }
    assert!(per_french.values().all(|&n| n <= FRENCH_CAPACITY));
    assert!(per_benin.values().all(|&n| n <= BENIN_CAPACITY));
    // Capacities allow 75 meetings; the sample's Beninese communes are all candidates.
    assert!(assigned.len() >= 60, "{} meetings", assigned.len());
    let unassigned = csv_rows(&out.join("unassigned.csv"));
    assert_eq!(
        per_benin.len()
            + unassigned
                .iter()
                .filter(|u| u[0].starts_with("BJ-"))
                .count(),
        77
    );
    assert!(
        unassigned.iter().all(|u| !u[2].is_empty()),
        "every unassigned fiche has a reason"
    );

    // The agenda: every meeting placed, nobody double-booked, tables within bounds.
    let agenda = csv_rows(&out.join("agenda.csv"));
    assert_eq!(agenda.len(), assigned.len());
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for row in &agenda {
        let (slot, table, f, x) = (&row[0], row[3].parse::<usize>().unwrap(), &row[4], &row[6]);
        assert!((1..=TABLES).contains(&table));
        assert!(
            seen.insert((slot.clone(), f.clone())),
            "{f} twice in {slot}"
        );
        assert!(
            seen.insert((slot.clone(), x.clone())),
            "{x} twice in {slot}"
        );
        assert!(
            seen.insert((slot.clone(), format!("table {table}"))),
            "table {table} twice in {slot}"
        );
    }
    // Best pairs first: the best pair meets in the first slot.
    let best = &assigned[0];
    assert!(
        agenda
            .iter()
            .any(|r| r[0] == "D0-0" && r[4] == best[0] && r[6] == best[2])
    );

    // One calendar per participant, holding each of its meetings.
    let calendars = out.join("calendars");
    for row in &agenda {
        for id in [&row[4], &row[6]] {
            let ics = std::fs::read_to_string(calendars.join(format!("{id}.ics"))).unwrap();
            assert!(ics.contains(&format!("UID:{}-{}-", row[4], row[6])));
        }
    }

    // Reproducible: same data and spec, same output.
    let again = dir.path().join("again");
    batch(&data, &format!("ids:{}", french.join(",")), &slots, &again);
    for file in [
        "pairs.csv",
        "assignment.csv",
        "unassigned.csv",
        "agenda.csv",
    ] {
        assert_eq!(
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
}
