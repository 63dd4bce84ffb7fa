#!/usr/bin/env python3
"""Cross-language check of the Passerelle gRPC API.

Generates Python stubs from proto/ with grpcio-tools, starts `passerelle serve
--empty` on a temporary data directory, drives it with a grpcio client (upserts,
get, search, lookup, suggest, explain, batch runs, review, delete, health, roles), stops it with
SIGTERM and prints `N passed, N failed`. Exits non-zero on any failure. It also reads
workbooks the binary exports with openpyxl (another tool than the one that wrote them),
and has the binary import a workbook openpyxl saved.

Usage: check_grpc.py [PATH_TO_PASSERELLE_BINARY]   (default: target/debug/passerelle,
or $PASSERELLE_BIN)
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL, STAFF, ADMIN = "py-portal-token-0123456789", "py-staff-token-0123456789", "py-admin-token-0123456789"

results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name} {detail}")


def generate_stubs(out):
    from grpc_tools import protoc

    protos = sorted(str(p.relative_to(ROOT / "proto")) for p in (ROOT / "proto/passerelle/v1").glob("*.proto"))
    args = ["protoc", f"-I{ROOT / 'proto'}", f"--python_out={out}", f"--grpc_python_out={out}", *protos]
    out.mkdir(parents=True, exist_ok=True)
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    sys.path.insert(0, str(out))


def start_server(binary, data_dir):
    env = dict(os.environ)
    # Staff and admin from the environment; the portal from the configuration file,
    # which alone says which fiches a portal token speaks for (it may write them).
    env["PASSERELLE_TOKENS"] = f"py-staff:staff:{STAFF},py-admin:admin:{ADMIN}"
    env.setdefault("RUST_LOG", "warn")
    config = data_dir.parent / "passerelle.toml"
    config.write_text(
        f'[[tokens]]\nname = "py-portal"\ntoken = "{PORTAL}"\nrole = "portal"\nfiches = ["BJ-COM-BJ-AK-BOU"]\n'
    )
    process = subprocess.Popen(
        [binary, "--data-dir", str(data_dir), "serve", "--empty", "--listen", "127.0.0.1:0", "--date", "2026-09-01",
         "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    for line in process.stderr:
        match = re.search(r"listening on (\S+)", line)
        if match:
            # Keep draining stderr so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
            return process, match.group(1)
        sys.stderr.write(line)
    raise SystemExit(f"the server exited before listening (code {process.wait()})")


def fiche(pb, id, country, kind, level, name, lat, lon, offer, request, contact=None):
    return pb.Fiche(
        id=id,
        country=country,
        kind=kind,
        level=level,
        name=name,
        location=pb.Location(lat=lat, lon=lon),
        population=50000,
        languages=["fr"],
        contact=contact,
        themes=[pb.WeightedTheme(code=offer[0], weight=0.9)],
        offer=pb.Intent(themes=offer, text="Appui technique et échanges d'expérience."),
        request=pb.Intent(themes=request, text="Coopération et formation des agents."),
        call=pb.Call(status="open", published="2026-02-01", expires="2027-02-01"),
    )


def check_batch(grpc, bs, batches, auth):
    """A batch run over the three fiches: start by name, watch to the end, read the results."""
    spec = bs.BatchSpec(french="ids:Bordeaux", foreign="all", k=5, french_capacity=2,
                        exclude_pairs=[bs.ExcludedPair(french="Bordeaux", foreign="SN-COM-SN-TH-1")])
    try:
        batches.StartBatch(bs.StartBatchRequest(spec=spec), metadata=auth(PORTAL), timeout=10)
        check("portal cannot start a batch", False, "call succeeded")
    except grpc.RpcError as e:
        check("portal cannot start a batch", e.code() == grpc.StatusCode.PERMISSION_DENIED, e.code())
    try:
        bad = bs.BatchSpec(french="all", foreign="all", k=5000)
        batches.StartBatch(bs.StartBatchRequest(spec=bad), metadata=auth(STAFF), timeout=10)
        check("a bad batch spec names the field", False, "call succeeded")
    except grpc.RpcError as e:
        check("a bad batch spec names the field", e.code() == grpc.StatusCode.INVALID_ARGUMENT
              and "spec.k" in e.details(), e.details())
    run = batches.StartBatch(bs.StartBatchRequest(spec=spec), metadata=auth(STAFF), timeout=10).run
    check("a batch run starts with names resolved", run.spec.french == "ids:FR-COM-33063", run.spec)
    progress = list(batches.WatchBatch(bs.WatchBatchRequest(run_id=run.run_id), metadata=auth(STAFF), timeout=60))
    check("a batch run is watched to the end", progress and progress[-1].status == bs.BATCH_STATUS_DONE
          and progress[-1].pairs_scored == progress[-1].total_pairs == 2, progress)
    chunks = list(batches.GetBatchResults(bs.GetBatchResultsRequest(run_id=run.run_id), metadata=auth(STAFF), timeout=30))
    assigned = [(p.french_id, p.foreign_id) for c in chunks for p in c.assigned]
    scored = [(p.french_id, p.foreign_id) for c in chunks for p in c.scored]
    check("batch results leave the excluded pair out", assigned == [("FR-COM-33063", "BJ-COM-BJ-AK-BOU")]
          and ("FR-COM-33063", "SN-COM-SN-TH-1") not in scored and chunks[0].run.summary.assigned == 1, chunks)


def check_interest(grpc, ins, interests, fs, fiches, ms, matches, rs, reviews, auth):
    """Bohicon (the portal's) says it is interested in Bordeaux; staff say it back for
    Bordeaux: a match, listed and first in the review queue."""
    bohicon, bordeaux = "BJ-COM-BJ-AK-BOU", "FR-COM-33063"
    said = interests.ExpressInterest(ins.ExpressInterestRequest(
        fiche=bohicon, candidate=bordeaux, kind=ins.INTEREST_KIND_INTERESTED, note="rencontre aux Assises"),
        metadata=auth(PORTAL), timeout=10)
    check("the portal expresses interest for its fiche", said.interest.actor == "py-portal" and not said.mutual, said)
    try:
        interests.ExpressInterest(ins.ExpressInterestRequest(
            fiche=bordeaux, candidate=bohicon, kind=ins.INTEREST_KIND_INTERESTED), metadata=auth(PORTAL), timeout=10)
        check("the portal speaks only for its fiches", False, "call succeeded")
    except grpc.RpcError as e:
        check("the portal speaks only for its fiches", e.code() == grpc.StatusCode.PERMISSION_DENIED, e.code())
    request = ms.SuggestRequest(fiche=ms.FicheRef(id=bordeaux), k=5)
    told = {s.id: list(s.interest.reasons) for s in matches.Suggest(request, metadata=auth(STAFF), timeout=30).suggestions}
    check("the other side is told, in French",
          "Bohicon s'est déclarée intéressée par un partenariat avec vous" in told.get(bohicon, []), told)
    said = interests.ExpressInterest(ins.ExpressInterestRequest(
        fiche=bordeaux, candidate=bohicon, kind=ins.INTEREST_KIND_INTERESTED), metadata=auth(STAFF), timeout=10)
    check("interest said back is a match", said.mutual, said)
    matched = interests.ListMutualInterests(ins.ListMutualInterestsRequest(), metadata=auth(STAFF), timeout=10).matches
    check("the match is listed", [(m.french_id, m.foreign_id) for m in matched] == [(bordeaux, bohicon)], matched)
    queue = reviews.ReviewQueue(rs.ReviewQueueRequest(), metadata=auth(STAFF), timeout=30).items
    check("the match is first in the review queue",
          queue and queue[0].mutual and (queue[0].fiche_id, queue[0].partner.id) == (bordeaux, bohicon), queue)
    confirmed = fiches.ReconfirmFiche(fs.ReconfirmFicheRequest(fiche_id=bohicon, note="inchangée"),
                                      metadata=auth(PORTAL), timeout=10).reconfirmation
    check("the portal reconfirms its fiche", confirmed.actor == "py-portal" and confirmed.at != "", confirmed)


def run(binary, *args):
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"passerelle {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def check_workbooks(binary, tmp):
    """Workbooks written by `passerelle export`/`suggest --xlsx` read by openpyxl; a
    workbook saved by openpyxl imported by `passerelle import`."""
    import datetime
    import json
    import openpyxl

    data, again = str(tmp / "xlsx-data"), str(tmp / "xlsx-again")
    run(binary, "--data-dir", data, "import", str(ROOT / "datasets/sample/sample.jsonl"))
    exported = tmp / "fiches.xlsx"
    run(binary, "--data-dir", data, "export", "--out", str(exported))
    book = openpyxl.load_workbook(exported)
    check("openpyxl opens the fiche export", book.sheetnames == ["Fiches"], book.sheetnames)
    sheet = book["Fiches"]
    header = [c.value for c in sheet[1]]
    check("French headers", header[:4] == ["Identifiant", "Nom", "Autres noms", "Pays"] and "Population" in header, header[:6])
    check("the header row is frozen", sheet.freeze_panes == "A2", sheet.freeze_panes)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    sample = [json.loads(line) for line in (ROOT / "datasets/sample/sample.jsonl").read_text().splitlines()]
    check("one row per fiche", len(rows) == len(sample), len(rows))
    col = {name: header.index(name) for name in ("Identifiant", "Population", "Latitude", "Appel : expire le")}
    typed = all(isinstance(r[col["Population"]], (int, float)) and isinstance(r[col["Latitude"]], (int, float)) for r in rows)
    check("numbers are number cells", typed)
    dates = [r[col["Appel : expire le"]] for r in rows if r[col["Appel : expire le"]] is not None]
    check("dates are date cells", dates and all(isinstance(d, datetime.datetime) for d in dates), dates[:3])
    by_id = {f["id"]: f for f in sample}
    same = all(r[col["Population"]] == by_id[r[col["Identifiant"]]]["population"] for r in rows)
    check("values match the JSON Lines export", same)
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    check("no cell is a formula", not formulas, formulas[:5])

    suggestions = tmp / "suggestions.xlsx"
    run(binary, "--data-dir", data, "suggest", "Lyon", "-k", "5", "--date", "2026-11-22", "--xlsx", str(suggestions))
    sheet = openpyxl.load_workbook(suggestions).active
    scores = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    check("suggestion scores are numbers, best first", len(scores) == 5 and all(isinstance(s, float) for s in scores)
          and scores == sorted(scores, reverse=True), scores)

    # The other way: a workbook openpyxl saved, with a population changed, imported.
    book = openpyxl.load_workbook(exported)
    sheet = book["Fiches"]
    sheet.cell(row=2, column=col["Population"] + 1, value=123456)
    first_id = sheet.cell(row=2, column=col["Identifiant"] + 1).value
    edited = tmp / "edited.xlsx"
    book.save(edited)
    run(binary, "--data-dir", again, "import", str(edited))
    back = [json.loads(line) for line in run(binary, "--data-dir", again, "export").splitlines()]
    changed = [f for f in back if f["id"] == first_id]
    check("a workbook saved by openpyxl imports", len(back) == len(sample) and changed and changed[0]["population"] == 123456,
          changed[:1])


def main():
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PASSERELLE_BIN", str(ROOT / "target/debug/passerelle"))
    with tempfile.TemporaryDirectory() as tmp:
        check_workbooks(binary, Path(tmp))
        generate_stubs(Path(tmp) / "stubs")
        from passerelle.v1 import (fiche_pb2 as pb, fiche_service_pb2 as fs, fiche_service_pb2_grpc as fs_grpc,
                                   match_service_pb2 as ms, match_service_pb2_grpc as ms_grpc,
                                   review_service_pb2 as rs, review_service_pb2_grpc as rs_grpc,
                                   batch_service_pb2 as bs, batch_service_pb2_grpc as bs_grpc,
                                   interest_service_pb2 as ins, interest_service_pb2_grpc as ins_grpc)

        process, addr = start_server(binary, Path(tmp) / "data")
        try:
            channel = grpc.insecure_channel(addr)
            grpc.channel_ready_future(channel).result(timeout=30)
            auth = lambda token: [("authorization", f"Bearer {token}")]
            fiches, matches, reviews = fs_grpc.FicheServiceStub(channel), ms_grpc.MatchServiceStub(channel), rs_grpc.ReviewServiceStub(channel)

            status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
            check("health is SERVING", status.status == health_pb2.HealthCheckResponse.SERVING)

            try:
                fiches.GetFiche(fs.GetFicheRequest(id="FR-COM-33063"), timeout=10)
                check("no token is UNAUTHENTICATED", False, "call succeeded")
            except grpc.RpcError as e:
                check("no token is UNAUTHENTICATED", e.code() == grpc.StatusCode.UNAUTHENTICATED, e.code())

            contact = pb.Contact(name="Service RI", email="ri@example.fr")
            batch = [
                fiche(pb, "FR-COM-33063", "FR", "commune", "local", "Bordeaux", 44.84, -0.58,
                      ["eau-assainissement", "gouvernance-locale"], ["jeunesse"], contact),
                fiche(pb, "BJ-COM-BJ-AK-BOU", "BJ", "municipality", "local", "Bohicon", 7.18, 2.07,
                      ["jeunesse"], ["eau-assainissement"]),
                fiche(pb, "SN-COM-SN-TH-1", "SN", "municipality", "local", "Thiès", 14.79, -16.93,
                      ["jeunesse"], ["gouvernance-locale"]),
            ]
            bad = fiche(pb, "BJ-COM-BJ-BAD", "BJ", "municipality", "local", "Nulle-part", 95.0, 2.0,
                        ["jeunesse"], ["eau-assainissement"])
            try:
                fiches.UpsertFiches(fs.UpsertFichesRequest(fiches=batch), metadata=auth(PORTAL), timeout=10)
                check("a portal writes only its own fiches", False, "call succeeded")
            except grpc.RpcError as e:
                check("a portal writes only its own fiches", e.code() == grpc.StatusCode.PERMISSION_DENIED
                      and "fiches[0].id" in e.details(), e.details())
            response = fiches.UpsertFiches(fs.UpsertFichesRequest(fiches=batch + [bad]), metadata=auth(STAFF), timeout=30)
            check("upsert writes the valid fiches", response.written == 3 and response.rejected == 1, response)
            check("upsert names the invalid field", response.results[3].field == "location.lat", response.results[3])
            own = fiches.UpsertFiches(fs.UpsertFichesRequest(fiches=[batch[1]], atomic=True), metadata=auth(PORTAL), timeout=10)
            check("a portal writes the fiche it speaks for", own.written == 1, own)

            raw = channel.unary_unary("/passerelle.v1.FicheService/GetFiche",
                                      request_serializer=lambda b: b, response_deserializer=lambda b: b)
            try:
                raw(b"\x0a\x02\xff\xfe", metadata=auth(STAFF), timeout=10)
                check("an undecodable request is INVALID_ARGUMENT", False, "call succeeded")
            except grpc.RpcError as e:
                check("an undecodable request is INVALID_ARGUMENT", e.code() == grpc.StatusCode.INVALID_ARGUMENT
                      and "`id`" in e.details(), (e.code(), e.details()))

            try:
                fiches.UpsertFiches(fs.UpsertFichesRequest(fiches=[bad], atomic=True), metadata=auth(STAFF), timeout=10)
                check("atomic bad fiche is INVALID_ARGUMENT", False, "call succeeded")
            except grpc.RpcError as e:
                check("atomic bad fiche is INVALID_ARGUMENT", e.code() == grpc.StatusCode.INVALID_ARGUMENT
                      and "location.lat" in e.details(), e.details())

            seen = fiches.GetFiche(fs.GetFicheRequest(id="FR-COM-33063"), metadata=auth(PORTAL), timeout=10).fiche
            check("portal does not see contact data", not seen.HasField("contact") and seen.name == "Bordeaux", seen)
            seen = fiches.GetFiche(fs.GetFicheRequest(id="FR-COM-33063"), metadata=auth(STAFF), timeout=10).fiche
            check("staff sees contact data", seen.contact.email == "ri@example.fr", seen.contact)

            hits = fiches.SearchFiches(fs.SearchFichesRequest(text="Bohicon"), metadata=auth(PORTAL), timeout=10).hits
            check("search finds an upserted fiche", [h.id for h in hits][:1] == ["BJ-COM-BJ-AK-BOU"], hits)
            hits = fiches.LookupByName(fs.LookupByNameRequest(name="thies"), metadata=auth(PORTAL), timeout=10).hits
            check("lookup tolerates accents", [h.id for h in hits][:1] == ["SN-COM-SN-TH-1"], hits)

            request = ms.SuggestRequest(fiche=ms.FicheRef(name="Bordeaux"), k=5)
            suggestions = matches.Suggest(request, metadata=auth(PORTAL), timeout=30).suggestions
            ids = [s.id for s in suggestions]
            check("suggest ranks the foreign fiches", set(ids) == {"BJ-COM-BJ-AK-BOU", "SN-COM-SN-TH-1"}, ids)
            check("suggestions are explained", all(len(s.breakdown) == 4 for s in suggestions), suggestions)

            explained = matches.ExplainPair(ms.ExplainPairRequest(a=ms.FicheRef(id="FR-COM-33063"), b=ms.FicheRef(id="BJ-COM-BJ-AK-BOU")),
                                            metadata=auth(PORTAL), timeout=10)
            check("explain gives a total", 0.0 <= explained.total <= 1.0 and not explained.HasField("exclusion"), explained)

            check_batch(grpc, bs, bs_grpc.BatchServiceStub(channel), auth)
            check_interest(grpc, ins, ins_grpc.InterestServiceStub(channel), fs, fiches, ms, matches, rs, reviews, auth)

            decision = rs.RecordDecisionRequest(fiche_a="FR-COM-33063", fiche_b=ids[0], kind=rs.DECISION_KIND_REJECT, note="non")
            try:
                reviews.RecordDecision(decision, metadata=auth(PORTAL), timeout=10)
                check("portal cannot review", False, "call succeeded")
            except grpc.RpcError as e:
                check("portal cannot review", e.code() == grpc.StatusCode.PERMISSION_DENIED, e.code())
            recorded = reviews.RecordDecision(decision, metadata=auth(STAFF), timeout=10).decision
            check("staff records a decision", recorded.reviewer == "py-staff" and recorded.kind == rs.DECISION_KIND_REJECT, recorded)
            after = [s.id for s in matches.Suggest(request, metadata=auth(PORTAL), timeout=30).suggestions]
            check("a rejected pair is not suggested", ids[0] not in after and len(after) == 1, after)
            history = reviews.ListDecisions(rs.ListDecisionsRequest(fiche_id="FR-COM-33063"), metadata=auth(STAFF), timeout=10)
            check("decisions are listed", len(history.decisions) == 1, history)
            queue = reviews.ReviewQueue(rs.ReviewQueueRequest(), metadata=auth(STAFF), timeout=30)
            check("the review queue holds the undecided pair", [(i.fiche_id, i.partner.id) for i in queue.items] == [("FR-COM-33063", after[0])], queue)

            try:
                fiches.DeleteFiche(fs.DeleteFicheRequest(id="SN-COM-SN-TH-1"), metadata=auth(STAFF), timeout=10)
                check("staff cannot delete", False, "call succeeded")
            except grpc.RpcError as e:
                check("staff cannot delete", e.code() == grpc.StatusCode.PERMISSION_DENIED, e.code())
            fiches.DeleteFiche(fs.DeleteFicheRequest(id="SN-COM-SN-TH-1"), metadata=auth(ADMIN), timeout=10)
            try:
                fiches.GetFiche(fs.GetFicheRequest(id="SN-COM-SN-TH-1"), metadata=auth(ADMIN), timeout=10)
                check("a deleted fiche is NOT_FOUND", False, "call succeeded")
            except grpc.RpcError as e:
                check("a deleted fiche is NOT_FOUND", e.code() == grpc.StatusCode.NOT_FOUND, e.code())
            channel.close()
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                code = None
        check("SIGTERM stops the server cleanly", code == 0, f"exit code {code}")

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
