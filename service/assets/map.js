// Passerelle console: the map page (Carte).
//
// Leaflet draws the embedded country borders on a canvas; the server sends every
// fiche once as compact binary columns (/console/carte/points, see
// service/src/console/map_data.rs for the layout); this script filters them with the
// form's values and clusters the kept points with supercluster. A click on a point
// asks the server for its card (HTML rendered and escaped by the server).
//
// Clustering is done one zoom level at a time (a supercluster index whose minZoom
// and maxZoom are that level), when the level is first shown, and the neighbouring
// levels are prepared while the browser is idle: a filter change then costs one
// level, not the whole hierarchy (which takes seconds for 199,000 points).
// No inline script or style (the page's Content-Security-Policy forbids them), no
// request outside this origin (unless a tile server is configured).
"use strict";

(function () {
  const mapElement = document.getElementById("carte");
  const form = document.getElementById("filtres");
  if (!mapElement || !form || typeof L === "undefined" || typeof Supercluster === "undefined") {
    return;
  }
  const statusLine = document.getElementById("etat-carte");
  const countLine = document.getElementById("compte");
  const detailLine = document.getElementById("detail-compte");
  const areaSelect = document.getElementById("f-region");
  const number = new Intl.NumberFormat("fr-FR");
  const decimal = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

  const MAX_ZOOM = 14;
  const MIN_ZOOM = 1;
  // In supercluster's units (a 512-unit tile drawn 256 px wide): 50 px on screen.
  const RADIUS = 100;
  const CARD_LIMIT = 20;
  // What the tests and the measuring script read (never a token or a fiche).
  const probe = (window.passerelleCarte = {
    ready: false,
    count: null,
    filters: 0,
    firstPaintMs: null,
    lastFilterMs: null,
    clustersDrawn: 0,
    pointsDrawn: 0,
    draws: 0,
    lastDrawMs: null,
    zoom: () => map.getZoom(),
    // Where a place is on the page (for tests that click a point).
    locate: (lat, lon) => {
      const point = map.latLngToContainerPoint([lat, lon]);
      const box = mapElement.getBoundingClientRect();
      return { x: box.left + point.x, y: box.top + point.y };
    },
  });

  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("erreur", Boolean(isError));
    statusLine.hidden = !text;
  }

  // --- The map and its background -------------------------------------------------
  const renderer = L.canvas({ padding: 0.3 });
  const map = L.map(mapElement, {
    renderer,
    zoomControl: false,
    minZoom: MIN_ZOOM,
    maxZoom: MAX_ZOOM,
    worldCopyJump: false,
    maxBounds: [
      [-89, -200],
      [89, 200],
    ],
  });
  L.control
    .zoom({ position: "topright", zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" })
    .addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Frontières : Natural Earth");
  map.setView([20, 5], 2);
  map.on("popupopen", (event) => {
    const close = event.popup.getElement()?.querySelector(".leaflet-popup-close-button");
    if (close) {
      close.setAttribute("aria-label", "Fermer");
      close.title = "Fermer";
    }
  });

  const tiles = mapElement.dataset.tuiles;
  if (tiles) {
    const host = new URL(tiles.replace(/[{}]/g, "")).host;
    L.tileLayer(tiles, { maxZoom: MAX_ZOOM, attribution: "Fond de carte : " + host }).addTo(map);
    mapElement.classList.add("avec-tuiles");
  }

  const bordersLoaded = fetch(mapElement.dataset.frontieres, { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error("frontières : HTTP " + response.status);
      return response.json();
    })
    .then((document_) => {
      const polygons = [];
      for (const country of document_.countries) {
        for (const polygon of country.polygons) {
          polygons.push(
            polygon.map((ring) => {
              const latlngs = new Array(ring.length / 2);
              for (let k = 0; k < ring.length; k += 2) latlngs[k / 2] = [ring[k + 1], ring[k]];
              return latlngs;
            }),
          );
        }
      }
      L.polygon(polygons, {
        renderer,
        interactive: false,
        color: "#8c8a84",
        weight: 0.7,
        fillColor: "#f6f3ec",
        fillOpacity: tiles ? 0 : 1,
      }).addTo(map);
    });

  // --- The point set ----------------------------------------------------------------
  function decode(buffer) {
    const bytes = new Uint8Array(buffer);
    const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
    if (magic !== "PSA1") throw new Error("format de données inattendu");
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
      throw new Error("navigateur gros-boutiste non pris en charge");
    }
    const view = new DataView(buffer);
    const headerLength = view.getUint32(4, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    const n = header.count;
    let offset = 8 + headerLength;
    const column = (Type) => {
      const array = new Type(buffer, offset, n);
      offset += Type.BYTES_PER_ELEMENT * n;
      return array;
    };
    return {
      header,
      n,
      lat: column(Int32Array),
      lon: column(Int32Array),
      themes: column(Uint32Array),
      country: column(Uint16Array),
      area: column(Uint16Array),
      flags: column(Uint8Array),
    };
  }

  let data = null;
  let features = null;
  // The points the filters keep, and their clusters by zoom level.
  let kept = [];
  let levels = new Map();
  let idleTask = null;
  const layer = L.layerGroup().addTo(map);

  // Filters from the form, compiled against the tables.
  function compileFilters() {
    const values = new FormData(form);
    const get = (name) => values.get(name) || "";
    const h = data.header;
    const side = { francais: 0, etranger: 1 }[get("cote")];
    const countryCode = get("pays");
    const country = countryCode ? h.countries.findIndex((c) => c[0] === countryCode) : -1;
    const areaCode = get("region");
    const area = areaCode ? h.areas.findIndex((a) => a[0] === country && a[1] === areaCode) : -1;
    const level = { local: 0, intermediaire: 1, regional: 2 }[get("niveau")];
    const themeCode = get("theme");
    const themeIndex = themeCode ? h.themes.findIndex((t) => t[0] === themeCode) : -1;
    const call = { ouvert: "ouvert", expirant: 2, expire: 3, clos: 4, sans: 0 }[get("appel")];
    return {
      side,
      country: countryCode ? country : undefined,
      area: areaCode ? area : undefined,
      level,
      theme: themeCode ? (themeIndex >= 0 ? (1 << themeIndex) >>> 0 : 0) : undefined,
      call,
      underserved: get("sous_servi") === "oui",
    };
  }

  function selectPoints(f) {
    const { n, flags, country, area, themes } = data;
    const kept = [];
    let french = 0;
    for (let i = 0; i < n; i++) {
      const flag = flags[i];
      if (f.side !== undefined && (flag & 1) !== f.side) continue;
      if (f.country !== undefined && country[i] !== f.country) continue;
      if (f.area !== undefined && area[i] !== f.area) continue;
      if (f.level !== undefined && ((flag >> 1) & 3) !== f.level) continue;
      if (f.theme !== undefined && (themes[i] & f.theme) === 0) continue;
      if (f.call !== undefined) {
        const state = (flag >> 3) & 7;
        if (f.call === "ouvert" ? state !== 1 && state !== 2 : state !== f.call) continue;
      }
      if (f.underserved && (flag & 64) === 0) continue;
      if ((flag & 1) === 0) french++;
      kept.push(features[i]);
    }
    return { kept, french };
  }

  function showCount(total, french) {
    countLine.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = number.format(total);
    countLine.append(strong, " fiche(s) sur " + number.format(data.n));
    countLine.dataset.compte = String(total);
    detailLine.textContent =
      total === 0
        ? "Aucune fiche ne correspond à ces filtres."
        : "dont " + number.format(french) + " française(s) et " + number.format(total - french) + " étrangère(s)";
    probe.count = total;
  }

  function applyFilters() {
    const selected = selectPoints(compileFilters());
    kept = selected.kept;
    levels = new Map();
    showCount(kept.length, selected.french);
    draw();
    return kept;
  }

  // The clusters of the kept points at zoom `z`, built on first use.
  function level(z) {
    let index = levels.get(z);
    if (!index) {
      index = new Supercluster({ radius: RADIUS, minZoom: z, maxZoom: z, minPoints: 2 }).load(kept);
      levels.set(z, index);
    }
    return index;
  }

  // Prepares the levels next to `z` while the browser has nothing else to do.
  function prepareNeighbours(z) {
    const idle = window.requestIdleCallback || ((task) => setTimeout(task, 50));
    const cancel = window.cancelIdleCallback || clearTimeout;
    if (idleTask !== null) cancel(idleTask);
    const wanted = [z + 1, z - 1].filter((n) => n >= MIN_ZOOM && n <= MAX_ZOOM && !levels.has(n));
    const forLevels = levels;
    const next = () => {
      idleTask = null;
      const n = wanted.shift();
      if (n === undefined || forLevels !== levels) return;
      level(n);
      if (wanted.length) idleTask = idle(next);
    };
    if (wanted.length) idleTask = idle(next);
  }

  // --- Drawing ----------------------------------------------------------------------
  function clusterIcon(count) {
    const size = count < 100 ? "petite" : count < 1000 ? "moyenne" : count < 10000 ? "grande" : "enorme";
    const side = { petite: 30, moyenne: 38, grande: 46, enorme: 56 }[size];
    const label =
      count < 1000
        ? String(count)
        : count < 10000
          ? decimal.format(Math.floor(count / 100) / 10) + " k"
          : Math.floor(count / 1000) + " k";
    return L.divIcon({
      html: "<span>" + label + "</span>",
      className: "grappe grappe-" + size,
      iconSize: [side, side],
    });
  }

  function draw() {
    const started = performance.now();
    layer.clearLayers();
    if (!data) return;
    const bounds = map.getBounds();
    const west = Math.max(-180, bounds.getWest());
    const east = Math.min(180, bounds.getEast());
    const bbox = [west, Math.max(-85, bounds.getSouth()), east, Math.min(85, bounds.getNorth())];
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(map.getZoom())));
    const index = level(zoom);
    const items = index.getClusters(bbox, zoom);
    for (const item of items) {
      const [lon, lat] = item.geometry.coordinates;
      if (item.properties && item.properties.cluster) {
        const count = item.properties.point_count;
        const marker = L.marker([lat, lon], {
          icon: clusterIcon(count),
          title: number.format(count) + " fiches : cliquez pour zoomer",
          keyboard: true,
        });
        marker.on("click", () => openCluster(index, item, lat, lon));
        layer.addLayer(marker);
      } else {
        const foreign = (data.flags[item.i] & 1) === 1;
        const dot = L.circleMarker([lat, lon], {
          renderer,
          radius: 6,
          color: "#ffffff",
          weight: 1.5,
          fillColor: foreign ? "#c9191e" : "#000091",
          fillOpacity: 0.9,
        });
        dot.on("click", () => openCards([item.i], [lat, lon]));
        layer.addLayer(dot);
      }
    }
    probe.clustersDrawn = items.filter((item) => item.properties && item.properties.cluster).length;
    probe.pointsDrawn = items.length - probe.clustersDrawn;
    probe.lastDrawMs = performance.now() - started;
    probe.draws += 1;
    prepareNeighbours(zoom);
  }

  // Zooms onto a cluster's points or, when they cannot be told apart, lists them.
  function openCluster(index, item, lat, lon) {
    const leaves = index.getLeaves(item.properties.cluster_id, Infinity);
    let south = 90;
    let west = 180;
    let north = -90;
    let east = -180;
    for (const leaf of leaves) {
      const [x, y] = leaf.geometry.coordinates;
      south = Math.min(south, y);
      north = Math.max(north, y);
      west = Math.min(west, x);
      east = Math.max(east, x);
    }
    const bounds = L.latLngBounds([south, west], [north, east]);
    const spread = north - south > 1e-4 || east - west > 1e-4;
    if (map.getZoom() < MAX_ZOOM && spread) {
      const target = map.getBoundsZoom(bounds, false, L.point(40, 40));
      map.setView(bounds.getCenter(), Math.min(MAX_ZOOM, Math.max(map.getZoom() + 1, target)));
      return;
    }
    openCards(
      leaves.slice(0, CARD_LIMIT).map((leaf) => leaf.i),
      [lat, lon],
      leaves.length - CARD_LIMIT,
    );
  }

  function openCards(indexes, latlng, more = 0) {
    const popup = L.popup({ maxWidth: 340, maxHeight: 380, className: "popup-fiches" })
      .setLatLng(latlng)
      .setContent('<p class="chargement">Chargement de la fiche…</p>')
      .openOn(map);
    const url =
      mapElement.dataset.fiches + "?g=" + data.header.generation + "&i=" + indexes.join(",");
    fetch(url, { credentials: "same-origin" })
      .then((response) => response.text())
      .then((html) => {
        const content = document.createElement("div");
        content.innerHTML = html; // rendered and escaped by the server
        if (more > 0) {
          const note = document.createElement("p");
          note.className = "suite";
          note.textContent = "… et " + number.format(more) + " autre(s) fiche(s) à cet endroit : filtrez pour les voir.";
          content.append(note);
        }
        popup.setContent(content);
      })
      .catch(() => popup.setContent('<p class="erreur">Le serveur ne répond pas.</p>'));
  }

  // --- Filters ----------------------------------------------------------------------
  function fillAreas() {
    const code = form.elements.pays.value;
    areaSelect.replaceChildren(new Option("Toutes", ""));
    if (!code) {
      areaSelect.disabled = true;
      return;
    }
    const country = data.header.countries.findIndex((c) => c[0] === code);
    const areas = data.header.areas
      .filter((a) => a[0] === country)
      .sort((a, b) => a[2].localeCompare(b[2], "fr"));
    for (const [, value, label] of areas) areaSelect.append(new Option(label, value));
    areaSelect.disabled = areas.length === 0;
  }

  function remember() {
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) query.append(name, value);
    const text = query.toString();
    history.replaceState(null, "", text ? "?" + text : location.pathname);
  }

  // Frames the kept points after a change of place.
  function frame(kept) {
    if (kept.length === 0) return;
    let south = 90;
    let west = 180;
    let north = -90;
    let east = -180;
    for (const feature of kept) {
      const [lon, lat] = feature.geometry.coordinates;
      if (lat < south) south = lat;
      if (lat > north) north = lat;
      if (lon < west) west = lon;
      if (lon > east) east = lon;
    }
    map.fitBounds(
      [
        [south, west],
        [north, east],
      ],
      { maxZoom: 9, padding: [30, 30], animate: false },
    );
  }

  form.addEventListener("change", (event) => {
    if (!data) return;
    const started = performance.now();
    const place = event.target === form.elements.pays || event.target === areaSelect;
    if (event.target === form.elements.pays) fillAreas();
    const kept = applyFilters();
    if (place) frame(kept);
    remember();
    requestAnimationFrame(() => {
      probe.lastFilterMs = performance.now() - started;
      probe.filters += 1;
    });
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  map.on("moveend", draw);

  // --- Start ------------------------------------------------------------------------
  const pointsLoaded = fetch(mapElement.dataset.points, { credentials: "same-origin" }).then(
    (response) => {
      if (response.status === 401) throw new Error("session expirée : reconnectez-vous");
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.arrayBuffer();
    },
  );

  Promise.all([pointsLoaded, bordersLoaded])
    .then(([buffer]) => {
      data = decode(buffer);
      features = new Array(data.n);
      for (let i = 0; i < data.n; i++) {
        features[i] = {
          type: "Feature",
          i,
          properties: null,
          geometry: { type: "Point", coordinates: [data.lon[i] / 1e4, data.lat[i] / 1e4] },
        };
      }
      applyFilters();
      say("");
      requestAnimationFrame(() => {
        probe.firstPaintMs = performance.now();
        probe.ready = true;
        document.body.dataset.carte = "prete";
      });
    })
    .catch((error) => {
      say("Impossible d'afficher la carte : " + error.message, true);
      document.body.dataset.carte = "erreur";
    });
})();
