// Measures the console on the full demo corpus (~199,000 fiches) in headless Debian
// chromium:
// - the map: the first paint with every fiche (from navigation to the first frame
//   drawn with the clusters) and filter changes (from the change to the next
//   frame), as medians of several runs; and, for information, the redraw after
//   zooming in by one level and the first visit right after the server started.
//   Each run uses a fresh browser profile (cold cache), so the first paint includes
//   downloading the point set;
// - the Fiche page with its ten suggestions: the server's time for each page (its
//   `Server-Timing` header: from the request to the rendered page, suggestions,
//   history and every section included) over --fiches pages of French and foreign
//   fiches spread over the corpus, one request at a time; p50, p90, p99, max.
//
//   cargo build --release --bin passerelle
//   cd tests/browser && npm ci
//   PASSERELLE_BIN=../../target/release/passerelle node measure.mjs [--runs 5] [--data-dir DIR]
//     [--fiches 1000] [--skip-map] [--screenshot FILE.png]   (the map after the first paint of the first run)
//
// Without --data-dir, a temporary data directory is filled by `passerelle serve`
// with the demo corpus (minutes); give a directory to keep it between runs.
// Targets (issue 11): first paint ≤ 2 s, filter change ≤ 300 ms, Fiche page p99 ≤ 50 ms.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { TOKENS, login, mapReady, median, openBrowser, startServer } from "./harness.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "data-dir": { type: "string" },
    screenshot: { type: "string" },
    fiches: { type: "string", default: "1000" },
    "skip-map": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
if (!process.env.PASSERELLE_BIN) {
  const release = path.resolve("../../target/release/passerelle");
  if (fs.existsSync(release)) process.env.PASSERELLE_BIN = release;
}

let temporary = null;
let data = values["data-dir"];
if (!data) {
  temporary = fs.mkdtempSync(path.join(os.tmpdir(), "passerelle-measure-"));
  data = path.join(temporary, "data");
}

// Filter changes, applied in this order in each run (each from the previous state).
const CHANGES = [
  ["#f-cote", "etranger", "côté : étrangères"],
  ["#f-theme", "eau-assainissement", "thème : eau et assainissement"],
  ["#f-cote", "", "côté : toutes"],
  ["#f-pays", "FR", "pays : France (recadrage)"],
  ["#f-pays", "", "pays : tous"],
  ["#f-theme", "", "thème : tous"],
];

console.error(`starting passerelle serve on ${data} (the demo corpus is generated on first use)…`);
const started = Date.now();
const server = await startServer(data, { timeoutMs: 3_600_000 });
console.error(`server up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${server.url}`);

