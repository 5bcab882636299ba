// pactlab rehearsal room: a little JavaScript over server-rendered pages.
// The live table: the server sends "look again" events (SSE); the page then fetches the
// rehearsal's current view and swaps in the server-rendered fragments. The move form is only
// redrawn when the question changes, so that nothing a person is typing is lost.
"use strict";

const NAME_KEY = "pactlab.name";

async function postJSON(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, status: 0, data: { error: "the server cannot be reached; is pactlab serve running?" } };
  }
  let data = {};
  try { data = await response.json(); } catch (err) { data = { error: `unexpected answer (${response.status})` }; }
  return { ok: response.ok, status: response.status, data };
}

function rememberName(value) {
  if (value && value.trim()) localStorage.setItem(NAME_KEY, value.trim());
}
function storedName() { return localStorage.getItem(NAME_KEY) || ""; }

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// -- the start page ---------------------------------------------------------------------------

function initIndex() {
  const form = document.getElementById("start-form");
  if (!form) return;
  const scenarios = JSON.parse(form.dataset.scenarios);
  const scenario = document.getElementById("scenario");
  const seat = document.getElementById("seat");
  const agents = document.getElementById("agents");
  const name = document.getElementById("name");
  name.value = storedName();

  function fillSeats() {
    const s = scenarios[scenario.value] || { parties: [] };
    seat.replaceChildren();
    agents.replaceChildren();
    for (const p of s.parties) {
      const option = document.createElement("option");
      option.value = p.id;
      option.textContent = `${p.name} (${p.id})`;
      seat.append(option);
    }
    const none = document.createElement("option");
    none.value = "";
    none.textContent = "no seat: I approve agents' moves";
    seat.append(none);
    for (const p of s.parties) {
      const label = document.createElement("label");
      label.className = "agent-choice";
      label.dataset.party = p.id;
      label.append(`Agent for ${p.id} `);
      const input = document.createElement("input");
      input.name = `agent_${p.id}`;
      input.setAttribute("list", "strategies");
      input.placeholder = "pareto";
      label.append(input);
      agents.append(label);
    }
    showAgents();
  }
  function showAgents() {
    for (const label of agents.querySelectorAll(".agent-choice")) {
      label.hidden = label.dataset.party === seat.value;
    }
    showUncertain();
  }
  // "A counterpart you cannot see": offered when another party than the seat declares uncertainty.
  function showUncertain() {
    const s = scenarios[scenario.value] || { uncertain: [] };
    const drawable = seat.value ? (s.uncertain || []).filter((p) => p !== seat.value) : [];
    const choice = document.getElementById("uncertain-choice");
    choice.hidden = drawable.length === 0;
    document.getElementById("uncertain-parties").textContent = drawable.join(", ");
    if (choice.hidden) document.getElementById("uncertain").checked = false;
  }
  scenario.addEventListener("change", fillSeats);
  seat.addEventListener("change", showAgents);
  fillSeats();
  initUpload(scenarios, scenario, fillSeats);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("start-error");
    error.textContent = "";
    const chosen = {};
    for (const input of agents.querySelectorAll("input")) {
      const party = input.name.slice("agent_".length);
      if (party !== seat.value && input.value.trim()) chosen[party] = input.value.trim();
    }
    if (seat.value && !name.value.trim()) {
      error.textContent = "Your name, please: it is recorded with your moves and signs them.";
      name.focus();
      return;
    }
    rememberName(name.value);
    const button = document.getElementById("start");
    button.disabled = true;
    const result = await postJSON("/api/rehearsals", {
      scenario: scenario.value,
      seat: seat.value || null,
      policies: document.getElementById("policies").value || null,
      seed: document.getElementById("seed").value,
      agents: chosen,
      mandates: document.getElementById("mandates").value,
      uncertain: document.getElementById("uncertain").checked,
      name: name.value.trim(),
    });
    button.disabled = false;
    if (!result.ok) { error.textContent = result.data.error || "could not start"; return; }
    window.location.assign(result.data.url);
  });
}

