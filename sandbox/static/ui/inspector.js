// Keeps the server-rendered inspector current by polling the sandbox control plane.
// Everything shown comes from JSON and is inserted as text, never as HTML.
(function () {
  "use strict";
  const POLL_MS = 2000;
  const THUMB_STATUSES = new Set(["completed", "partially_completed"]);
  const thumbs = new Map(); // "surface/id" -> [url] (null while loading)
  const $ = (id) => document.getElementById(id);

  function token() {
    const field = $("admin-token");
    if (field && field.value) sessionStorage.setItem("darkroom-admin-token", field.value);
    return sessionStorage.getItem("darkroom-admin-token") || "";
  }

  async function call(method, path, body) {
    const headers = {"X-Darkroom-Inspector": "1"}; // lets the sandbox tell its own polling apart
    if (token()) headers["Authorization"] = "Bearer " + token();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    const type = response.headers.get("content-type") || "";
    return {status: response.status, data: type.includes("json") ? await response.json() : null};
  }

  function say(text) { $("message").textContent = text; }

  function errorText(answer) {
    const error = answer.data && answer.data.error;
    return error ? error.message : "HTTP " + answer.status;
  }

  function cell(row, value, className) {
    const td = row.insertCell();
    td.textContent = value === null || value === undefined ? "" : String(value);
    if (className) td.className = className;
    return td;
  }

  function fill(tbodyId, items, render) {
    const tbody = $(tbodyId);
    tbody.replaceChildren();
    for (const item of items) render(tbody.insertRow(), item);
  }

  function showThumbs(td, urls) {
    td.className = "thumbs";
    for (const url of (urls || []).slice(0, 4)) {
      const link = document.createElement("a");
      link.href = url;
      const img = document.createElement("img");
      img.src = url; img.alt = "result"; img.loading = "lazy";
      link.appendChild(img);
      td.appendChild(link);
    }
  }

  async function loadThumbs(job) {
    const key = job.surface + "/" + job.id;
    thumbs.set(key, null);
    const answer = await call("GET", "/_sandbox/ui/jobs/" + encodeURIComponent(job.surface) + "/" +
      encodeURIComponent(job.id) + "/results.json");
    thumbs.set(key, answer.status === 200 ? answer.data.urls : []);
  }

  function renderJob(row, job) {
    for (const value of [job.created_at, job.surface, job.id, job.account, job.kind]) cell(row, value);
    cell(row, job.status, "status " + job.status);
    cell(row, job.credits);
    const td = row.insertCell();
    const key = job.surface + "/" + job.id;
    const urls = job.results || thumbs.get(key);
    if (urls) showThumbs(td, urls);
    else if (THUMB_STATUSES.has(job.status) && !thumbs.has(key)) loadThumbs(job);
  }

  function renderAccount(row, account) {
    cell(row, account.id);
    cell(row, (account.keys || []).join(", "));
    cell(row, account.mode);
    cell(row, Object.entries(account.balances || {}).map(([k, v]) => k + " " + v).join(", "));
    cell(row, account.enabled ? "yes" : "no");
  }

  function renderEntry(row, entry) {
    for (const value of [entry.at, entry.surface, entry.method, entry.path]) cell(row, value);
    cell(row, entry.status, entry.status >= 400 ? "error" : "");
    cell(row, entry.account);
    cell(row, entry.request_id);
  }

  function renderDelivery(row, delivery) {
    for (const value of [delivery.job, delivery.event, delivery.url, delivery.status]) cell(row, value);
    cell(row, (delivery.attempts || []).length);
    cell(row, delivery.next_attempt_at);
  }

  async function optional(sectionId, tbodyId, listKey, render, keep) {
    // Journal and webhooks: shown when this sandbox's control plane has them.
    const section = $(sectionId);
    const answer = await call("GET", section.dataset.source);
    const note = section.querySelector(".placeholder");
    if (answer.status === 200) {
      note.hidden = true;
      fill(tbodyId, (answer.data[listKey] || []).filter(keep || (() => true)).slice(0, 50), render);
    } else {
      note.hidden = false;
      note.textContent = answer.status === 404 ? "Not available from this sandbox." : errorText(answer);
    }
  }

  async function refresh() {
    if (document.hidden) return;
    try {
      const clock = await call("GET", "/_sandbox/clock");
      if (clock.status !== 200) { say(errorText(clock)); return; }
      $("clock-mode").textContent = clock.data.mode;
      $("clock-now").textContent = clock.data.now;
      const [jobs, accounts] = await Promise.all([call("GET", "/_sandbox/jobs?limit=50"), call("GET", "/_sandbox/accounts")]);
      if (jobs.status === 200) fill("jobs-body", jobs.data.jobs, renderJob);
      if (accounts.status === 200) fill("accounts-body", accounts.data.accounts, renderAccount);
      const vendorCalls = (entry) => entry.surface !== "sandbox-control"; // not this page's own polling
      await Promise.all([optional("journal", "journal-body", "entries", renderEntry, vendorCalls),
                         optional("webhooks", "webhooks-body", "deliveries", renderDelivery)]);
    } catch (error) {
      say("Sandbox unreachable: " + error.message);
    }
  }

  async function clockAction(method, path, body, done) {
    const answer = await call(method, path, body);
    say(answer.status === 200 ? done(answer.data) : errorText(answer));
    await refresh();
  }

  $("advance-clock").addEventListener("click", () => {
    const seconds = Number($("advance-seconds").value || 0);
    clockAction("POST", "/_sandbox/clock/advance", {seconds}, (c) => "Clock advanced to " + c.now);
  });
  $("manual-clock").addEventListener("click", () =>
    clockAction("PUT", "/_sandbox/clock", {mode: "manual"}, (c) => "Manual clock at " + c.now));
  $("real-clock").addEventListener("click", () =>
    clockAction("PUT", "/_sandbox/clock", {mode: "real"}, () => "Real clock"));
  if ($("admin-token")) $("admin-token").addEventListener("change", refresh);

  refresh();
  setInterval(refresh, POLL_MS);
})();
