#!/usr/bin/env node
// Produces the console's third-party files in service/assets/vendor/ and
// service/assets/VENDORED.md from pinned npm packages.
//
// Run by hand (never by cargo): `node service/assets/vendor-tools/vendor.mjs`.
// It needs `npm` (registry access) and `tar`. Each package is fetched with
// `npm pack NAME@VERSION` into a temporary directory, its tarball checked against the
// registry's integrity, and the files the console serves are copied, with their
// licence texts. The world-atlas TopoJSON is converted once, here, into the compact
// polygon file map.js draws, with every ring cut at the antimeridian, so no line
// crosses the map.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ASSETS = path.resolve(HERE, "..");
const VENDOR = path.join(ASSETS, "vendor");
const LICENSES = path.join(VENDOR, "licenses");

// Decimal places of the converted borders (1:110 million: 0.01° is about 1 km).
const BORDER_DECIMALS = 2;

const PACKAGES = [
  {
    name: "htmx.org",
    version: "2.0.11",
    licence: "0BSD",
    files: [["dist/htmx.min.js", "htmx.min.js"]],
  },
  {
    name: "leaflet",
    version: "1.9.4",
    licence: "BSD-2-Clause",
    files: [
      ["dist/leaflet.js", "leaflet.js"],
      ["dist/leaflet.css", "leaflet.css"],
      ["dist/images/layers.png", "images/layers.png"],
      ["dist/images/layers-2x.png", "images/layers-2x.png"],
      ["dist/images/marker-icon.png", "images/marker-icon.png"],
    ],
  },
  {
    name: "supercluster",
    version: "8.0.1",
    licence: "ISC",
    files: [["dist/supercluster.min.js", "supercluster.min.js"]],
  },
  {
    // Not served on its own: supercluster's dist bundle includes it (checked below).
    name: "kdbush",
    version: "4.0.2",
    licence: "ISC",
    files: [],
    bundledIn: "supercluster.min.js",
  },
  {
    name: "world-atlas",
    version: "2.0.2",
    licence: "ISC (data: Natural Earth, public domain)",
    files: [],
    converted: [["countries-110m.json", "countries-110m.borders.json"]],
  },
];

// The data under world-atlas: Natural Earth's terms of use.
const NATURAL_EARTH_TERMS = `Natural Earth — Admin 0 countries, 1:110m (https://www.naturalearthdata.com/)

Terms of use (https://www.naturalearthdata.com/about/terms-of-use/):
"All versions of Natural Earth raster + vector map data found on this website are
in the public domain. You may use the maps in any manner, including modifying the
content and design, electronic dissemination, and offset printing."

Natural Earth asks for no attribution; Passerelle credits it anyway, in VENDORED.md.
`;

function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

function pack(pkg, tmp) {
  const spec = `${pkg.name}@${pkg.version}`;
  const out = execFileSync("npm", ["pack", spec, "--json", "--pack-destination", tmp], {
    encoding: "utf8",
  });
  const [info] = JSON.parse(out);
  const tarball = path.join(tmp, info.filename);
  const bytes = fs.readFileSync(tarball);
  const [algorithm, expected] = info.integrity.split("-");
  const actual = createHash(algorithm).update(bytes).digest("base64");
  if (actual !== expected) {
    throw new Error(`${spec}: tarball integrity mismatch`);
  }
  const dir = path.join(tmp, `${pkg.name}-${pkg.version}`);
  fs.mkdirSync(dir);
  execFileSync("tar", ["xzf", tarball, "-C", dir]);
  const registryName = pkg.name.split("/").pop();
  return {
    root: path.join(dir, "package"),
    tarballSha256: sha256(bytes),
    integrity: info.integrity,
    url: `https://registry.npmjs.org/${pkg.name}/-/${registryName}-${pkg.version}.tgz`,
  };
}

// --- TopoJSON → rings -----------------------------------------------------------

function decodeArcs(topology) {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * sx + tx, y * sy + ty];
    });
  });
}

function ringOf(arcIndexes, arcs) {
  const points = [];
  arcIndexes.forEach((index, k) => {
    const arc = index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
    points.push(...(k === 0 ? arc : arc.slice(1)));
  });
  return points;
}

// --- Cutting at the antimeridian --------------------------------------------------

// Longitudes made continuous along the ring (a step of more than 180° is taken as a
// crossing of the antimeridian), and the number of net turns around the pole.
function unwrap(ring) {
  const out = [ring[0].slice()];
  for (let i = 1; i < ring.length; i++) {
    let [lon, lat] = ring[i];
    const previous = out[i - 1][0];
    while (lon - previous > 180) lon -= 360;
    while (lon - previous < -180) lon += 360;
    out.push([lon, lat]);
  }
  return out;
}