const ZOOMS = 3;
const firstPaints = [];
const zoomTimes = [];
const changeTimes = CHANGES.map(() => []);
let points = null;
let coldFirstPaint = null;
const ficheTimes = [];
const ficheClientTimes = [];
try {
  // A first visit right after the start also waits for the server to build the
  // map's data (seconds on the demo corpus): reported apart, not in the medians.
  if (!values["skip-map"]) {
    const browser = await openBrowser(server);
    try {
      await login(browser.page, server, TOKENS.staff);
      await mapReady(browser.page, 600_000);
      coldFirstPaint = await browser.page.evaluate(() => window.passerelleCarte.firstPaintMs);
      console.error(`warm-up run (server just started): first paint ${coldFirstPaint.toFixed(0)} ms`);
    } finally {
      await browser.close();
    }
  }
  for (let run = 0; run < (values["skip-map"] ? 0 : runs); run++) {
    const browser = await openBrowser(server);
    try {
      const { page } = browser;
      await login(page, server, TOKENS.staff);
      await mapReady(page, 600_000);
      const probe = await page.evaluate(() => ({
        firstPaintMs: window.passerelleCarte.firstPaintMs,
        count: window.passerelleCarte.count,
        clusters: window.passerelleCarte.clustersDrawn,
      }));
      points = probe.count;
      if (run === 0 && values.screenshot) await page.screenshot({ path: values.screenshot });
      firstPaints.push(probe.firstPaintMs);
      const line = [`run ${run + 1}: first paint ${probe.firstPaintMs.toFixed(0)} ms (${probe.count} fiches, ${probe.clusters} clusters)`];
      // Zooming in from the world view, one level at a time, centred on France
      // (the densest area): the time to draw each new level.
      for (let z = 0; z < ZOOMS; z++) {
        const before = await page.evaluate(() => window.passerelleCarte.draws);
        await page.click(".leaflet-control-zoom-in");
        await page.waitForFunction((n) => window.passerelleCarte.draws > n, before, { timeout: 60_000 });
        const ms = await page.evaluate(() => window.passerelleCarte.lastDrawMs);
        zoomTimes.push(ms);
        line.push(`zoom ${ms.toFixed(0)}`);
        await page.waitForTimeout(300);
      }
      for (const [k, [selector, value]] of CHANGES.entries()) {
        const before = await page.evaluate(() => window.passerelleCarte.filters);
        await page.selectOption(selector, value);
        await page.waitForFunction((n) => window.passerelleCarte.filters > n, before, { timeout: 60_000 });
        const ms = await page.evaluate(() => window.passerelleCarte.lastFilterMs);
        changeTimes[k].push(ms);
        line.push(`${ms.toFixed(0)}`);
      }
      console.error(line.join(" | "));
      if (browser.offsite.length || browser.consoleErrors.length) {
        throw new Error(`offsite requests or console errors: ${JSON.stringify([browser.offsite, browser.consoleErrors])}`);
      }
    } finally {
      await browser.close();
    }
  }
  // The Fiche page: ids spread over the corpus (the search export lists them in id
  // order), French and foreign alike, each page asked once, one at a time.
  const wanted = Number(values.fiches);
  if (wanted > 0) {
    const browser = await openBrowser(server);
    try {
      const { page } = browser;
      await login(page, server, TOKENS.staff);
      const ids = [];
      for (const side of ["francais", "etranger"]) {
        const response = await page.request.get(`${server.url}/console/recherche.csv?cote=${side}`);
        const rows = (await response.text()).trim().split("\n").slice(1).map((line) => line.split(",")[0]);
        const step = Math.max(1, Math.floor(rows.length / (wanted / 2)));
        for (let i = 0; i < rows.length && ids.length < (side === "francais" ? wanted / 2 : wanted); i += step) {
          ids.push(rows[i]);
        }
      }
      // A few pages first, so that the measure is of a warm server.
      for (const id of ids.slice(0, 20)) await page.request.get(`${server.url}/console/fiches/${id}`);
      for (const id of ids) {
        const started = performance.now();
        const response = await page.request.get(`${server.url}/console/fiches/${id}`);
        ficheClientTimes.push(performance.now() - started);
        if (response.status() !== 200) throw new Error(`fiche ${id}: HTTP ${response.status()}`);
        const timing = /dur=([0-9.]+)/.exec(response.headers()["server-timing"] ?? "");
        if (!timing) throw new Error(`fiche ${id}: no Server-Timing header`);
        ficheTimes.push(Number(timing[1]));
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
  if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
}

/// The q-quantile (nearest rank).
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

if (ficheTimes.length > 0) {
  const ms = (x) => x.toFixed(1);
  console.log(`Fiche page with its 10 suggestions, ${ficheTimes.length} pages (server time, Server-Timing):`);
  console.log(`  p50 ${ms(quantile(ficheTimes, 0.5))} ms, p90 ${ms(quantile(ficheTimes, 0.9))} ms, p99 ${ms(quantile(ficheTimes, 0.99))} ms (target ≤ 50), max ${ms(Math.max(...ficheTimes))} ms`);
  console.log(`  (seen by the client, transfer included: median ${ms(median(ficheClientTimes))} ms, p99 ${ms(quantile(ficheClientTimes, 0.99))} ms)`);
}
if (values["skip-map"]) process.exit(0);
console.log(`map of ${points} fiches, ${runs} runs, medians (headless chromium, ${os.cpus().length} cores):`);
console.log(`  first paint with every fiche: ${median(firstPaints).toFixed(0)} ms (target ≤ 2000)`);
console.log(`  (first visit right after the server started: ${coldFirstPaint.toFixed(0)} ms, once)`);
console.log(`  zoom in by one level (redraw): ${median(zoomTimes).toFixed(0)} ms`);
for (const [k, [, , label]] of CHANGES.entries()) {
  console.log(`  filter change, ${label}: ${median(changeTimes[k]).toFixed(0)} ms (target ≤ 300)`);
}
