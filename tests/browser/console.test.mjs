// The console in a real headless chromium against a real `passerelle serve` over
// the committed sample (plus one fiche whose texts are HTML and script). Every test
// fails if the page asks anything of another address, reports a CSP violation or
// logs an error.
//
//   cargo build --bin passerelle && (cd tests/browser && npm ci && npm test)

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, afterEach, before, beforeEach, test } from "node:test";

import {
  HOSTILE,
  REPO,
  SAMPLE,
  TOKENS,
  dataDir,
  login,
  mapReady,
  openBrowser,
  startServer,
} from "./harness.mjs";

const fiches = [SAMPLE, HOSTILE].flatMap((file) =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line)),
);

let dirs;
let server;
let browser;

before(async () => {
  dirs = dataDir([SAMPLE, HOSTILE]);
  server = await startServer(dirs.data);
});

after(async () => {
  await server?.stop();
  if (dirs) fs.rmSync(dirs.root, { recursive: true, force: true });
});

beforeEach(async () => {
  browser = await openBrowser(server);
});

afterEach(async () => {
  const violations = await browser.page.evaluate(() => window.__cspViolations ?? []).catch(() => []);
  const { offsite, consoleErrors } = browser;
  await browser.close();
  assert.deepEqual(offsite, [], "requests left the test server");
  assert.deepEqual(violations, [], "Content-Security-Policy violations");
  assert.deepEqual(consoleErrors, [], "errors in the browser console");
});

test("a staff token logs in, a portal token cannot, logout ends the session", async () => {
  const { page, context } = browser;
  await page.goto(`${server.url}/console/`);
  assert.match(page.url(), /\/console\/connexion$/);
  assert.equal(await page.getAttribute("html", "lang"), "fr");

  await page.fill("#jeton", TOKENS.portal);
  const refused = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/console/connexion") && r.request().method() === "POST"),
    page.click("button[type=submit]"),
  ]);
  assert.equal(refused[0].status(), 403);
  assert.match(await page.textContent(".erreur"), /portail/);
  // The refused token is not echoed back.
  assert.ok(!(await page.content()).includes(TOKENS.portal));
  // Browsers may show a 403 as a console error; it is expected here.
  browser.consoleErrors.length = 0;

  await login(page, server, TOKENS.staff);
  assert.match(page.url(), /\/console\/carte$/);
  assert.match(await page.textContent(".utilisateur"), /dctciv/);
  const cookies = await context.cookies(server.url);
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].name, "passerelle_session");
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, "Strict");
  assert.ok(cookies[0].expires > Date.now() / 1000, "the session cookie expires");
  // The token is in no script-visible place.
  const visible = await page.evaluate(() => ({
    cookie: document.cookie,
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    url: location.href,
    html: document.documentElement.outerHTML,
  }));
  for (const [where, text] of Object.entries(visible)) {
    assert.ok(!text.includes(TOKENS.staff), `the token is visible in ${where}`);
  }
  assert.equal(visible.cookie, "", "the session cookie is HttpOnly");
  await mapReady(page);

  await Promise.all([page.waitForURL(/\/console\/connexion\?sortie=1$/), page.click("text=Se déconnecter")]);
  assert.match(await page.textContent(".info"), /déconnecté/);
  await page.goto(`${server.url}/console/carte`);
  assert.match(page.url(), /\/console\/connexion$/, "the session ended with the logout");
});