// Sutherland–Hodgman against one vertical line: keeps the side where `inside(x)`.
function clipVertical(ring, x0, keepLeft) {
  const inside = ([x]) => (keepLeft ? x <= x0 : x >= x0);
  const cross = ([xa, ya], [xb, yb]) => [x0, ya + ((yb - ya) * (x0 - xa)) / (xb - xa)];
  const out = [];
  for (let i = 0; i < ring.length; i++) {
    const current = ring[i];
    const previous = ring[(i + ring.length - 1) % ring.length];
    if (inside(current)) {
      if (!inside(previous)) out.push(cross(previous, current));
      out.push(current);
    } else if (inside(previous)) {
      out.push(cross(previous, current));
    }
  }
  return out;
}

// One ring as rings that each stay within [-180, 180].
function cutRing(ring) {
  const crossings = ring.slice(1).filter((p, i) => Math.abs(p[0] - ring[i][0]) > 180).length;
  if (crossings === 0) return [ring];
  let open = unwrap(ring);
  // Drop the closing point: Sutherland–Hodgman works on implicit closure.
  open = open.slice(0, -1);
  const last = open[open.length - 1];
  if (Math.abs(last[0] - open[0][0]) > 180) {
    // The ring goes round a pole (Antarctica): close it along the pole's latitude
    // (Leaflet's projection clamps it to the map's edge).
    const poleLat = open[0][1] < 0 ? -90 : 90;
    open.push([last[0], poleLat], [open[0][0], poleLat]);
  }
  const pieces = [];
  for (let shift = -720; shift <= 720; shift += 360) {
    let piece = open.map(([x, y]) => [x + shift, y]);
    piece = clipVertical(piece, 180, true);
    if (piece.length) piece = clipVertical(piece, -180, false);
    if (piece.length >= 3) pieces.push([...piece, piece[0]]);
  }
  return pieces;
}

function round(value) {
  const factor = 10 ** BORDER_DECIMALS;
  return Math.round(value * factor) / factor;
}

// A ring as a flat [lon, lat, lon, lat, …] array, rounded, repeated points dropped.
function flat(ring) {
  const out = [];
  for (const [lon, lat] of ring) {
    const x = round(Math.max(-180, Math.min(180, lon)));
    const y = round(lat);
    if (out.length >= 2 && out[out.length - 2] === x && out[out.length - 1] === y) continue;
    out.push(x, y);
  }
  return out;
}

function convertBorders(topologyText, source) {
  const topology = JSON.parse(topologyText);
  const arcs = decodeArcs(topology);
  const countries = [];
  let cut = 0;
  for (const geometry of topology.objects.countries.geometries) {
    const polygons =
      geometry.type === "Polygon" ? [geometry.arcs] : geometry.type === "MultiPolygon" ? geometry.arcs : [];
    const out = [];
    for (const polygon of polygons) {
      const [outer, ...holes] = polygon.map((r) => ringOf(r, arcs));
      const outers = cutRing(outer);
      if (outers.length > 1 || outers[0] !== outer) cut += 1;
      // Holes stay with the piece they fall in (none of the 110m holes crosses).
      for (const [k, piece] of outers.entries()) {
        const rings = [flat(piece)];
        if (k === 0) rings.push(...holes.map(flat));
        if (rings[0].length >= 6) out.push(rings);
      }
    }
    countries.push({ id: geometry.id ?? "", polygons: out });
  }
  for (const country of countries) {
    for (const polygon of country.polygons) {
      for (const ring of polygon) {
        for (let i = 2; i < ring.length; i += 2) {
          const alongPole = Math.abs(ring[i + 1]) === 90 && ring[i + 1] === ring[i - 1];
          if (Math.abs(ring[i] - ring[i - 2]) > 180 && !alongPole) {
            throw new Error(`country ${country.id}: a ring still crosses the antimeridian`);
          }
        }
      }
    }
  }
  const document = {
    source,
    format: "countries[].polygons[][] = rings as flat [lon, lat, …] arrays; first ring outer",
    countries,
  };
  return { text: JSON.stringify(document) + "\n", cut };
}