// An uploaded scenario file: the server checks it; its problems are listed (as text), a valid one
// joins the select, chosen, ready to start.
function initUpload(scenarios, select, fillSeats) {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const file = document.getElementById("upload-file");
  const error = document.getElementById("upload-error");
  const list = document.getElementById("upload-errors");
  const ok = document.getElementById("upload-ok");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    ok.textContent = "";
    list.replaceChildren();
    const chosen = file.files[0];
    if (!chosen) { error.textContent = "choose a scenario file first"; return; }
    let response;
    try {
      response = await fetch("/api/scenarios", {
        method: "POST",
        headers: { "Content-Type": "application/yaml", "X-Filename": encodeURIComponent(chosen.name) },
        body: chosen,
      });
    } catch (err) {
      error.textContent = "the server cannot be reached; is pactlab serve running?";
      return;
    }
    let data = {};
    try { data = await response.json(); } catch (err) { data = { error: `unexpected answer (${response.status})` }; }
    if (!response.ok) {
      error.textContent = data.error || "not uploaded";
      for (const problem of data.errors || []) {
        const li = document.createElement("li");
        const code = document.createElement("code");
        code.textContent = problem;
        li.append(code);
        list.append(li);
      }
      return;
    }
    const entry = data.scenario;
    scenarios[data.id] = { title: entry.title, parties: entry.parties, policy_set: entry.policy_set };
    let group = select.querySelector("optgroup[data-origin=upload]");
    if (!group) {
      group = document.createElement("optgroup");
      group.label = "Uploaded here";
      group.dataset.origin = "upload";
      select.insertBefore(group, select.querySelector("optgroup[data-origin=shipped]"));
    }
    let option = Array.from(select.options).find((o) => o.value === data.id);
    if (!option) {
      option = document.createElement("option");
      option.value = data.id;
      option.textContent = entry.title;
      group.append(option);
    }
    select.value = data.id;
    fillSeats();
    ok.textContent = `Uploaded: ${entry.title} (${entry.parties.length} parties, ${entry.issues.length} issues). Choose your seat and start.`;
  });
}

// -- the rehearsal page -----------------------------------------------------------------------

function collectMove(form) {
  const kind = (form.querySelector("input[name=kind]:checked") || {}).value || "propose";
  const body = {
    kind,
    turn: Number(form.dataset.turn),
    attempt: Number(form.dataset.attempt),
    message: form.querySelector("#message").value,
    by: form.querySelector("#by").value,
  };
  if (kind === "propose") {
    body.terms = {};
    for (const field of form.querySelectorAll("[data-issue]")) body.terms[field.dataset.issue] = field.value;
    body.rationale = form.querySelector("#rationale").value;
  } else if (kind === "reject" || kind === "walk_away") {
    body.reason = form.querySelector("#reason").value;
  }
  return body;
}

function showProblems(form, problems) {
  for (const span of form.querySelectorAll(".field-error")) span.textContent = "";
  for (const [field, problem] of Object.entries(problems || {})) {
    const span = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (span) span.textContent = problem;
  }
}

// The meter shows a draft's value to the person (0–100) at once; what the policy gate would say about
// it only once the person has changed something (nothing reads as a refusal before they act).
function renderMeter(result, kind, touched) {
  const meter = document.getElementById("meter");
  const fill = document.getElementById("meter-fill");
  const mark = document.getElementById("meter-mark");
  const text = document.getElementById("meter-text");
  const list = document.getElementById("gate-verdicts");
  if (!fill) return;
  list.replaceChildren();
  const add = (cls, message) => {
    const li = document.createElement("li");
    li.className = cls;
    li.textContent = message;
    list.append(li);
  };
  if (result.utility === null || result.utility === undefined) {
    fill.style.width = "0%";
    text.textContent = result.message || "";
  } else {
    const good = result.reservation === null || result.utility >= result.reservation;
    fill.style.width = `${Math.round(result.utility * 100)}%`;
    fill.className = good ? "fill good" : "fill poor";
    if (result.reservation !== null) mark.style.left = `${Math.round(result.reservation * 100)}%`;
    text.textContent = `Value to you ${(result.utility * 100).toFixed(1)} of 100` +
      (result.reservation !== null ? ` (walk-away ${(result.reservation * 100).toFixed(1)}${good ? "" : ": below it"})` : "");
  }
  meter.dataset.kind = kind;  // which draft the meter shows
  if (!touched) {
    meter.dataset.verdict = "untouched";
    return;
  }
  for (const c of result.constraints_broken || []) add("blocked", `this draft breaks your hard limit: ${c}`);
  if (result.blocked) add("blocked", `The policy gate would refuse this draft: ${result.blocked}`);
  for (const w of result.warnings || []) add("warn", `warning: ${w}`);
  if (!result.blocked && !(result.problems && Object.keys(result.problems).length)) {
    add("ok", "The policy gate would let this move pass.");
  }
  meter.dataset.verdict = result.blocked ? "blocked" : (result.problems && Object.keys(result.problems).length ? "invalid" : "pass");
}

