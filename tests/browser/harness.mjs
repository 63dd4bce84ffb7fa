// What the console's browser tests and the measuring script share: a real
// `passerelle serve` on a free loopback port over a temporary data directory, and a
// headless Debian chromium (driven by playwright-core, never a downloaded browser)
// whose every request is checked to go to that server and nowhere else.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SAMPLE = path.join(REPO, "datasets/sample/sample.jsonl");
export const HOSTILE = path.join(REPO, "tests/browser/fixtures/hostile.jsonl");

export const TOKENS = {
  staff: "staff-console-token-0123456789",
  admin: "admin-console-token-0123456789",
  portal: "portal-console-token-0123456789",
};

/// The date calls are judged on (fixed, so counts do not move with the calendar).
export const TODAY = "2026-09-01";

export function binary() {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(REPO, "target");
  const bin = process.env.PASSERELLE_BIN ?? path.join(target, "debug/passerelle");
  if (!fs.existsSync(bin)) {
    throw new Error(`no passerelle binary at ${bin}: run \`cargo build --bin passerelle\` or set PASSERELLE_BIN`);
  }
  return bin;
}

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) throw new Error("no chromium: `apt-get install -y chromium` (Debian) or set CHROMIUM");
  return found;
}

/// A data directory holding `files` imported with `passerelle import` (none: empty,
/// and `serve` fills it with the demo corpus).
export function dataDir(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passerelle-console-"));
  const data = path.join(dir, "data");
  if (files.length > 0) {
    const run = spawnSync(binary(), ["--data-dir", data, "import", ...files], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`import failed: ${run.stderr}`);
  }
  return { root: dir, data };
}

/// Starts `passerelle serve` on 127.0.0.1 (port chosen by the system) and resolves
/// once it prints the console's URL.
export async function startServer(data, { timeoutMs = 600_000, extraArgs = [] } = {}) {
  const tokens = [
    `dctciv:staff:${TOKENS.staff}`,
    `admin:admin:${TOKENS.admin}`,
    `portail:portal:${TOKENS.portal}`,
  ].join(",");
  const child = spawn(
    binary(),
    ["--data-dir", data, "serve", "--listen", "127.0.0.1:0", "--date", TODAY, ...extraArgs],
    {
      env: { ...process.env, PASSERELLE_TOKENS: tokens, RUST_LOG: process.env.RUST_LOG ?? "warn" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let log = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), timeoutMs);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const match = /staff console on (http:\/\/127\.0\.0\.1:\d+)\/console\//.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${log}`));
    });
  });
  const port = new URL(url).port;
  return {
    url,
    port,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/// A fresh headless chromium profile whose requests may only reach `server`: any
/// other address is aborted and recorded in `offsite`; CSP violations and console
/// errors are recorded too.
export async function openBrowser(server) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "passerelle-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-default-apps",
      "--disable-features=Translate,OptimizationHints,MediaRouter",
    ],
    viewport: { width: 1280, height: 800 },
    locale: "fr-FR",
  });
  const offsite = [];
  const consoleErrors = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "http:" && url.hostname === "127.0.0.1" && url.port === server.port) {
      return route.continue();
    }
    offsite.push(url.href);
    return route.abort("blockedbyclient");
  });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const watch = (p) => {
    p.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    p.on("pageerror", (error) => consoleErrors.push(`page error: ${error.message}`));
  };
  watch(page);
  context.on("page", watch);
  return {
    context,
    page,
    offsite,
    consoleErrors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/// Logs in with `token` through the form.
export async function login(page, server, token) {
  await page.goto(`${server.url}/console/connexion`);
  await page.fill("#jeton", token);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
}

/// Waits until the map has drawn its first frame.
export async function mapReady(page, timeout = 120_000) {
  await page.waitForFunction(
    () => document.body.dataset.carte === "prete" || document.body.dataset.carte === "erreur",
    null,
    { timeout },
  );
  const state = await page.evaluate(() => document.body.dataset.carte);
  if (state !== "prete") {
    throw new Error(`the map failed: ${await page.textContent("#etat-carte")}`);
  }
}

/// The median of numbers.
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