// --- Main -----------------------------------------------------------------------------

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "passerelle-vendor-"));
  fs.rmSync(VENDOR, { recursive: true, force: true });
  fs.mkdirSync(path.join(VENDOR, "images"), { recursive: true });
  fs.mkdirSync(LICENSES, { recursive: true });
  const rows = [];
  const licenceFiles = [];
  const packed = {};
  try {
    for (const pkg of PACKAGES) {
      const got = pack(pkg, tmp);
      packed[pkg.name] = got;
      const licenceName = `${pkg.name}-${pkg.version}.LICENSE.txt`;
      fs.copyFileSync(path.join(got.root, "LICENSE"), path.join(LICENSES, licenceName));
      licenceFiles.push(licenceName);
      const record = (file, bytes, note) =>
        rows.push({ pkg, got, file, sha: sha256(bytes), note, licenceName });
      for (const [from, to] of pkg.files) {
        const bytes = fs.readFileSync(path.join(got.root, from));
        fs.writeFileSync(path.join(VENDOR, to), bytes);
        record(`vendor/${to}`, bytes, `\`${from}\` as published`);
      }
      for (const [from, to] of pkg.converted ?? []) {
        const text = fs.readFileSync(path.join(got.root, from), "utf8");
        const source = `${pkg.name} ${pkg.version} ${from} (Natural Earth 1:110m, public domain)`;
        const { text: converted, cut } = convertBorders(text, source);
        fs.writeFileSync(path.join(VENDOR, to), converted);
        record(
          `vendor/${to}`,
          Buffer.from(converted),
          `converted from \`${from}\` (sha256 ${sha256(Buffer.from(text))}): TopoJSON decoded, ` +
            `${cut} polygons cut at the antimeridian (or closed along the pole), ${BORDER_DECIMALS} decimals`,
        );
      }
      if (pkg.bundledIn) {
        const bundle = fs.readFileSync(path.join(VENDOR, pkg.bundledIn), "utf8");
        if (!bundle.includes("KDBush")) {
          throw new Error(`${pkg.bundledIn} no longer bundles ${pkg.name}: vendor it`);
        }
        rows.push({
          pkg,
          got,
          file: `(inside vendor/${pkg.bundledIn})`,
          sha: "—",
          note: `bundled by supercluster's build; listed for its licence`,
          licenceName,
        });
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(LICENSES, "natural-earth.txt"), NATURAL_EARTH_TERMS);
  writeVendored(rows, packed);
}

function writeVendored(rows, packed) {
  const lines = [];
  lines.push("# Vendored third-party files of the console");
  lines.push("");
  lines.push(
    "Produced by `node service/assets/vendor-tools/vendor.mjs` (run by hand, never by cargo) " +
      "from the npm tarballs below, checked against the registry's integrity. The binary embeds " +
      "these files (`include_bytes!`) and serves them under `/console/assets/`; no CDN is used. " +
      "Licence texts are in `vendor/licenses/`.",
  );
  lines.push("");
  lines.push("## Packages");
  lines.push("");
  lines.push("| Package | Version | Licence | npm tarball | Tarball sha256 |");
  lines.push("|---|---|---|---|---|");
  for (const pkg of PACKAGES) {
    const got = packed[pkg.name];
    lines.push(`| ${pkg.name} | ${pkg.version} | ${pkg.licence} | ${got.url} | \`${got.tarballSha256}\` |`);
  }
  lines.push("");
  lines.push("## Files");
  lines.push("");
  lines.push("| File | Package | sha256 | How | Licence text |");
  lines.push("|---|---|---|---|---|");
  for (const row of rows) {
    const sha = row.sha === "—" ? "—" : `\`${row.sha}\``;
    lines.push(
      `| \`${row.file}\` | ${row.pkg.name} ${row.pkg.version} | ${sha} | ${row.note} | \`vendor/licenses/${row.licenceName}\` |`,
    );
  }
  lines.push("");
  lines.push("## Notes");
  lines.push("");
  lines.push(
    "- htmx is pinned to the 2.x line. The console sets `includeIndicatorStyles: false` " +
      "(its `htmx-config` meta tag) so htmx injects no inline `<style>`, which the " +
      "Content-Security-Policy would refuse; `allowEval` and `allowScriptTags` are off, and " +
      "`historyCacheSize` is 0 so no page (with personal data) is copied into local storage.",
  );
  lines.push(
    "- The country borders are Natural Earth 1:110m Admin 0 countries (public domain: " +
      "https://www.naturalearthdata.com/about/terms-of-use/) as packaged by world-atlas " +
      "(ISC, Mike Bostock); terms in `vendor/licenses/natural-earth.txt`. The conversion keeps each country's polygons as flat " +
      "`[lon, lat, …]` rings and cuts the rings of Fiji and Russia at ±180°; Antarctica's ring, which " +
      "runs round the pole, is closed along the pole instead of across the map.",
  );
  lines.push(
    "- supercluster's `dist/supercluster.min.js` includes kdbush (checked by the script), " +
      "so kdbush is not served as a file of its own.",
  );
  lines.push(
    "- leaflet.css refers to `images/layers.png`, `images/layers-2x.png` and " +
      "`images/marker-icon.png`; they are served beside it.",
  );
  lines.push("");
  fs.writeFileSync(path.join(ASSETS, "VENDORED.md"), lines.join("\n"));
}

main();