function bindQuestion(rid) {
  const form = document.getElementById("move-form");
  if (form) {
    const by = form.querySelector("#by");
    by.value = by.value || storedName();  // the name the seat was taken with, else this browser's
    let touched = false;  // whether the person has changed the draft since the form was drawn
    const check = debounce(async () => {
      const draft = collectMove(form);
      const result = await postJSON(`/api/r/${rid}/check`, draft);
      if (result.ok) {
        renderMeter(result.data, draft.kind, touched);
        if (touched) showProblems(form, result.data.problems);
      }
    }, 150);
    const showKind = () => {
      const kind = (form.querySelector("input[name=kind]:checked") || {}).value;
      form.querySelector("#terms-form").hidden = kind !== "propose";
      form.querySelector(".reason").hidden = !(kind === "reject" || kind === "walk_away");
      check();
    };
    const suggest = form.querySelector("#suggest");
    if (suggest) {
      suggest.addEventListener("click", () => {
        const before = JSON.parse(suggest.dataset.before || "{}");
        const changed = [];
        for (const field of form.querySelectorAll("[data-issue]")) {
          if (!(field.dataset.issue in before) || String(before[field.dataset.issue]) !== String(Number.isNaN(Number(field.value)) || field.tagName === "SELECT" ? field.value : Number(field.value))) {
            changed.push(`${field.dataset.issue} = ${field.value}`);
          }
        }
        form.querySelector("#rationale").value = changed.length
          ? `We propose ${changed.join(", ")}.`
          : "We keep the terms as they stand.";
        touched = true;
        check();
      });
    }
    form.addEventListener("input", () => { touched = true; check(); });
    form.addEventListener("change", () => { touched = true; showKind(); });
    showKind();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = form.querySelector("#form-error");
      error.textContent = "";
      rememberName(by.value);
      const send = form.querySelector("#send");
      send.disabled = true;
      const result = await postJSON(`/api/r/${rid}/move`, collectMove(form));
      if (!result.ok) {
        send.disabled = false;
        error.textContent = result.data.error || "not sent";
        showProblems(form, result.data.problems);
        return;
      }
      error.textContent = "";
      send.textContent = "Sent — waiting for the table…";
      for (const field of form.elements) field.disabled = true;
    });
  }
  const end = document.getElementById("end-form");
  if (end) {
    end.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await postJSON(`/api/r/${rid}/move`, {
        kind: "walk_away",
        reason: "I end the rehearsal here.",
        by: storedName(),
        turn: Number(end.dataset.turn),
        attempt: Number(end.dataset.attempt),
      });
      if (!result.ok) {
        const error = document.getElementById("form-error");
        if (error) error.textContent = result.data.error || "could not end";
      }
    });
  }
  const approval = document.getElementById("approval-form");
  if (approval) {
    const approver = approval.querySelector("#approver");
    approver.value = storedName();
    approval.addEventListener("submit", async (event) => {
      event.preventDefault();
      const decision = event.submitter ? event.submitter.value : "approve";
      rememberName(approver.value);
      const result = await postJSON(`/api/r/${rid}/approval`, {
        decision,
        approver: approver.value,
        note: approval.querySelector("#note").value,
        turn: Number(approval.dataset.turn),
        review: Number(approval.dataset.review),
      });
      const error = approval.querySelector("#form-error");
      if (!result.ok) { error.textContent = result.data.error || "not recorded"; return; }
      for (const field of approval.elements) field.disabled = true;
    });
  }
}

function initRehearsal() {
  const rid = document.body.dataset.rid;
  bindQuestion(rid);
  let inFlight = false;
  let again = false;
  async function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    try {
      const response = await fetch(`/api/r/${rid}`, { cache: "no-store" });
      if (!response.ok) return;
      const data = await response.json();
      for (const name of ["status", "table", "history"]) {
        document.getElementById(name).innerHTML = data.html[name];
      }
      if (data.question_key !== document.body.dataset.questionKey) {
        document.body.dataset.questionKey = data.question_key;
        document.getElementById("question").innerHTML = data.html.question;
        bindQuestion(rid);
      }
      document.body.dataset.version = String(data.version);
    } catch (err) {
      // the server is restarting: the event stream reconnects and asks again
    } finally {
      inFlight = false;
      if (again) { again = false; refresh(); }
    }
  }
  const events = new EventSource(`/r/${rid}/events`);
  events.addEventListener("update", refresh);
  events.addEventListener("open", () => { document.body.dataset.live = "yes"; });
  events.addEventListener("error", () => { document.body.dataset.live = "reconnecting"; });
}

function initForks() {
  const rid = document.body.dataset.rid;
  if (!rid) return;
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.fork");
    if (!button) return;
    button.disabled = true;
    const result = await postJSON(`/api/r/${rid}/fork`, { turn: Number(button.dataset.turn) });
    button.disabled = false;
    if (!result.ok) {
      const error = document.getElementById("fork-error") || document.getElementById("form-error");
      if (error) error.textContent = result.data.error || "could not branch";
      return;
    }
    window.location.assign(result.data.url);
  });
}

// Deleting a rehearsal from the list (after a confirmation); its files are archived on the server.
function initDelete() {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.delete");
    if (!button) return;
    const rid = button.dataset.rid;
    if (!window.confirm(`Delete rehearsal ${rid}? It leaves this list; its audit transcript is kept in the archive folder.`)) return;
    button.disabled = true;
    const result = await postJSON(`/api/r/${encodeURIComponent(rid)}/delete`, {});
    const error = document.getElementById("delete-error");
    if (!result.ok) {
      button.disabled = false;
      if (error) error.textContent = result.data.error || "could not delete";
      return;
    }
    const row = button.closest("tr");
    if (row) row.remove();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  if (page === "index") { initIndex(); initDelete(); }
  if (page === "rehearsal") initRehearsal();
  if (page === "rehearsal" || page === "debrief") initForks();
});
