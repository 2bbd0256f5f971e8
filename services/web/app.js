// Throughline dashboard: cohorts, the live alert feed, person search and the person page, for
// an IOM or prison offender management team. Plain JavaScript over the engine's own API
// (docs/api.md); nothing is loaded from anywhere else. It shows only what the token may see:
// what the role may not see is absent from every answer, and the page says so where a whole
// panel is missing. Data is only ever put into the page as text (textContent), never as HTML.
"use strict";

const TOKEN_KEY = "throughline.token";
const REPLAY_REFUSED_KEY = "throughline.replay_refused";
const SVG_NS = "http://www.w3.org/2000/svg";
const DAY_MS = 86400000;
const NOT_SHOWN = "Not shown to your role";

const state = {
  token: null,
  alertSub: null,           // Subscription for the alert feed
  alertIds: new Set(),      // alert ids in the feed
  personLabels: new Map(),  // person id -> a short label (PNC or NOMS), from what was read
  cohort: null,             // {params, next, rows}
  person: null,             // the person page: see openPerson()
};

// ---- Small helpers ------------------------------------------------------------------------

function $(selector, root = document) {
  return root.querySelector(selector);
}

// el("li", {class: "x", dataset: {id: 1}, title: "t"}, "text", child, ...): attributes that
// are undefined, null or false are left out; children that are strings become text.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") {
      node.setAttribute("class", value);
    } else if (key === "dataset") {
      for (const [name, v] of Object.entries(value)) {
        if (v !== undefined && v !== null) node.dataset[name] = v;
      }
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function clear(node) {
  node.replaceChildren();
  return node;
}

// "remanded_in_custody" -> "remanded in custody"
function words(name) {
  return String(name ?? "").replaceAll("_", " ");
}

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

function parseTime(text) {
  if (!text) return NaN;
  return Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
}

function formatDate(text) {
  const t = typeof text === "number" ? text : parseTime(text);
  return Number.isFinite(t) ? dateFormat.format(t) : String(text ?? "");
}

function formatTime(text) {
  const t = parseTime(text);
  return Number.isFinite(t) ? `${timeFormat.format(t)} UTC` : String(text ?? "");
}

// YYYY-MM-DD (UTC) of a time in milliseconds.
function isoDate(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

// An ISO 8601 period ("P2Y6M", "P14D") in words ("2 years 6 months").
function formatPeriod(text) {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(text ?? "");
  if (!m) return String(text ?? "");
  const parts = [];
  ["year", "month", "week", "day"].forEach((unit, i) => {
    const n = Number(m[i + 1] ?? 0);
    if (n) parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
  });
  return parts.join(" ") || "none";
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

const PRISONS = {
  CFI: "HMP Cardiff",
  SWI: "HMP Swansea",
  PRI: "HMP Parc",
  BWI: "HMP Berwyn",
  UKI: "HMP Usk",
  UPI: "HMP Prescoed",
  ACI: "HMP Altcourse",
  BLI: "HMP Bristol",
  LPI: "HMP Liverpool",
  EEI: "HMP Erlestoke",
  GMI: "HMP Guys Marsh",
  HEI: "HMP Hewell",
  OWI: "HMP Oakwood",
  DAI: "HMP Dartmoor",
  SFI: "HMP Stafford",
  WMI: "HMP Wymott",
  LLI: "HMP Long Lartin",
  LYI: "HMP Leyhill",
  EWI: "HMP Eastwood Park",
  STI: "HMP Styal",
  DHI: "HMP Drake Hall",
  SDI: "HMP Send",
  ESI: "HMP East Sutton Park",
  AGI: "HMP Askham Grange",
};

function prisonName(code) {
  return PRISONS[code] ? `${PRISONS[code]} (${code})` : code;
}

// ---- The token ----------------------------------------------------------------------------

function takeTokenFromFragment() {
  const hash = location.hash;
  if (!hash.startsWith("#token=")) return;
  const token = decodeURIComponent(hash.slice("#token=".length)).trim();
  if (token) setToken(token);
  // Out of the address bar and the history: a token is a password.
  history.replaceState(null, "", `${location.pathname}${location.search}#/cohorts`);
}

function setToken(token) {
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.removeItem(REPLAY_REFUSED_KEY);
}

function signOut(message) {
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REPLAY_REFUSED_KEY);
  state.alertSub?.close();
  state.alertSub = null;
  closePerson();
  state.cohort = null;
  state.alertIds.clear();
  state.personLabels.clear();
  // Nothing read with the old token stays in the page, even hidden.
  const read = "#alert-feed, #cohort-table tbody, #identifiers, #chart, #events tbody, .panel-body";
  for (const node of document.querySelectorAll(read)) clear(node);
  for (const selector of ["#cohort-summary", "#alert-status", "#stage", "#custody"]) {
    $(selector).textContent = "";
  }
  showLogin(message);
}

function showLogin(message) {
  $("#shell").hidden = true;
  $("#nav").hidden = true;
  $("#session").hidden = true;
  $("#login").hidden = false;
  const box = $("#login-message");
  box.textContent = message || "";
  box.hidden = !message;
  const input = $("#token-input");
  input.value = "";
  input.focus();
}

// ---- The API ------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message, path) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
  }
}