test("the map clusters the sample and the filters change the count", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  await mapReady(page);
  const probe = () => page.evaluate(() => ({ ...window.passerelleCarte, locate: undefined }));
  let state = await probe();
  assert.equal(state.count, fiches.length);
  assert.equal(Number(await page.getAttribute("#compte", "data-compte")), fiches.length);
  assert.ok(state.clustersDrawn > 0, "clusters are drawn");
  assert.ok((await page.locator(".grappe").count()) > 0);
  assert.match(await page.textContent("#compte"), new RegExp(`${fiches.length}\\s+fiche\\(s\\) sur`));

  // For people to look at: borders, clusters, French labels (docs/console-map.png
  // is a copy of it).
  await page.screenshot({ path: path.join(REPO, "tests/browser/out/console-map.png") });

  // A click on a cluster zooms onto its fiches.
  const zoom = await page.evaluate(() => window.passerelleCarte.zoom());
  await page.locator(".grappe").first().click();
  await page.waitForFunction((z) => window.passerelleCarte.zoom() > z, zoom);
  assert.ok(await page.evaluate(() => window.passerelleCarte.clustersDrawn + window.passerelleCarte.pointsDrawn > 0));

  const benin = fiches.filter((f) => f.country === "BJ").length;
  await page.selectOption("#f-pays", "BJ");
  await page.waitForFunction((n) => window.passerelleCarte.count === n, benin);
  assert.match(await page.textContent("#compte"), new RegExp(`^${benin}\\s`));
  assert.match(page.url(), /\?pays=BJ$/);
  assert.ok((await page.locator("#f-region option").count()) > 1, "Benin's départements are listed");

  const today = "2026-09-01";
  const open = fiches.filter(
    (f) => f.country === "BJ" && f.call?.status === "open" && (!f.call.expires || f.call.expires >= today),
  ).length;
  await page.selectOption("#f-appel", "ouvert");
  await page.waitForFunction((n) => window.passerelleCarte.count === n, open);
  // The filter's time is recorded at the next frame, after the count: wait for it
  // rather than read it at once (CI once read it a frame too early).
  await page.waitForFunction(() => window.passerelleCarte.filters === 2);
  state = await probe();
  assert.ok(state.lastFilterMs !== null && state.lastFilterMs >= 0);

  // The server, given the same filters in the URL, counts the same.
  await page.reload();
  await mapReady(page);
  assert.equal(Number(await page.getAttribute("#compte", "data-compte")), open);
  assert.equal((await probe()).count, open);
});

test("a click opens the fiche's card, its HTML and scripts shown as text", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  await mapReady(page);
  await page.selectOption("#f-pays", "VU");
  await page.waitForFunction(() => window.passerelleCarte.count === 1 && window.passerelleCarte.pointsDrawn === 1);
  const spot = await page.evaluate(() => window.passerelleCarte.locate(-17.7333, 168.3167));
  const [card] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/console/carte/fiches?")),
    page.mouse.click(spot.x, spot.y),
  ]);
  assert.equal(card.status(), 200);
  const popup = page.locator(".popup-fiches .fiche-carte");
  await popup.waitFor();
  const title = await popup.locator("h2").textContent();
  assert.ok(title.includes('<img src=x onerror="window.__xss=1">Port-Vila'), title);
  assert.ok(title.includes("<script>window.__xss=2</script>"), title);
  assert.ok((await popup.textContent()).includes("<script>window.__xss=3</script>Shefa"));
  assert.equal(await popup.locator("h2 a").getAttribute("href"), "/console/fiches/VU-GN-9990001");
  assert.equal(await popup.locator("img, script").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
});

test("a fiche opened by name shows its suggestions and reasons; a reject is answered in place and stays", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  // Opened by name from the banner, with the spelling corrected and said.
  await page.fill("#ouvrir-nom", "Narbone");
  await Promise.all([page.waitForURL(/\/console\/fiches\/FR-COM-11262\?compris=Narbone$/), page.press("#ouvrir-nom", "Enter")]);
  assert.match(await page.textContent(".entete-fiche .info"), /« Narbone » compris comme Narbonne \(FR-COM-11262\)/);
  assert.equal(await page.textContent("h1"), "Narbonne");
  const partners = () => page.$$eval("#suggestions .suggestion", (list) => list.map((s) => s.dataset.partenaire));
  const before = await partners();
  assert.equal(before.length, 10);
  const first = page.locator("#suggestions .suggestion").first();
  for (const label of ["Thématique", "Géographie", "Taille", "Pays peu couverts"]) {
    assert.equal(await first.locator(`.decomposition th:text-is("${label}")`).count(), 1, label);
  }
  assert.ok((await first.locator(".raisons li").count()) > 0, "reasons are listed");
  assert.match(await first.locator(".raisons").first().textContent(), /\S/);
  // For people to look at (docs/console-fiche.png is a copy of it).
  await page.screenshot({ path: path.join(REPO, "tests/browser/out/console-fiche.png") });

  // Weights change the ranking in place, and the URL follows.
  const sizeOnly = async () => {
    for (const [field, value] of [["p_thematique", "0"], ["p_geographie", "0"], ["p_pays_peu_couverts", "0"], ["p_taille", "1"]]) {
      await page.fill(`input[name=${field}]`, value);
    }
  };
  await sizeOnly();
  await page.locator("#suggestions .reglages button[type=submit]").click();
  await page.waitForURL(/p_thematique=0&p_geographie=0&p_taille=1&p_pays_peu_couverts=0/);
  await page.waitForFunction(() => /Taille 100,0\s%/.test(document.querySelector("#suggestions .reglages").textContent.replace(/\s+/g, " ")));
  assert.notDeepEqual(await partners(), before);
  await page.goto(`${server.url}/console/fiches/FR-COM-11262`);

  // Reject the best partner: answered in place, the history reloads.
  const rejected = (await partners())[0];
  const card = page.locator(`.suggestion[data-partenaire="${rejected}"]`);
  await card.locator("input[name=note]").fill("hors sujet <b>gras</b>");
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/console/decisions") && r.status() === 200),
    card.locator("button[value=rejeter]").click(),
  ]);
  const answer = page.locator(`.paire-rejetee[data-partenaire="${rejected}"]`);
  await answer.waitFor();
  assert.match(await answer.textContent(), /ne sera plus jamais suggérée avec Narbonne/);
  assert.match(await answer.textContent(), /hors sujet <b>gras<\/b>/, "the note is text");
  await page.waitForFunction(() => document.querySelector("#historique").textContent.includes("rejetée"));
  assert.equal(page.url(), `${server.url}/console/fiches/FR-COM-11262`, "no navigation");

  await page.reload();
  const after = await partners();
  assert.equal(after.length, 10);
  assert.ok(!after.includes(rejected), "the rejected pair is gone after a reload");
  assert.match(await page.textContent("#historique"), /rejetée/);
  // The pair's own page says why.
  await page.goto(`${server.url}/console/paire?a=FR-COM-11262&b=${rejected}`);
  assert.match(await page.textContent(".exclusion"), /paire rejetée par une décision de l'équipe/);
});

