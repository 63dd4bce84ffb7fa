// Measures the console's map on the full demo corpus (~199,000 fiches) in headless
// Debian chromium: the first paint with every fiche (from navigation to the first
// frame drawn with the clusters) and filter changes (from the change to the next
// frame), as medians of several runs. Each run uses a fresh browser profile (cold
// cache), so the first paint includes downloading the point set.
//
//   cargo build --release --bin passerelle
//   cd tests/browser && npm ci
//   PASSERELLE_BIN=../../target/release/passerelle node measure.mjs [--runs 5] [--data-dir DIR]
//
// Without --data-dir, a temporary data directory is filled by `passerelle serve`
// with the demo corpus (minutes); give a directory to keep it between runs.
// Targets (issue 11): first paint ≤ 2 s, filter change ≤ 300 ms.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { TOKENS, login, mapReady, median, openBrowser, startServer } from "./harness.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "data-dir": { type: "string" },
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

const firstPaints = [];
const changeTimes = CHANGES.map(() => []);
let points = null;
try {
  for (let run = 0; run < runs; run++) {
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
      firstPaints.push(probe.firstPaintMs);
      const line = [`run ${run + 1}: first paint ${probe.firstPaintMs.toFixed(0)} ms (${probe.count} fiches, ${probe.clusters} clusters)`];
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
} finally {
  await server.stop();
  if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
}

console.log(`map of ${points} fiches, ${runs} runs, medians (headless chromium, ${os.cpus().length} cores):`);
console.log(`  first paint with every fiche: ${median(firstPaints).toFixed(0)} ms (target ≤ 2000)`);
for (const [k, [, , label]] of CHANGES.entries()) {
  console.log(`  filter change, ${label}: ${median(changeTimes[k]).toFixed(0)} ms (target ≤ 300)`);
}