// GETs a /v1 path as JSON. Refusals become an ApiError carrying the API's own message; a 401
// signs out, as the token is no good for anything else either.
async function api(path, headers = {}) {
  let response;
  try {
    response = await fetch(path, {
      headers: {Authorization: `Bearer ${state.token}`, Accept: "application/json", ...headers},
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "unreachable", `The engine did not answer (${e.message}).`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: described below from the status.
  }
  if (!response.ok) {
    const error = body?.error ?? {};
    const failure = new ApiError(
        response.status, error.code ?? `http_${response.status}`,
        error.message ?? `${response.status} ${response.statusText}`, error.path);
    if (response.status === 401) signOut(failure.message);
    throw failure;
  }
  return body;
}

function showError(message) {
  const banner = $("#error");
  $(".message", banner).textContent = message;
  banner.hidden = false;
}

function clearError() {
  $("#error").hidden = true;
}

// A refusal or failure as a paragraph for a panel: 403s say so plainly.
function refusal(error) {
  if (error.status === 403) return el("p", {class: "refusal"}, `${NOT_SHOWN}: ${error.message}`);
  return el("p", {class: "refusal"}, error.message);
}

// ---- Subscriptions (GET /v1/subscribe) ----------------------------------------------------

// A WebSocket subscription that reconnects with from=<last sequence + 1>, so nothing is missed
// or repeated across a drop (docs/api.md, "Subscriptions").
class Subscription {
  constructor(params, {from = 0, onMessage, onState, onReconnect}) {
    this.params = params;
    this.last = from > 0 ? from - 1 : 0;
    this.onMessage = onMessage;
    this.onState = onState ?? (() => {});
    this.onReconnect = onReconnect ?? (() => {});
    this.retries = 0;
    this.closed = false;
    this.droppedAt = null;
    this.open();
  }

  url() {
    const query = new URLSearchParams(this.params);
    if (this.last > 0) query.set("from", String(this.last + 1));
    query.set("access_token", state.token);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/v1/subscribe?${query}`;
  }

  open() {
    this.onState("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      opened = true;
      this.retries = 0;
      this.onState("live");
      if (this.droppedAt) {
        this.onReconnect(this.droppedAt);
        this.droppedAt = null;
      }
    });
    ws.addEventListener("message", (m) => {
      let message;
      try {
        message = JSON.parse(m.data);
      } catch {
        return;
      }
      if (message.type === "change" || message.type === "caught_up" ||
          message.type === "position") {
        this.last = Math.max(this.last, message.sequence);
      }
      this.onMessage(message);
    });
    ws.addEventListener("close", (e) => {
      if (this.ws !== ws || this.closed) return;
      this.droppedAt ??= new Date();
      const delay = Math.min(30000, 1000 * 2 ** this.retries++);
      this.onState(
          "retrying", e.reason || (opened ? "connection lost" : "could not connect"), delay);
      // A refused upgrade (401, 403, 429) reaches the page only as a failed connection: ask
      // the API once why, so that a dead token signs out instead of retrying for ever.
      if (!opened) api("/v1/alerts?limit=1").catch(() => {});
      this.timer = setTimeout(() => this.open(), delay);
    });
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
  }
}

function showLive(node, status, detail, delay) {
  node.dataset.state = status;
  const label = $(".label", node);
  if (status === "live") {
    label.textContent = node.dataset.liveText ?? "live";
  } else if (status === "connecting") {
    label.textContent = "connecting…";
  } else if (status === "retrying") {
    label.textContent = `reconnecting in ${Math.round(delay / 1000)} s`;
  } else {
    label.textContent = "offline";
  }
  node.title = detail ? `${node.dataset.what ?? "Live"}: ${detail}` : "";
}

// ---- Routing ------------------------------------------------------------------------------

function route() {
  if (!state.token) return;
  clearError();
  const hash = location.hash || "#/cohorts";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query ?? "");
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.toggleAttribute("aria-current", path.startsWith(`/${link.dataset.nav}`));
  }
  if (path.startsWith("/person/")) {
    showPage("person-page");
    openPerson(decodeURIComponent(path.slice("/person/".length)));
  } else {
    closePerson();
    showPage("cohorts-page");
    openCohort(params);
  }
}

function showPage(id) {
  for (const page of document.querySelectorAll(".page")) page.hidden = page.id !== id;
}

function personHref(ref) {
  return `#/person/${encodeURIComponent(ref)}`;
}

// The API's form of what was typed: pnc:..., noms:..., crn:..., cro:..., id:N, or a bare
// identifier recognised by its shape (docs/events.md). Null when it is none of these.
function personRef(text) {
  const q = text.trim();
  const prefixed = /^(pnc|noms|crn|cro|id)\s*:\s*(.+)$/i.exec(q);
  if (prefixed) return `${prefixed[1].toLowerCase()}:${prefixed[2].trim().toUpperCase()}`;
  const upper = q.toUpperCase().replace(/\s+/g, "");
  if (/^\d{2}(\d{2})?\/\d{1,7}[A-Z]$/.test(upper)) return `pnc:${upper}`;
  if (/^[A-Z]\d{4}[A-Z]{2}$/.test(upper)) return `noms:${upper}`;
  if (/^[A-Z]\d{6}$/.test(upper)) return `crn:${upper}`;
  if (/^\d{1,6}\/\d{2}[A-Z]$/.test(upper)) return `cro:${upper}`;
  if (/^\d+$/.test(upper)) return `id:${upper}`;
  return null;
}

// ---- Cohorts ------------------------------------------------------------------------------

const COHORT_TITLES = {
  prison: (p) => `${prisonName((p.get("code") || "CFI").toUpperCase())}: the roll`,
  iom: () => "The IOM cohort",
  mappa: (p) => (p.get("level") ? `MAPPA level ${p.get("level")}` : "MAPPA: every level"),
  releases: (p) => `Releases due within ${p.get("within_days") || 28} days` +
      (p.get("from") ? ` of ${formatDate(p.get("from"))}` : " from today"),
  licence: (p) => (p.get("area") ? `On licence in ${p.get("area")}` : "On licence: every area"),
};

function cohortPath(params, after) {
  const kind = params.get("kind") || "prison";
  const query = new URLSearchParams({limit: "50"});
  let path;
  if (kind === "prison") {
    path = `/v1/cohorts/prisons/${encodeURIComponent((params.get("code") || "CFI").toUpperCase())}`;
  } else {
    path = `/v1/cohorts/${kind}`;
    for (const name of ["level", "within_days", "from", "area"]) {
      if (params.get(name)) query.set(name, params.get(name));
    }
  }
  if (after) query.set("after", after);
  return `${path}?${query}`;
}

function syncCohortForm(params) {
  const form = $("#cohort-form");
  const kind = params.get("kind") || "prison";
  for (const radio of form.elements.kind) radio.checked = radio.value === kind;
  $("#cohort-prison").value = (params.get("code") || "CFI").toUpperCase();
  $("#cohort-level").value = params.get("level") || "";
  $("#cohort-within").value = params.get("within_days") || "28";
  $("#cohort-from").value = params.get("from") || "";
  $("#cohort-area").value = params.get("area") || "";
  showCohortParams(kind);
}

function showCohortParams(kind) {
  for (const label of document.querySelectorAll("[data-for-kind]")) {
    label.hidden = label.dataset.forKind !== kind;
  }
}

async function openCohort(params) {
  syncCohortForm(params);
  const kind = params.get("kind") || "prison";
  const cohort = {params, next: null, rows: 0, stale: 0, kind};
  state.cohort = cohort;
  $("#cohorts-title").textContent = COHORT_TITLES[kind]?.(params) ?? "Cohorts";
  const body = clear($("#cohort-table tbody"));
  $("#cohort-table").dataset.cohort = kind;
  $("#cohort-more").hidden = true;
  $("#cohort-summary").textContent = "Loading…";
  await loadCohortPage(cohort, body, null);
}

async function loadCohortPage(cohort, body, after) {
  const summary = $("#cohort-summary");
  try {
    const page = await api(cohortPath(cohort.params, after));
    if (state.cohort !== cohort) return;
    for (const person of page.persons) {
      const row = cohortRow(person, cohort.kind);
      if (row.classList.contains("stale")) ++cohort.stale;
      body.append(row);
    }
    cohort.rows += page.persons.length;
    cohort.next = page.next;
    $("#cohort-more").hidden = !page.next;
    summary.classList.remove("refusal");
    let text = `${cohort.rows} ${cohort.rows === 1 ? "person" : "people"} shown`;
    if (page.next) text += " (more below)";
    text += `, as of log position ${page.log_position}.`;
    if (cohort.stale) {
      text += ` ${cohort.stale} of them no longer on licence (greyed): the cohort lists them ` +
          "until their next event.";
    }
    summary.textContent = cohort.rows === 0 ? "Nobody in this cohort." : text;
  } catch (e) {
    if (state.cohort !== cohort) return;
    summary.classList.add("refusal");
    summary.textContent = e.status === 403 ? `${NOT_SHOWN}: ${e.message}` : e.message;
  }
}

function identifierOf(summary, kind) {
  return summary.identifiers?.find((i) => i.kind === kind)?.value;
}

function rememberPerson(summary) {
  const label =
      identifierOf(summary, "pnc") ?? identifierOf(summary, "noms") ?? identifierOf(summary, "crn");
  if (label) state.personLabels.set(summary.person, label);
}

function flagBadges(summary) {
  const badges = [];
  const badge = (text, kind, title) =>
      badges.push(el("span", {class: `badge ${kind}`, title}, text));
  if (summary.iom) badge(`IOM ${summary.iom.cohort}`, "iom", summary.iom.selection_reason);
  if (summary.mappa) {
    badge(
        `MAPPA C${summary.mappa.category} L${summary.mappa.level}`,
        summary.mappa.level >= 2 ? "mappa high" : "mappa", summary.mappa.area);
  }
  const flags = summary.flags ?? {};
  if (flags.ocg_linked) badge("OCG", "ocg", (flags.ocg_refs ?? []).join(", "));
  if (flags.foreign_national) badge("Foreign national", "fn");
  if (flags.deportation_order) badge("Deportation order", "fn");
  for (const kind of flags.safeguarding ?? []) badge(words(kind), "safeguarding", "Safeguarding");
  if (flags.electronic_monitoring) badge(`Tag: ${words(flags.electronic_monitoring)}`, "em");
  if (summary.risk?.rosh === "high" || summary.risk?.rosh === "very_high") {
    badge(`RoSH ${words(summary.risk.rosh)}`, "risk");
  }
  if (summary.custody?.temporarily_absent) badge("Temporarily absent", "ta");
  if (summary.custody?.unlawfully_at_large) badge("Unlawfully at large", "ual");
  return badges;
}

function cohortRow(summary, kind) {
  rememberPerson(summary);
  const ref = `id:${summary.person}`;
  const ids = ["pnc", "noms", "crn"].map((k) => identifierOf(summary, k)).filter(Boolean);
  let where = "";
  if (summary.custody) {
    where = `${prisonName(summary.custody.prison)}, ${words(summary.custody.basis)}`;
  } else if (summary.licence) {
    where = `Licence: ${summary.licence.area}`;
  }
  let dates = "";
  if (summary.expected_release_date) {
    dates = `Release ${formatDate(summary.expected_release_date)}`;
  } else if (summary.licence) {
    dates = `Licence ends ${formatDate(summary.licence.end_date)}`;
  }
  const attrs = {dataset: {person: summary.person}};
  if (kind === "licence" && summary.stage !== "on_licence") {
    attrs.class = "stale";
    attrs.title = "Listed under licence, but the licence has ended or been recalled since";
  }
  const row =
      el("tr", attrs, el("td", {}, el("a", {href: personHref(ref)}, String(summary.person))),
         el("td", {class: "ids"}, ids.map((id) => el("span", {}, id))),
         el("td", {}, el("span", {class: `stage ${summary.stage}`}, words(summary.stage))),
         el("td", {}, where), el("td", {class: "flags"}, flagBadges(summary)), el("td", {}, dates));
  row.addEventListener("click", (e) => {
    if (e.target.closest("a")) return;
    location.hash = personHref(ref);
  });
  return row;
}

// ---- The alert feed -----------------------------------------------------------------------

const RULES = {
  flagged_person_received: "Flagged person received",
  no_licence_after_release: "No licence after release",
  mappa_release: "MAPPA release",
  recall: "Recall",
  release_overdue: "Release overdue",
  foreign_national_released: "Foreign national released",
  identity_conflict: "Identity conflict",
};

function alertAgencyFilter() {
  return $("#alert-agency").value.trim();
}

// The most recent alerts, newest first (GET /v1/alerts?order=newest).
async function loadAlerts() {
  const status = $("#alert-status");
  const agency = alertAgencyFilter();
  status.classList.remove("refusal");
  status.textContent = "Loading…";
  const query = new URLSearchParams({order: "newest", limit: "100"});
  if (agency) query.set("agency", agency);
  const result = await api(`/v1/alerts?${query}`);
  // addAlert puts each at the top: oldest of them first.
  const alerts = result.alerts.slice().reverse();
  for (const alert of alerts) addAlert(alert, {live: false});
  status.textContent = alerts.length ? "Most recent first; new alerts arrive live." :
                                       "No recent alerts; new alerts arrive live.";
  return result.log_position;
}

async function startAlertFeed() {
  state.alertSub?.close();
  state.alertSub = null;
  state.alertIds.clear();
  clear($("#alert-feed"));
  const status = $("#alert-status");
  const feed = $("#alert-feed");
  feed.setAttribute("aria-live", "off");  // announce what arrives, not the first hundred
  let position;
  try {
    position = await loadAlerts();
    feed.setAttribute("aria-live", "polite");
  } catch (e) {
    status.classList.add("refusal");
    status.textContent = e.status === 403 ? `${NOT_SHOWN}: ${e.message}` : e.message;
    showLive($("#feed-status"), "closed");
    return;
  }
  const live = $("#feed-status");
  live.dataset.what = "Alert feed";
  state.alertSub = new Subscription({alerts: "only"}, {
    from: position + 1,
    onState: (s, detail, delay) => showLive(live, s, detail, delay),
    onMessage: (message) => {
      if (message.type === "change") {
        if (message.view) rememberPerson(message.view);
        for (const alert of message.alerts ?? []) addAlert(alert, {live: true});
      } else if (message.type === "alert") {
        addAlert(message.alert, {live: true});
      }
    },
    // Alerts the clock raised while the connection was down are not replayed by from=: ask.
    onReconnect: async (since) => {
      const query = new URLSearchParams({since: since.toISOString(), limit: "1000"});
      if (alertAgencyFilter()) query.set("agency", alertAgencyFilter());
      try {
        const missed = await api(`/v1/alerts?${query}`);
        for (const alert of missed.alerts) addAlert(alert, {live: true});
      } catch {
        // The feed carries on; the next reconnect asks again.
      }
    },
  });
}

function addAlert(alert, {live}) {
  if (state.alertIds.has(alert.id)) return;
  const agency = alertAgencyFilter();
  if (agency && alert.agency !== agency) return;
  state.alertIds.add(alert.id);
  const label = state.personLabels.get(alert.person);
  const item =
      el("li", {
        class: `alert rule-${alert.rule}${live ? " new" : ""}`,
        dataset:
            {alertId: alert.id, rule: alert.rule, person: alert.person, sequence: alert.sequence},
      },
         el("div", {class: "alert-head"},
            el("span", {class: "rule"}, RULES[alert.rule] ?? words(alert.rule)),
            el("time", {datetime: alert.event_time}, formatDate(alert.event_time))),
         el("p", {class: "alert-message"}, alert.message),
         el("div", {class: "alert-foot"},
            el("a", {href: personHref(`id:${alert.person}`)},
               label ? `${label}` : `Person ${alert.person}`),
            el("span", {class: "agency"}, alert.agency)));
  // Newest on top: the initial load comes oldest first, live ones as they happen.
  const feed = $("#alert-feed");
  feed.prepend(item);
  while (feed.children.length > 200) {
    state.alertIds.delete(feed.lastElementChild.dataset.alertId);
    feed.lastElementChild.remove();
  }
}

// ---- The person page ----------------------------------------------------------------------

const LANES = ["police", "courts", "custody", "probation", "interventions", "partnership"];
const LANE_TITLES = {
  police: "Police",
  courts: "Courts",
  custody: "Custody",
  probation: "Probation",
  interventions: "Interventions",
  partnership: "Partnership",
};

// An event kept as another system published it (`external`) goes in the lane of the system
// that published it.
function laneOf(type, data) {
  if (type === "external") {
    const family = String(data?.event_type ?? "").split(".")[0];
    if (family.startsWith("prison")) return "custody";
    if (family.startsWith("probation") || family.includes("licence") || family === "recall") {
      return "probation";
    }
    if (family.startsWith("intervention")) return "interventions";
    return "partnership";
  }
  switch (type.split(".")[0]) {
    case "arrest":
    case "charge":
    case "out_of_court":
    case "bail":
      return "police";
    case "court":
    case "conviction":
    case "sentence":
      return "courts";
    case "custody":
      return "custody";
    case "licence":
    case "supervision":
    case "em":
      return "probation";
    case "intervention":
      return "interventions";
    default:  // iom, mappa, risk, intelligence, safeguarding, immigration, identity, person, event
      return "partnership";
  }
}

// Within a lane, each kind of event has its own row, so that marks of one day do not hide
// each other.
const ROWS = {
  "arrest.recorded": 0,
  "charge.recorded": 1,
  "charge.disposed": 1,
  "bail.granted": 2,
  "bail.breached": 2,
  "out_of_court.disposal": 3,
  "court.hearing": 0,
  "conviction.recorded": 1,
  "sentence.imposed": 2,
  "custody.received": 0,
  "custody.transferred": 1,
  "custody.released": 2,
  "licence.started": 0,
  "licence.varied": 0,
  "licence.ended": 0,
  "licence.breached": 1,
  "licence.recalled": 1,
  "supervision.started": 2,
  "supervision.ended": 2,
  "intervention.referred": 0,
  "intervention.started": 1,
  "intervention.completed": 2,
  "intervention.exited": 3,
  "iom.adopted": 0,
  "iom.exited": 0,
  "mappa.registered": 1,
  "mappa.level_changed": 1,
  "mappa.deregistered": 1,
  "risk.assessed": 2,
};

function rowOf(type) {
  return ROWS[type] ?? 3;
}

// A line about an event for its hover title and the events table: its data's plain members
// and any offence descriptions.
function describeEvent(event) {
  const parts = [];
  for (const [key, value] of Object.entries(event.data ?? {})) {
    if (key === "person") continue;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object") {
      parts.push(`${words(key)}: ${typeof value === "string" ? words(value) : value}`);
    } else if (Array.isArray(value)) {
      // Offences by description; what another system said (external) as name: value.
      const item = (v) => typeof v !== "object" ? String(v)
                          : v?.description ?? (v?.name ? `${v.name}: ${v.value}` : "");
      const items = value.map(item).filter(Boolean);
      if (items.length) parts.push(`${words(key)}: ${items.join("; ")}`);
    } else if (value.description) {
      parts.push(`${words(key)}: ${value.description}`);
    }
  }
  const text = parts.join(" · ");
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}

function closePerson() {
  const p = state.person;
  if (!p) return;
  p.sub?.close();
  clearTimeout(p.refetchTimer);
  state.person = null;
}

async function openPerson(ref) {
  if (state.person?.ref === ref) return;
  closePerson();
  const p = {
    ref,
    live: null,        // the last live answer (view, alerts, timeline)
    replay: null,      // the answer being shown when replaying
    reason: null,      // X-Reason, asked once per person page
    fresh: new Set(),  // sequences that arrived while the page was open
    sub: null,
  };
  state.person = p;
  const page = $("#person-page");
  page.dataset.person = "";
  page.dataset.loaded = "false";
  delete page.dataset.asOf;
  $("#person-title").textContent = ref;
  clear($("#identifiers"));
  $("#stage").textContent = "";
  $("#custody").textContent = "";
  $("#replay-banner").hidden = true;
  $("#person-news").hidden = true;
  for (const id of ["counts", "partnership", "status", "person-alerts", "episodes"]) {
    clear($(`#${id} .panel-body`)).append(el("p", {class: "muted"}, "Loading…"));
  }
  clear($("#chart"));
  clear($("#events tbody"));
  resetAsOf();
  let answer;
  try {
    answer = await api(`/v1/persons/${encodeURIComponent(ref)}/timeline`);
  } catch (e) {
    if (state.person !== p) return;
    for (const id of ["counts", "partnership", "status", "person-alerts", "episodes"]) {
      clear($(`#${id} .panel-body`));
    }
    clear($("#counts .panel-body")).append(refusal(e));
    page.dataset.loaded = "error";
    if (e.status !== 401) showError(e.message);
    return;
  }
  if (state.person !== p) return;
  p.live = answer;
  renderPerson(answer, {replaying: false});
  setUpAsOf(answer);
  page.dataset.person = answer.view.person;
  page.dataset.loaded = "true";
  // Live updates for this person, from just after what was read: nothing falls between.
  const live = $("#person-live");
  live.dataset.what = "Live updates";
  p.sub = new Subscription({persons: `id:${answer.view.person}`}, {
    from: answer.log_position + 1,
    onState: (s, detail, delay) => showLive(live, s, detail, delay),
    onMessage: (message) => {
      if (message.type !== "change" || state.person !== p) return;
      p.fresh.add(message.sequence);
      announce(p, message);
      clearTimeout(p.refetchTimer);
      p.refetchTimer = setTimeout(() => refetchPerson(p, message.sequence), 200);
    },
  });
}

function announce(p, message) {
  const news = $("#person-news");
  const what = `${message.event?.type ?? "An event"} (${formatTime(message.event?.time)})`;
  news.textContent = p.replay ? `New: ${what} has just arrived. Go back to now to see it.` :
                                `New: ${what} has just arrived.`;
  news.hidden = false;
}

async function refetchPerson(p, sequence) {
  try {
    const answer =
        await api(`/v1/persons/${encodeURIComponent(p.ref)}/timeline?min_seq=${sequence}`);
    if (state.person !== p) return;
    p.live = answer;
    if (!p.replay) {
      renderPerson(answer, {replaying: false});
      updateAsOfRange(answer);
    }
  } catch (e) {
    if (state.person === p && e.status !== 401) showError(e.message);
  }
}

function renderPerson(answer, {replaying}) {
  const p = state.person;
  const view = answer.view;
  rememberPerson(view);
  $("#person-title").textContent = `Person ${view.person}`;
  const ids = clear($("#identifiers"));
  for (const id of view.identifiers ?? []) {
    ids.append(
        el("li", {dataset: {kind: id.kind}}, el("span", {class: "kind"}, id.kind.toUpperCase()),
           " ", id.value));
  }
  const stage = $("#stage");
  stage.className = `stage ${view.stage}`;
  stage.dataset.stage = view.stage;
  stage.textContent = words(view.stage);
  const custody = $("#custody");
  if (view.custody) {
    const c = view.custody;
    custody.textContent =
        `In ${prisonName(c.prison)} (${words(c.basis)}) since ${formatDate(c.since)}` +
        (c.temporarily_absent ? "; temporarily absent" : "") +
        (c.unlawfully_at_large ? "; unlawfully at large" : "");
  } else {
    custody.textContent = "Not in custody";
  }
  renderCounts(view);
  renderPartnership(view);
  renderStatus(view, answer.timeline ?? []);
  renderPersonAlerts(answer.alerts ?? []);
  renderEpisodes(view);
  renderChart(answer, {replaying, fresh: p.fresh});
  renderEvents(answer.timeline ?? [], p.fresh);
}

const COUNTS = [
  ["arrests", "Arrests"],
  ["charges", "Charges"],
  ["remands", "Remands"],
  ["court_cases", "Court cases"],
  ["cautions", "Cautions"],
  ["out_of_court_disposals", "Out-of-court disposals"],
  ["convictions", "Convictions"],
  ["custodial_sentences", "Custodial sentences"],
  ["recalls", "Recalls"],
  ["licence_breaches", "Licence breaches"],
  ["offences_on_bail", "Offences on bail"],
  ["offences_on_licence_or_suspended", "Offences on licence or suspended"],
];

function renderCounts(view) {
  const panel = $("#counts");
  const body = clear($(".panel-body", panel));
  if (!view.counts) {
    panel.dataset.redacted = "true";
    body.append(el("p", {class: "not-shown"}, NOT_SHOWN));
    return;
  }
  delete panel.dataset.redacted;
  const list = el("dl", {class: "counts"});
  for (const [key, label] of COUNTS) {
    const value = view.counts[key] ?? 0;
    list.append(
        el("div", {class: `count${value ? "" : " zero"}`, dataset: {count: key, value}},
           el("dt", {}, label), el("dd", {class: "value"}, String(value))));
  }
  const rate = view.charge_to_conviction_rate;
  list.append(
      el("div", {
        class: "count rate",
        dataset: {count: "charge_to_conviction_rate", value: rate ?? ""},
        title: "Convictions divided by charges",
      },
         el("dt", {}, "Charge to conviction"),
         el("dd", {class: "value"},
            rate === null || rate === undefined ? "–" : `${Math.round(rate * 1000) / 10}%`)));
  body.append(list);
}

function facts(rows) {
  const list = el("dl", {class: "facts"});
  for (const [label, value, attrs] of rows) {
    if (value === undefined) continue;
    list.append(el(
        "div", attrs ?? {}, el("dt", {}, label),
        el("dd", {}, value === NOT_SHOWN ? el("span", {class: "not-shown"}, NOT_SHOWN) : value)));
  }
  return list;
}

function describeMappa(m) {
  if (!m) return "Not registered";
  return `Category ${m.category}, level ${m.level}; ${m.area}; since ${formatDate(m.since)}`;
}

function describeIom(i) {
  if (!i) return "Not in the IOM cohort";
  return `${capitalise(i.cohort)} cohort since ${formatDate(i.since)}: ${i.selection_reason}`;
}

function describeRisk(r) {
  if (!r) return "No assessment";
  const parts = [];
  if (r.ogrs_2yr !== undefined) parts.push(`OGRS ${r.ogrs_2yr}% (${words(r.ogrs_band ?? "")})`);
  if (r.rosh) parts.push(`RoSH ${words(r.rosh)}`);
  parts.push(`assessed ${formatDate(r.assessed)}`);
  return parts.join("; ");
}

function describeOcg(flags) {
  if (flags.ocg_linked === undefined) return NOT_SHOWN;
  if (!flags.ocg_linked) return "No";
  return flags.ocg_refs?.length ? `Linked: ${flags.ocg_refs.join(", ")}` : "Linked";
}

function describeNationality(flags) {
  if (!flags.foreign_national) return "No";
  if (flags.deportation_order) return "Foreign national; deportation order made";
  return "Foreign national; no deportation decision";
}

function renderPartnership(view) {
  const body = clear($("#partnership .panel-body"));
  // Without the offences class there are no counts, and MAPPA, IOM and risk are withheld too:
  // their absence then says nothing about the person.
  const offences = view.counts !== undefined;
  const flags = view.flags ?? {};
  let tag = NOT_SHOWN;
  if (offences) {
    tag = flags.electronic_monitoring ?
        `${capitalise(words(flags.electronic_monitoring))} tag fitted` :
        "No tag";
  }
  const safeguarding =
      flags.safeguarding?.length ? flags.safeguarding.map(words).join(", ") : "None shown";
  body.append(facts([
    ["MAPPA", offences ? describeMappa(view.mappa) : NOT_SHOWN, {dataset: {fact: "mappa"}}],
    ["IOM", offences ? describeIom(view.iom) : NOT_SHOWN, {dataset: {fact: "iom"}}],
    ["Risk", offences ? describeRisk(view.risk) : NOT_SHOWN, {dataset: {fact: "risk"}}],
    ["OCG", describeOcg(flags), {dataset: {fact: "ocg"}}],
    ["Foreign national", describeNationality(flags), {dataset: {fact: "foreign_national"}}],
    ["Safeguarding", safeguarding, {dataset: {fact: "safeguarding"}}],
    ["Electronic monitoring", tag, {dataset: {fact: "electronic_monitoring"}}],
  ]));
}

function interventionList(interventions) {
  const list = el("ul", {class: "interventions"});
  for (const i of interventions) {
    const provider = i.provider ? ` (${i.provider})` : "";
    const since = `${i.started ? "started" : "referred"} ${formatDate(i.since)}`;
    list.append(
        el("li", {dataset: {kind: i.kind}}, `${capitalise(words(i.kind))}${provider}: ${since}`));
  }
  return list;
}

// What the events shown cover (the view's own first and last event may be hidden ones).
function describeRecord(timeline) {
  const times = timeline.map((e) => parseTime(e.event.time)).filter(Number.isFinite);
  if (!times.length) return "No events shown";
  const first = formatDate(Math.min(...times));
  const last = formatDate(Math.max(...times));
  return `${timeline.length} events shown, ${first} to ${last}`;
}

function describeSentence(s) {
  const parts = [capitalise(words(s.kind)) + (s.length ? `, ${formatPeriod(s.length)}` : "")];
  parts.push(`imposed ${formatDate(s.imposed)}`);
  if (s.expected_release_date) {
    parts.push(`expected release ${formatDate(s.expected_release_date)}`);
  }
  if (s.licence_end_date) parts.push(`licence ends ${formatDate(s.licence_end_date)}`);
  return parts.join("; ");
}

function describeLicence(l) {
  let text = `${capitalise(words(l.kind))} licence, ${l.area}, since ${formatDate(l.since)}`;
  text += `, ends ${formatDate(l.end_date)}`;
  if (l.recalled) text += `; recalled${l.recall_kind ? ` (${words(l.recall_kind)})` : ""}`;
  return text;
}

function describeRelease(e) {
  if (!e.released) return "still in custody";
  const reason = e.release_reason ? ` (${words(e.release_reason)})` : "";
  return `${formatDate(e.released)}${reason}`;
}

function renderStatus(view, timeline) {
  const body = clear($("#status .panel-body"));
  const offences = view.counts !== undefined;
  const rows = [];
  if (view.sentence) {
    rows.push(["Latest sentence", describeSentence(view.sentence)]);
  } else if (!offences) {
    rows.push(["Sentence", NOT_SHOWN]);
  }
  if (view.licence) {
    const l = view.licence;
    const text = describeLicence(l);
    rows.push(["Licence", text, {dataset: {fact: "licence"}}]);
    if (l.conditions?.length) {
      rows.push([
        "Conditions",
        el("details", {class: "conditions"}, el("summary", {}, `${l.conditions.length} conditions`),
           el("ul", {}, l.conditions.map((c) => el("li", {}, c))))
      ]);
    }
  }
  if (view.supervision) {
    const s = view.supervision;
    rows.push([
      "Supervision",
      `${capitalise(words(s.kind))}, ${s.area}, since ${formatDate(s.since)}` +
          (s.end_date ? `, ends ${formatDate(s.end_date)}` : "")
    ]);
  }
  if (view.bail) {
    const b = view.bail;
    rows.push([
      "Bail",
      `Since ${formatDate(b.since)}${b.granted_by ? ` (${words(b.granted_by)})` : ""}` +
          (b.until ? `, to answer ${formatDate(b.until)}` : "")
    ]);
  }
  if (view.suspended_until) {
    rows.push(["Suspended sentence", `Until ${formatDate(view.suspended_until)}`]);
  }
  if (view.open_charges?.length) rows.push(["Open charges", String(view.open_charges.length)]);
  if (view.awaiting_sentence?.length) {
    rows.push(["Awaiting sentence", view.awaiting_sentence.join(", ")]);
  }
  const interventions = view.interventions ?? [];
  rows.push([
    "Open interventions", interventions.length ? interventionList(interventions) : "None shown"
  ]);
  rows.push(["Record", describeRecord(timeline)]);
  body.append(facts(rows));
}

function renderPersonAlerts(alerts) {
  const body = clear($("#person-alerts .panel-body"));
  if (!alerts.length) {
    body.append(el("p", {class: "muted"}, "No alerts shown."));
    return;
  }
  const list = el("ol", {class: "feed compact"});
  for (const a of [...alerts].reverse()) {
    list.append(
        el("li", {class: `alert rule-${a.rule}`, dataset: {alertId: a.id, rule: a.rule}},
           el("div", {class: "alert-head"},
              el("span", {class: "rule"}, RULES[a.rule] ?? words(a.rule)),
              el("time", {datetime: a.event_time}, formatDate(a.event_time))),
           el("p", {class: "alert-message"}, a.message),
           el("div", {class: "alert-foot"}, el("span", {class: "agency"}, a.agency))));
  }
  body.append(list);
}

function renderEpisodes(view) {
  const body = clear($("#episodes .panel-body"));
  const episodes = view.custody_episodes ?? [];
  if (!episodes.length) {
    body.append(el("p", {class: "muted"}, "No time in custody."));
    return;
  }
  const table =
      el("table", {class: "episodes"},
         el("thead", {},
            el("tr", {}, el("th", {scope: "col"}, "Received"), el("th", {scope: "col"}, "Released"),
               el("th", {scope: "col"}, "Basis"), el("th", {scope: "col"}, "Prisons"))));
  const rows = el("tbody");
  for (const e of [...episodes].reverse()) {
    rows.append(
        el("tr", {}, el("td", {}, formatDate(e.received)), el("td", {}, describeRelease(e)),
           el("td", {}, words(e.basis)), el("td", {}, (e.prisons ?? []).join(" → "))));
  }
  table.append(rows);
  body.append(table);
}

// The axis of the chart: whole years around everything the live answer holds, kept while
// replaying so that the picture does not jump.
function chartRange(answer) {
  const times = [];
  const view = answer.view;
  for (const entry of answer.timeline ?? []) times.push(parseTime(entry.event.time));
  // The view's first and last event may be ones this role is not shown: only when nothing is.
  if (!times.length) {
    for (const t of [view.first_event, view.last_event])
      if (t) times.push(parseTime(t));
  }
  for (const e of view.custody_episodes ?? []) {
    times.push(parseTime(e.received));
    if (e.released) times.push(parseTime(e.released));
  }
  const finite = times.filter(Number.isFinite);
  if (!finite.length) finite.push(Date.now());
  const first = new Date(Math.min(...finite)).getUTCFullYear();
  const last = new Date(Math.max(...finite)).getUTCFullYear();
  return {start: Date.UTC(first, 0, 1), end: Date.UTC(last + 1, 0, 1), first, last};
}

function renderChart(answer, {replaying, fresh}) {
  const p = state.person;
  const range = chartRange(p.live ?? answer);
  // Drawn at the size it is shown, so that its text is the page's size.
  const width = Math.max(640, Math.floor($("#chart").clientWidth || 1000));
  const left = 112;
  const right = 14;
  const top = 26;
  const laneHeight = 46;
  const height = top + LANES.length * laneHeight + 8;
  const x = (t) => left + ((t - range.start) / (range.end - range.start)) * (width - left - right);
  const timeline = answer.timeline ?? [];
  const view = answer.view;

  const chart = svg("svg", {
    id: "timeline-chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Timeline of ${timeline.length} events from ${range.first} to ${range.last}, ` +
        `in six lanes; the events table below lists them.`,
    dataset: {events: timeline.length},
  });

  // Before and after the first conviction.
  const convictions = timeline.filter((e) => e.event.type === "conviction.recorded" && !e.retracted)
                          .map((e) => parseTime(e.event.time));
  const firstConviction = convictions.length ? Math.min(...convictions) : null;
  const split = firstConviction === null ? x(range.end) : x(firstConviction);
  const shading = svg("g", {class: "shading"});
  // Without the offences class the convictions are not shown, so neither is the split.
  const convictionsShown = view.counts !== undefined;
  if (convictionsShown) {
    shading.append(svg("rect", {
      class: "pre-conviction",
      x: left,
      y: top,
      width: split - left,
      height: LANES.length * laneHeight
    }));
  } else {
    shading.append(
        svg("text", {class: "shade-label", x: left + 4, y: top - 8},
            "Convictions: not shown to your role"));
  }
  if (convictionsShown && firstConviction !== null) {
    shading.append(
        svg("rect", {
          class: "post-conviction",
          x: split,
          y: top,
          width: x(range.end) - split,
          height: LANES.length * laneHeight
        },
            svg("title", {}, `After the first conviction (${formatDate(firstConviction)})`)),
        svg("line", {
          class: "conviction-line",
          x1: split,
          x2: split,
          y1: top - 4,
          y2: top + LANES.length * laneHeight
        }),
        // After the line, or before it when the line is near the end.
        x(range.end) - split > 110 ?
            svg("text", {class: "shade-label", x: split + 4, y: top - 8}, "after conviction") :
            svg("text", {class: "shade-label", x: split - 4, y: top - 8, "text-anchor": "end"},
                "after conviction →"));
  }
  // The label of the time before, where there is room for it before the line.
  if (convictionsShown && (firstConviction === null || split - left > 120)) {
    shading.append(
        svg("text", {class: "shade-label", x: left + 4, y: top - 8},
            firstConviction === null ? "no conviction" : "before conviction"));
  }
  chart.append(shading);

  // Years.
  const years = svg("g", {class: "years"});
  const span = range.last - range.first + 1;
  const every = span > 24 ? 5 : span > 12 ? 2 : 1;
  for (let year = range.first; year <= range.last + 1; ++year) {
    const at = x(Date.UTC(year, 0, 1));
    years.append(svg("line", {x1: at, x2: at, y1: top, y2: top + LANES.length * laneHeight}));
    if (year <= range.last && (year - range.first) % every === 0) {
      const mid = x(Date.UTC(year, 6, 1));
      years.append(svg(
          "text", {x: mid, y: height - 0, "text-anchor": "middle", class: "year"}, String(year)));
    }
  }

  // Lanes.
  const lanes = {};
  LANES.forEach((name, i) => {
    const y = top + i * laneHeight;
    const g = svg(
        "g", {class: `lane lane-${name}`, dataset: {lane: name}},
        svg("rect", {class: `lane-bg${i % 2 ? " odd" : ""}`, x: 0, y, width, height: laneHeight}),
        svg("text", {class: "lane-label", x: 8, y: y + laneHeight / 2 + 4}, LANE_TITLES[name]));
    lanes[name] = {g, y};
    chart.append(g);
  });
  chart.append(years);

  // Custody episodes, as bars behind the custody marks.
  const custody = lanes.custody;
  const bars = svg("g", {class: "custody-bars"});
  (view.custody_episodes ?? []).forEach((e, i) => {
    const from = parseTime(e.received);
    const open = !e.released;
    // Still inside: to the as-of date of a replay, else to now (or the end of the axis).
    const until = replaying && answer.as_of ? parseTime(answer.as_of) : Date.now();
    const to = open ? Math.min(until, range.end) : parseTime(e.released);
    const x0 = x(from);
    const w = Math.max(2, x(to) - x0);
    bars.append(
        svg("rect", {
          class: `custody-bar${open ? " open" : ""}`,
          x: x0,
          y: custody.y + 5,
          width: w,
          height: laneHeight - 10,
          rx: 2,
          dataset: {episode: i, basis: e.basis},
        },
            svg("title", {},
                `${(e.prisons ?? []).map(prisonName).join(" → ")}: ${words(e.basis)}, ` +
                    `${formatDate(e.received)} to ${open ? "now" : formatDate(e.released)}` +
                    (e.release_reason ? ` (${words(e.release_reason)})` : ""))));
  });
  custody.g.append(bars);

  // One mark per event.
  for (const entry of timeline) {
    const event = entry.event;
    const lane = laneOf(event.type, event.data);
    const t = parseTime(event.time);
    if (!Number.isFinite(t)) continue;
    const cx = x(t);
    const cy = lanes[lane].y + 8 + rowOf(event.type) * 10;
    const isNew = fresh.has(entry.sequence);
    const classes = ["mark", `type-${event.type.replaceAll(".", "-")}`];
    // Shown, not folded: kept as another system published it.
    if (event.type === "external") classes.push("external");
    if (entry.retracted) classes.push("retracted");
    if (isNew) classes.push("new");
    if (event.type === "conviction.recorded" || event.type === "sentence.imposed") {
      classes.push("key");
    }
    const title =
        `${formatTime(event.time)}: ${event.type}${entry.retracted ? " (retracted)" : ""}` +
        `${isNew ? " (new)" : ""}\n${describeEvent(event)}\nfrom ${event.source}, log #${
            entry.sequence}`;
    const group = lanes[lane].g;
    if (isNew) {
      group.append(svg("circle", {class: "new-ring", cx, cy, r: 9}));
    }
    group.append(
        svg("circle", {
          class: classes.join(" "),
          cx,
          cy,
          r: classes.includes("key") ? 4.5 : 3.5,
          dataset:
              {sequence: entry.sequence, type: event.type, lane, new: isNew ? "true" : undefined},
        },
            svg("title", {}, title)));
  }

  if (replaying && answer.as_of) {
    const at = x(parseTime(answer.as_of));
    chart.append(svg("rect", {
      class: "after-as-of",
      x: at,
      y: top,
      width: Math.max(0, x(range.end) - at),
      height: LANES.length * laneHeight
    }));
    chart.append(
        svg("line", {
          class: "as-of-line",
          x1: at,
          x2: at,
          y1: top - 6,
          y2: top + LANES.length * laneHeight
        }),
        svg("text", {class: "as-of-label", x: at + 4, y: top + LANES.length * laneHeight - 4},
            `as of ${formatDate(parseTime(answer.as_of))}`));
  }
  clear($("#chart")).append(chart);
}

function renderEvents(timeline, fresh) {
  const body = clear($("#events tbody"));
  const rows = [...timeline].reverse().slice(0, 2000);
  for (const entry of rows) {
    const e = entry.event;
    const isNew = fresh.has(entry.sequence);
    body.append(el(
        "tr", {
          class: `${entry.retracted ? "retracted" : ""}${isNew ? " new" : ""}`.trim() || undefined,
          dataset: {sequence: entry.sequence, lane: laneOf(e.type, e.data)},
        },
        el("td", {}, el("time", {datetime: e.time}, formatTime(e.time))),
        el("td", {},
           el("span", {class: `lane-dot lane-${laneOf(e.type, e.data)}`, "aria-hidden": "true"}),
           e.type === "external" ? `${e.type}: ${e.data?.event_type ?? ""}` : e.type,
           entry.retracted ? el("span", {class: "badge retracted"}, "retracted") : null,
           isNew ? el("span", {class: "badge new"}, "new") : null),
        el("td", {class: "source"}, e.source), el("td", {}, describeEvent(e)),
        el("td", {class: "num"}, `#${entry.sequence}`)));
  }
  $("#events summary h2").textContent = `Events (${timeline.length})`;
}

// ---- Replay: the as-of slider -------------------------------------------------------------

function resetAsOf() {
  const slider = $("#as-of-slider");
  slider.disabled = true;
  slider.min = "0";
  slider.max = "0";
  slider.value = "0";
  $("#as-of-date").textContent = "";
  $("#as-of-now").hidden = true;
  const status = $("#as-of-status");
  status.textContent = "";
  status.classList.remove("refusal");
}

function asOfDays(answer) {
  const range = {
    first: parseTime(answer.view.first_event),
    last: parseTime(answer.view.last_event)
  };
  for (const entry of answer.timeline ?? []) {
    const t = parseTime(entry.event.time);
    if (Number.isFinite(t)) {
      range.first = Number.isFinite(range.first) ? Math.min(range.first, t) : t;
      range.last = Number.isFinite(range.last) ? Math.max(range.last, t) : t;
    }
  }
  const first = Math.floor(range.first / DAY_MS) * DAY_MS;
  const last = Math.floor(range.last / DAY_MS) * DAY_MS;
  return {first, days: Math.max(0, Math.round((last - first) / DAY_MS))};
}

function setUpAsOf(answer) {
  const p = state.person;
  const slider = $("#as-of-slider");
  const {first, days} = asOfDays(answer);
  p.asOfFirst = first;
  slider.min = "0";
  slider.max = String(days);
  slider.value = String(days);
  slider.setAttribute("aria-valuetext", "now");
  $("#as-of-date").textContent = "now";
  const refused = sessionStorage.getItem(REPLAY_REFUSED_KEY);
  if (refused) {
    slider.disabled = true;
    showAsOfStatus(refused, true);
  } else {
    slider.disabled = days === 0;
  }
}

function updateAsOfRange(answer) {
  const p = state.person;
  const slider = $("#as-of-slider");
  const atEnd = slider.value === slider.max;
  const {first, days} = asOfDays(answer);
  p.asOfFirst = first;
  slider.max = String(days);
  if (atEnd) slider.value = String(days);
}

function sliderDate() {
  const slider = $("#as-of-slider");
  return isoDate(state.person.asOfFirst + Number(slider.value) * DAY_MS);
}

function showAsOfStatus(text, isRefusal) {
  const status = $("#as-of-status");
  status.textContent = text;
  status.classList.toggle("refusal", Boolean(isRefusal));
}

// Asks for the reason a replay is needed, once per person page. Resolves to null if cancelled.
function askReason() {
  const dialog = $("#reason-dialog");
  const input = $("#reason-input");
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" && input.value.trim() ? input.value.trim() : null);
    }, {once: true});
    dialog.returnValue = "";
    dialog.showModal();
    input.focus();
  });
}