test("the review queue takes decisions in place and counts what remains", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  await page.goto(`${server.url}/console/revue?pays=BJ`);
  const count = async () => Number((await page.textContent("#restant")).replace(/\D/g, ""));
  const before = await count();
  assert.ok(before > 0);
  const card = page.locator(".suggestion").first();
  await Promise.all([
    page.waitForResponse((r) => r.url().includes("/console/revue/restant?pays=BJ")),
    card.locator("button[value=preselectionner]").click(),
  ]);
  await page.locator(".decision .info").first().waitFor();
  assert.match(await page.locator(".decision .info").first().textContent(), /paire présélectionnée/);
  assert.ok((await count()) <= before);
});

test("a search lists fiches page by page and exports them", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  await page.click("nav >> text=Recherche");
  await page.fill("#q", "eau potable");
  await page.selectOption("select[name=pays]", "BJ");
  await Promise.all([page.waitForURL(/\/console\/recherche\?q=/), page.click("form.recherche button[type=submit]")]);
  assert.match(await page.textContent("#resume"), /fiche\(s\) trouvée\(s\) ; fiches 1 à 20\./);
  assert.ok((await page.locator(".extrait mark").count()) > 0, "matched words are marked");
  assert.equal(await page.locator(".resultats-recherche tbody tr").count(), 20);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Exporter la liste")]);
  const csv = fs.readFileSync(await download.path(), "utf8");
  assert.match(csv, /^\uFEFFidentifiant,collectivité,pays,/);
  assert.ok(csv.trim().split("\n").length > 21);
});

