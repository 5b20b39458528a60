// Progressive enhancement for the meeting finder (templates/meetings/finder.html).
// The page is a plain GET form that works without this file; here we only add the
// visitor's time zone, "Use my location", updates without a reload, and a map.
const PARTIAL_HEADER = "X-Finder-Partial"; // meetings.views.PARTIAL_HEADER: the server renders only _results.html
const form = document.querySelector("form.finder");
const results = document.getElementById("results");
const mapBox = document.getElementById("map");

if (form && results) {
  const { near, lat, lng, tz } = form.elements;
  // Words in the page's language, from the template (data-your-location, data-locating, data-locate-failed).
  const words = {
    yourLocation: form.dataset.yourLocation || "Your location",
    locating: form.dataset.locating || "Finding your location…",
    locateFailed: form.dataset.locateFailed || "We couldn't get your location. Type a ZIP code or city instead.",
  };
  const finderPath = new URL(form.action, location.href).pathname;
  const nearPlaceholder = near.placeholder;
  // A persistent live region: a role="status" inserted with new results is often not read out.
  const announcer = Object.assign(document.createElement("p"), { className: "visually-hidden" });
  announcer.setAttribute("role", "status");
  form.after(announcer);
  let controller = null; // the in-flight results request, so a newer search can abort it
  let shown = location.pathname + location.search; // the query whose results are on screen

  // a. Let the server show start times in the visitor's own zone too: always this visitor's, also when a
  // shared link carries its sender's zone (the results are fetched again at the end, if they need it).
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch { /* keep the server's zone */ }
  const zoneShown = tz?.value || "";
  if (tz && zone) tz.value = zone;
  if (lat.value && !near.value) near.placeholder = words.yourLocation;

  // The language switch returns to the results on screen, not to the address the page was first loaded at.
  document.querySelector("form.language-switch")?.addEventListener("submit", (event) => {
    const next = event.currentTarget.elements.namedItem("next");
    if (next) next.value = location.pathname + location.search + location.hash;
  });

  // b. "Use my location". Typing a place clears the coordinates: the server rejects both at once.
  near.addEventListener("input", () => {
    lat.value = lng.value = "";
    near.placeholder = nearPlaceholder;
  });
  const locate = form.querySelector("button.locate");
  if (locate && "geolocation" in navigator) setUpLocate(locate);

  function setUpLocate(button) {
    const label = button.textContent;
    const message = Object.assign(document.createElement("p"), { className: "error locate-message" });
    message.setAttribute("role", "alert"); // in the page before it has text, so it is announced
    button.after(message);
    button.hidden = false;
    const done = () => { button.textContent = label; button.removeAttribute("aria-busy"); };
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-busy")) return;
      button.textContent = words.locating;
      button.setAttribute("aria-busy", "true");
      message.textContent = "";
      navigator.geolocation.getCurrentPosition((position) => {
        done();
        // Four decimals is about 10 m: plenty for "meetings near me", and less revealing.
        lat.value = position.coords.latitude.toFixed(4);
        lng.value = position.coords.longitude.toFixed(4);
        near.value = "";
        near.placeholder = words.yourLocation;
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }, () => {
        done();
        message.textContent = words.locateFailed;
      }, { timeout: 10000, maximumAge: 5 * 60 * 1000 });
    });
  }

  // c. Update the results in place; the address stays bookmarkable and Back works.
  function searchUrl() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && value.trim() !== "") params.append(name, value); // also drops empty lat/lng
    }
    const query = params.toString();
    return new URL(query ? `${finderPath}?${query}` : finderPath, location.href).href;
  }

  async function load(url, { push = false, replace = false, focus = false, reveal = false } = {}) {
    controller?.abort();
    const mine = (controller = new AbortController());
    // Focus inside #results would be lost with the old markup: move it to the new count instead.
    focus ||= results.contains(document.activeElement);
    results.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { headers: { [PARTIAL_HEADER]: "1" }, signal: mine.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (response.redirected) {
        // "19103 tonight" comes back as near=19103 with Today and the evening ticked: show the form so.
        url = response.url;
        syncForm(url);
      }
      const html = await response.text();
      results.innerHTML = html;
      // The server shows form errors beside the fields, outside #results: load the whole page for them.
      if (!isValid()) throw new Error("invalid search");
      clearStaleErrors();
      if (push || replace) history[replace || url === location.href ? "replaceState" : "pushState"](null, "", url);
      shown = location.pathname + location.search;
      const section = results.querySelector(".results");
      if (section?.dataset.title) document.title = section.dataset.title; // what a bookmark and Back show
      const count = results.querySelector(".count");
      // The persistent announcer speaks the count; the copy that came with the results would say it twice.
      count?.removeAttribute("role");
      count?.removeAttribute("aria-live");
      if (count && focus) {
        count.tabIndex = -1; // focusable from script only
        count.focus();
      } else if (count) {
        announcer.textContent = count.textContent.trim();
      }
      // After Search on a phone the results start below the screen: bring the count into view, so that
      // something visibly happens. Not after each tick, while the person is still choosing.
      const box = count?.getBoundingClientRect();
      if (reveal && box && (box.top < 0 || box.bottom > innerHeight)) count.scrollIntoView({ block: "start" });
      drawMap();
      countTicks(); // ticks made while the results were loading
    } catch (error) {
      if (error.name !== "AbortError") location.href = url; // a normal page load still works
    } finally {
      if (controller === mine) results.removeAttribute("aria-busy");
    }
  }

  function isValid() {
    const section = results.querySelector(".results");
    if (section?.dataset.valid) return section.dataset.valid === "true";
    // A valid search shows meetings or an "empty" message; an invalid one shows neither.
    return Boolean(results.querySelector("li.meeting, .empty"));
  }

  function clearStaleErrors() {
    form.querySelectorAll(".error:not(.locate-message)").forEach((element) => element.remove());
    for (const field of form.querySelectorAll("[aria-invalid]")) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    }
  }

  // The server takes fixed choices in any letter case and days by name (?day=Monday): read them as it does.
  const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
  const asChosen = (name, value) => {
    const lower = value.toLowerCase();
    return name === "day" && DAYS.includes(lower) ? String(DAYS.indexOf(lower)) : lower;
  };

  // Put the form back in step with an address (Back/Forward, or a link inside the results).
  function syncForm(url) {
    const params = new URL(url, location.href).searchParams;
    for (const element of form.elements) {
      if (!element.name || element.name === "tz") continue; // keep the visitor's zone
      const values = params.getAll(element.name);
      const last = values.at(-1); // the server refuses different values of one parameter; a repeat is the same
      const chosen = values.map((value) => asChosen(element.name, value));
      if (element.type === "checkbox") element.checked = chosen.includes(element.value.toLowerCase());
      else if (element.tagName === "SELECT") {
        const options = [...element.options];
        const option = last === undefined ? undefined : options.find((o) => o.value.toLowerCase() === chosen.at(-1));
        const fallback = options.find((o) => o.defaultSelected) ?? options[0];
        element.value = (option ?? fallback)?.value ?? "";
      } else element.value = last ?? "";
    }
    near.placeholder = lat.value && !near.value ? words.yourLocation : nearPlaceholder;
    // A filter the address chose shows where the person sees it ("19103 tonight" ticks the evening, which sits
    // under "More filters"), as the server opens them on a full page. None is closed: the person may have opened it.
    for (const details of form.querySelectorAll("details")) {
      if ([...details.querySelectorAll("input, select")].some(isChosen)) details.open = true;
    }
  }

  function isChosen(element) {
    if (element.type === "checkbox" || element.type === "radio") return element.checked;
    return element.type !== "hidden" && element.value !== ""; // a menu's "any" is blank
  }

  // The meetings ticked for a handout, as ?m= (the ticks belong to this form, though they sit in the results).
  function withTicks(url) {
    const target = new URL(url, location.href);
    target.searchParams.delete("m");
    for (const [name, value] of new FormData(form)) if (name === "m") target.searchParams.append("m", value);
    return target;
  }

  form.addEventListener("submit", (event) => {
    // "Make a printable handout" submits this form to the handout's own address: let the browser go there.
    if (event.submitter?.hasAttribute("formaction")) return;
    event.preventDefault();
    // Focus stays on Search, in the form, where the person was; the announcer reads out the new count.
    load(searchUrl(), { push: true, reveal: true });
  });
  // Ticks and menus search at once; typed text waits for Search, not every keystroke.
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox], select")) load(searchUrl(), { push: true });
  });
  // A tick for the handout searches nothing, but the address keeps it: Reload, Back and a bookmark keep the handout.
  results.addEventListener("change", (event) => {
    if (event.target.name !== "m") return;
    history.replaceState(null, "", withTicks(location.href).href);
    shown = location.pathname + location.search;
    countTicks();
  });
  // More than a handout holds: say so as it happens, not on the handout.
  function countTicks() {
    const warning = results.querySelector(".too-many-ticked");
    if (!warning) return;
    const ticked = [...form.elements].filter((element) => element.name === "m" && element.checked).length;
    const over = ticked > Number(warning.dataset.limit);
    warning.hidden = !over;
    warning.textContent = over ? warning.dataset.message.replace("%(number)s", ticked) : "";
  }
  // Pager and suggestion links inside the results point at the finder: load them in place too, with the ticks
  // made since the results came (the links carry only those ticked before).
  results.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = withTicks(link.href);
    if (url.origin !== location.origin || url.pathname !== finderPath) return;
    event.preventDefault();
    // The visitor's own zone, as a search from the form sends it: the server's links carry only the address's.
    if (zone) url.searchParams.set("tz", zone);
    syncForm(url);
    load(url.href, { push: true, focus: true });
  });
  window.addEventListener("popstate", () => {
    // Hash-only changes (the skip link) also fire popstate; only a new query needs new results.
    if (location.pathname + location.search === shown) return;
    // Back and Forward change the search, not the handout: the ticks as they are now go with it.
    const url = withTicks(location.href).href;
    shown = location.pathname + location.search;
    syncForm(url);
    load(url, { replace: true });
  });

  // d. A map of the listed meetings, for people who find places by sight. Every meeting on it
  // is also in the list, which stays the accessible way in.
  let map = null;
  let markers = null;

  function drawMap() {
    const L = window.L;
    if (!mapBox || !L) return; // no Leaflet: the list alone is enough
    const places = new Map(); // one marker per place, so meetings sharing a venue don't hide each other
    for (const item of results.querySelectorAll("li.meeting[data-lat][data-lng]")) {
      const point = [Number(item.dataset.lat), Number(item.dataset.lng)];
      if (!point.every(Number.isFinite)) continue;
      const key = point.join(",");
      places.set(key, [...(places.get(key) ?? []), item]);
    }
    if (!places.size) {
      mapBox.hidden = true;
      return;
    }
    mapBox.hidden = false;
    if (!map) {
      mapBox.setAttribute("role", "region");
      mapBox.setAttribute("aria-label", mapBox.dataset.label || "Map of the meetings listed above");
      // No scroll-wheel zoom: scrolling the page over the map should scroll the page.
      map = L.map(mapBox, { scrollWheelZoom: false, zoomControl: false });
      // Leaflet's own zoom buttons are named in English: name them in the page's language.
      const { zoomIn = "Zoom in", zoomOut = "Zoom out" } = mapBox.dataset;
      L.control.zoom({ zoomInTitle: zoomIn, zoomOutTitle: zoomOut }).addTo(map);
      // Tiles only when the operator configured a server: otherwise no third-party requests.
      // Leaflet hides tiles that fail to load; the markers keep working on the plain background.
      if (mapBox.dataset.tiles) {
        L.tileLayer(mapBox.dataset.tiles, { attribution: mapBox.dataset.attribution || "", maxZoom: 19 }).addTo(map);
      }
      markers = L.layerGroup().addTo(map);
    } else {
      map.invalidateSize(); // the container may have been hidden since the last draw
    }
    markers.clearLayers();
    const color = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#0b5cad";
    for (const [key, items] of places) {
      const point = key.split(",").map(Number);
      L.circleMarker(point, { radius: 8, color, weight: 2, fillOpacity: 0.5 }).bindPopup(popupFor(items)).addTo(markers);
    }
    map.fitBounds(L.latLngBounds([...places.keys()].map((key) => key.split(",").map(Number))), {
      maxZoom: 14,
      padding: [24, 24],
    });
  }

  // Built from the list's own nodes and textContent: meeting names are data, never parsed as markup.
  function popupFor(items) {
    const box = Object.assign(document.createElement("div"), { className: "map-popup" });
    for (const item of items) {
      const source = item.querySelector("h3 a");
      if (!source) continue;
      const entry = document.createElement("p");
      entry.append(source.cloneNode(true)); // with its hidden day and time, which tell same-named meetings apart
      const when = item.querySelector(".when time");
      const zone = item.querySelector(".when .zone"); // "EST (America/New_York)", as in the list
      if (when) entry.append(document.createElement("br"), [when, zone].filter(Boolean).map((e) => e.textContent.trim()).join(" "));
      const visitor = item.querySelector(".when .visitor-time"); // "Tuesday 5:00 PM your time (PST)"
      if (visitor) entry.append(document.createElement("br"), visitor.textContent.trim());
      box.append(entry);
    }
    return box;
  }

  drawMap();

  // Results shown for another zone (a shared link) or for none (a first visit) lack this visitor's times
  // for meetings elsewhere, or show the sender's as "your time", or (without a place) chose the days and hours
  // on another clock, even when none were found: fetch them again, in place, without a new history entry.
  const elsewhere = [...results.querySelectorAll("li.meeting[data-zone]")].some((item) => item.dataset.zone !== zone);
  const othersTime = results.querySelector(".visitor-time") !== null;
  const readsClock = results.querySelector(".results")?.dataset.readsClock === "true";
  if (tz && zone && zoneShown !== zone && (elsewhere || othersTime || readsClock) && isValid()) {
    // The address as it is, but for the zone: the form cannot hold all it may say (page, language=es…).
    const url = new URL(location.href);
    url.searchParams.set("tz", zone);
    load(url.href, { replace: true });
  }
}