// Headers carry Latin-1 at most, and the audit log wants UTF-8: send the reason as ASCII.
function asciiReason(text) {
  return text.normalize("NFKD")
      .replace(/[\u2018\u2019]/g, "'")
      .replace(/[\u201c\u201d]/g, "\"")
      .replace(/[\u2013\u2014]/g, "-")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\x20-\x7e]/g, "?")
      .slice(0, 500);
}

async function replayAt(date) {
  const p = state.person;
  if (!p?.live) return;
  const slider = $("#as-of-slider");
  if (slider.value === slider.max) {
    backToNow();
    return;
  }
  if (!p.reason) {
    const reason = await askReason();
    if (state.person !== p) return;
    if (!reason) {
      slider.value = slider.max;
      $("#as-of-date").textContent = "now";
      showAsOfStatus("Replay cancelled: a replay needs a reason.", false);
      return;
    }
    p.reason = asciiReason(reason);
  }
  showAsOfStatus(`Replaying as of ${formatDate(date)}…`, false);
  p.replayAsked = date;
  try {
    const answer = await api(
        `/v1/persons/${encodeURIComponent(p.ref)}/timeline?as_of=${encodeURIComponent(date)}`,
        {"X-Reason": p.reason});
    if (state.person !== p || p.replayAsked !== date) return;
    p.replay = answer;
    renderPerson(answer, {replaying: true});
    $("#person-page").dataset.asOf = date;
    const banner = $("#replay-banner");
    banner.textContent =
        `As it stood on ${formatDate(parseTime(date))}, as the log knows it now. ` +
        `This replay is audited, with your reason: "${p.reason}".`;
    banner.hidden = false;
    $("#as-of-now").hidden = false;
    showAsOfStatus(`${answer.timeline?.length ?? 0} events by then.`, false);
  } catch (e) {
    if (state.person !== p) return;
    if (e.status === 403) {
      // This role may not replay: say so, and stop offering it.
      sessionStorage.setItem(REPLAY_REFUSED_KEY, e.message);
      slider.disabled = true;
      slider.value = slider.max;
      $("#as-of-date").textContent = "now";
      showAsOfStatus(e.message, true);
    } else if (e.status !== 401) {
      if (e.path === "X-Reason") p.reason = null;
      showAsOfStatus(e.message, true);
    }
  }
}