test("a batch run of the Benin scenario goes to done, shows its agenda and downloads it", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  await page.click("nav >> text=Sessions");
  await Promise.all([page.waitForURL(/\/console\/sessions\/nouvelle$/), page.click("text=Nouvelle session")]);
  const communes = fiches.filter((f) => f.id.startsWith("FR-COM-")).slice(0, 15);
  const slots = [];
  for (const [half, hour] of [9, 14].entries()) {
    for (let slot = 0; slot < 7; slot++) {
      const start = hour * 60 + slot * 30;
      const time = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
      slots.push(`D${half}-${slot}, 2026-12-03 ${time(start)}, 2026-12-03 ${time(start + 30)}`);
    }
  }
  await page.selectOption("select[name=francais]", "liste");
  await page.fill("textarea[name=francais_noms]", communes.map((f) => f.name).join("\n"));
  await page.selectOption("select[name=etranger]", "pays");
  await page.fill("input[name=etranger_code]", "BJ");
  await page.fill("input[name=k]", "20");
  await page.fill("input[name=capacite_francaise]", "5");
  await page.fill("input[name=capacite_etrangere]", "1");
  await page.fill("textarea[name=creneaux]", slots.join("\n"));
  await page.fill("input[name=tables]", "15");
  await Promise.all([page.waitForURL(/\/console\/sessions\/\d+$/), page.click("form.session button[type=submit]")]);
  const runUrl = page.url();
  // Polled until done, then the page reloads itself with the results.
  await page.waitForSelector(".statut-terminee", { timeout: 120_000 });
  await page.waitForSelector(".onglets", { timeout: 120_000 });
  assert.match(await page.textContent(".bloc dl"), /15 collectivités désignées/);
  assert.match(await page.textContent("main"), /15 collectivités françaises × 77 collectivités étrangères/);

  await Promise.all([page.waitForURL(/vue=agenda/), page.click(".onglets >> text=Agenda")]);
  const meetings = await page.locator(".grille-agenda td.rdv").count();
  assert.ok(meetings > 0, "meetings in the grid");
  assert.match(await page.textContent(".grille-agenda thead"), /Table 1/);
  assert.match(await page.textContent(".grille-agenda tbody"), /03\/12\/2026 09:00–09:30/);
  const someone = await page.locator(".grille-agenda td.rdv .et").first().textContent();
  await page.fill("#participant", someone);
  await Promise.all([page.waitForURL(/participant=/), page.click("form.recherche-agenda button")]);
  assert.match(await page.textContent("#trouves"), new RegExp(`^1 rendez-vous pour « ${someone} »`));
  assert.equal(await page.locator(".grille-agenda td.rdv.trouve").count(), 1);
  // For people to look at (docs/console-session.png is a copy of it): the results
  // and the agenda.
  await page.evaluate(() => document.querySelectorAll("section.bloc")[1].scrollIntoView());
  await page.screenshot({ path: path.join(REPO, "tests/browser/out/console-session.png") });

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Agenda (CSV)")]);
  assert.match(download.suggestedFilename(), /^session-\d+-agenda\.csv$/);
  const csv = fs.readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "");
  const lines = csv.trim().split("\n");
  assert.equal(lines[0], "créneau,début,fin,table,id française,collectivité française,id étrangère,collectivité étrangère,score");
  assert.equal(lines.length - 1, meetings);
  const [calendar] = await Promise.all([page.waitForEvent("download"), page.locator(".calendriers li.trouve a").click()]);
  const ics = fs.readFileSync(await calendar.path(), "utf8");
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.equal(ics.match(/BEGIN:VEVENT/g).length, 1);
  assert.ok(runUrl.startsWith(server.url));
});

test("bad filters get a French message naming the field, and the server keeps serving", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  for (const [query, field] of [
    ["niveau=geant", "niveau"],
    ["pays=ZZ", "pays"],
    ["region=53", "region"],
    ["theme=%3Cscript%3E", "theme"],
    ["couleur=bleu", "couleur"],
  ]) {
    const response = await page.goto(`${server.url}/console/carte?${query}`);
    assert.equal(response.status(), 400, query);
    assert.match(await page.textContent(".erreur"), new RegExp(`Champ « ${field} »`), query);
  }
  // A 400 page is logged as a console error by the browser; expected here.
  browser.consoleErrors.length = 0;
  await page.goto(`${server.url}/console/carte`);
  await mapReady(page);
});

test("the vendored files served are those VENDORED.md lists", async () => {
  const { page } = browser;
  await login(page, server, TOKENS.staff);
  const listed = fs.readFileSync(path.join(REPO, "service/assets/VENDORED.md"), "utf8");
  const rows = [...listed.matchAll(/^\| `vendor\/([^`]+)` \| [^|]+ \| `([0-9a-f]{64})`/gm)];
  assert.ok(rows.length >= 6, "VENDORED.md lists the files");
  for (const [, file, sha] of rows) {
    const response = await page.request.get(`${server.url}/console/assets/vendor/${file}`);
    assert.equal(response.status(), 200, file);
    const served = createHash("sha256").update(await response.body()).digest("hex");
    assert.equal(served, sha, file);
    assert.match(response.headers()["cache-control"], /immutable/);
  }
});

test("the guards themselves catch another address and an inline script", async () => {
  const { page } = browser;
  // The policy refuses an inline script, and the refusal is seen.
  await page.goto(`${server.url}/console/connexion`);
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__inline = 1";
    document.head.append(script);
  });
  await page.waitForFunction(() => window.__cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__inline), undefined);
  assert.match((await page.evaluate(() => window.__cspViolations))[0], /^script-src/);
  await page.evaluate(() => (window.__cspViolations.length = 0));

  await assert.rejects(page.goto("http://192.0.2.1/"));
  assert.deepEqual(browser.offsite, ["http://192.0.2.1/"]);
  browser.offsite.length = 0;
  browser.consoleErrors.length = 0;
});