function backToNow() {
  const p = state.person;
  if (!p?.live) return;
  p.replay = null;
  p.replayAsked = null;
  delete $("#person-page").dataset.asOf;
  const slider = $("#as-of-slider");
  slider.value = slider.max;
  $("#as-of-date").textContent = "now";
  $("#as-of-now").hidden = true;
  $("#replay-banner").hidden = true;
  showAsOfStatus("", false);
  renderPerson(p.live, {replaying: false});
}

// ---- Wiring -------------------------------------------------------------------------------

function startSession() {
  $("#login").hidden = true;
  $("#shell").hidden = false;
  $("#nav").hidden = false;
  $("#session").hidden = false;
  $("#token-id").textContent = `token ${state.token.split(".")[0]}`;
  startAlertFeed();
  route();
}

function wire() {
  $("#login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("#token-input").value.trim();
    if (!token) return;
    setToken(token);
    startSession();
  });
  $("#sign-out").addEventListener("click", () => signOut("Signed out."));
  $("#error .dismiss").addEventListener("click", clearError);

  $("#search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("#search-input").value;
    const ref = personRef(text);
    if (!ref) {
      showError(
          `"${text.trim()}" is not a PNC (2012/0123456Y), prison number (A1234BC), ` +
          "CRN (X123456), CRO (123456/11M) or id:N.");
      return;
    }
    clearError();
    location.hash = personHref(ref);
  });

  const form = $("#cohort-form");
  form.addEventListener("change", (e) => {
    if (e.target.name === "kind") showCohortParams(e.target.value);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const kind = form.elements.kind.value;
    const params = new URLSearchParams({kind});
    if (kind === "prison") {
      params.set("code", $("#cohort-prison").value.trim().toUpperCase() || "CFI");
    }
    if (kind === "mappa" && $("#cohort-level").value) params.set("level", $("#cohort-level").value);
    if (kind === "releases") {
      params.set("within_days", $("#cohort-within").value || "28");
      if ($("#cohort-from").value) params.set("from", $("#cohort-from").value);
    }
    if (kind === "licence" && $("#cohort-area").value.trim()) {
      params.set("area", $("#cohort-area").value.trim());
    }
    const hash = `#/cohorts?${params}`;
    if (location.hash === hash) {
      route();
    } else {
      location.hash = hash;
    }
  });
  $("#cohort-more").addEventListener("click", () => {
    const cohort = state.cohort;
    if (cohort?.next) loadCohortPage(cohort, $("#cohort-table tbody"), cohort.next);
  });
  $("#alert-filter").addEventListener("submit", (e) => {
    e.preventDefault();
    startAlertFeed();
  });

  const slider = $("#as-of-slider");
  const replaySoon = debounce(() => replayAt(sliderDate()), 250);
  slider.addEventListener("input", () => {
    const atEnd = slider.value === slider.max;
    const text = atEnd ? "now" : formatDate(parseTime(sliderDate()));
    $("#as-of-date").textContent = text;
    slider.setAttribute("aria-valuetext", text);
  });
  slider.addEventListener("change", replaySoon);
  $("#as-of-now").addEventListener("click", backToNow);

  // The chart is drawn to the width it has.
  let lastWidth = 0;
  window.addEventListener("resize", debounce(() => {
                            const p = state.person;
                            const width = $("#chart").clientWidth;
                            if (!p?.live || width === lastWidth) return;
                            lastWidth = width;
                            const shown = p.replay ?? p.live;
                            renderChart(shown, {replaying: Boolean(p.replay), fresh: p.fresh});
                          }, 150));
  window.addEventListener("hashchange", () => {
    if (location.hash.startsWith("#token=")) {
      // A link with another token: start again as that token.
      state.alertSub?.close();
      state.alertSub = null;
      closePerson();
      takeTokenFromFragment();
      if (state.token) startSession();
      return;
    }
    route();
  });
}

function main() {
  wire();
  takeTokenFromFragment();
  state.token = sessionStorage.getItem(TOKEN_KEY);
  if (state.token) {
    startSession();
  } else {
    showLogin();
  }
}

main();
