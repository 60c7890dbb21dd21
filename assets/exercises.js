// @ts-check
// exercises.js makes a lesson page's predict boxes, 연습 문제 and 도전 work.
// Every answer is computed by the stage's engine (connlab.exercise in the
// stage iframe, internal/stage/exercise.go) for the numbers drawn; after a
// verdict the page loads that run on the stage at the step that proves it.
// Solved problems are kept per lesson (progress.js) and shown in 목차.
// It keeps to its own elements (assets/templates/exercises.html) and talks
// to the stage only through its bridge.

import * as progress from "./progress.js";

const dataEl = document.getElementById("lesson-data");
const lesson = dataEl ? JSON.parse(dataEl.textContent || "{}") : null;
const iframe = /** @type {HTMLIFrameElement|null} */ (document.getElementById("stage"));

/** @returns {any} the stage's connlab bridge once it can compute, or null */
function bridge() {
  try {
    const w = /** @type {any} */ (iframe && iframe.contentWindow);
    return w && w.connlabReady && w.connlab && typeof w.connlab.exercise === "function" ? w.connlab : null;
  } catch (e) {
    return null; // another origin: no engine to ask
  }
}

/** @param {object} req */
function ask(req) {
  const b = bridge();
  if (!b) return { error: "무대가 아직 준비되지 않았습니다." };
  return JSON.parse(b.exercise(JSON.stringify(req)));
}

/** @type {Map<string, any>} */
const exercises = new Map();
/** @type {Map<string, any>} */
const challenges = new Map();
if (lesson) {
  for (const e of lesson.exercises || []) exercises.set(e.id, e);
  for (const c of lesson.challenges || []) challenges.set(c.id, c);
}

// seeds: the problem each exercise shows, kept over a reload.
const seedKey = "connlab.seeds";
/** @returns {Object<string, number>} */
function loadSeeds() {
  try {
    const s = JSON.parse(localStorage.getItem(seedKey) || "{}");
    return s && typeof s === "object" ? s : {};
  } catch (e) {
    return {};
  }
}
const seeds = loadSeeds();
function saveSeeds() {
  try {
    localStorage.setItem(seedKey, JSON.stringify(seeds));
  } catch (e) {
    // storage off: problems start from the first again on reload
  }
}

let solved = progress.load();

function showProgress() {
  const el = document.getElementById("exercises-progress");
  if (!el || !lesson) return;
  const total = exercises.size + challenges.size;
  el.textContent = "이 강의에서 푼 문제: " + progress.count(solved, lesson.id) + " / " + total;
}

/** @param {string} id */
function markSolved(id) {
  solved = progress.markSolved(progress.load(), id);
  progress.save(solved);
  showProgress();
}

/** @param {string} id */
function isSolved(id) {
  return lesson && (solved.solved[lesson.id] || []).includes(id);
}

/**
 * show puts a run on the stage at step: lesson.js loads it with the
 * captions of its scenario, bound and filled in that run, and says on the
 * page that an exercise's run is on stage and how to go back.
 * @param {string} scenario
 * @param {Object<string,string>} params
 * @param {number} step
 * @param {string} what "연습 문제" or "도전"
 */
function show(scenario, params, step, what) {
  document.dispatchEvent(new CustomEvent("connlab:show-run", { detail: { scenario: scenario, params: params, step: Math.max(step, 0), what: what } }));
  document.querySelector(".stage-column")?.scrollIntoView({ behavior: "smooth", block: "start" });
}

/**
 * setVerdict writes the verdict line.
 * @param {HTMLElement} form
 * @param {string} kind "right", "wrong" or "error"
 * @param {string} html our own text and the lesson's rendered Markdown
 */
function setVerdict(form, kind, html) {
  const p = /** @type {HTMLElement} */ (form.querySelector(".exercise-verdict"));
  p.className = "exercise-verdict " + kind;
  p.innerHTML = html;
}

/** @param {string} s */
function escapeHTML(s) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] || c);
}

/**
 * draw shows exercise e's problem for its current seed.
 * @param {HTMLFormElement} form
 * @param {any} e
 */
function draw(form, e) {
  const rep = ask({ exercise: e, seed: seeds[e.id] || 1 });
  if (rep.error) {
    setVerdict(form, "error", "문제를 만들 수 없습니다: " + escapeHTML(rep.error));
    return;
  }
  /** @type {HTMLElement} */ (form.querySelector(".exercise-question")).innerHTML = rep.answer.question;
  const unit = form.querySelector(".unit");
  const input = /** @type {HTMLInputElement|null} */ (form.querySelector('input[name="answer"]'));
  const u = unitOf(rep.answer.text);
  if (unit) unit.textContent = u;
  else if (input && u) {
    const span = document.createElement("span");
    span.className = "unit";
    span.textContent = u;
    input.after(" ", span);
  }
  if (input) {
    input.value = "";
    input.placeholder = u ? "숫자 (" + u + ")" : "숫자";
  }
  form.querySelectorAll('input[type="radio"]').forEach((r) => (/** @type {HTMLInputElement} */ (r).checked = false));
  setVerdict(form, isSolved(e.id) ? "solved" : "", isSolved(e.id) ? "이미 푼 문제입니다. ‘다른 문제’로 새 숫자를 받아 보세요." : "");
}

/** The unit the answer is written in: "300 ms" → "ms", "5개" → "개". @param {string} text */
function unitOf(text) {
  const m = /^[-0-9.,]+\s*(.*)$/.exec(text || "");
  return m ? m[1] : "";
}

/**
 * check grades the student's answer to e.
 * @param {HTMLFormElement} form
 * @param {any} e
 */
function check(form, e) {
  const req = /** @type {any} */ ({ exercise: e, seed: seeds[e.id] || 1 });
  const radio = /** @type {HTMLInputElement|null} */ (form.querySelector('input[type="radio"]:checked'));
  const input = /** @type {HTMLInputElement|null} */ (form.querySelector('input[name="answer"]'));
  if (e.options && e.options.length) {
    if (!radio) {
      setVerdict(form, "error", "보기 가운데 하나를 고르세요.");
      return;
    }
    req.option = Number(radio.value);
  } else {
    req.input = input ? input.value.trim() : "";
    if (!req.input) {
      setVerdict(form, "error", "답을 숫자로 적어 주세요.");
      return;
    }
  }
  // A predict question asks of the run on the page: it is graded with the
  // settings the page shows, as its answer is worded (refreshAnswers). A
  // setting at the end of its range can leave no option true; then it is
  // graded with the lesson's own settings, and says so.
  const shown = /\/p[0-9]+$/.test(e.id) ? pageParams() : null;
  let rep = shown ? ask(Object.assign({}, req, { exercise: Object.assign({}, e, { params: shown }) })) : ask(req);
  let note = "";
  if (shown && (rep.error || rep.verdict.error)) {
    rep = ask(req);
    note = " (지금 설정으로는 답을 정할 수 없어 강의의 기본 설정으로 채점했습니다.)";
  }
  if (rep.error) {
    setVerdict(form, "error", escapeHTML(rep.error));
    return;
  }
  if (rep.verdict.error) {
    setVerdict(form, "error", escapeHTML(rep.verdict.error));
    return;
  }
  const a = rep.answer;
  const explain = (a.explain ? " " + a.explain : "") + note;
  // A number takes the copula ("정답은 700 ms입니다."); an option is a
  // sentence of its own and is quoted instead ("정답은 늘어난다. ….입니다."
  // read badly).
  const answer = a.option >= 0 ? "정답: “" + a.text + "”" : "정답은 " + a.text + "입니다.";
  if (rep.verdict.correct) {
    setVerdict(form, "right", "<strong>맞았습니다.</strong> " + answer + explain);
    markSolved(e.id);
  } else {
    setVerdict(form, "wrong", "<strong>틀렸습니다.</strong> " + answer + explain);
  }
  form.dataset.verdict = rep.verdict.correct ? "right" : "wrong";
  show(e.scenario, a.params, a.step, "연습 문제");
}

/**
 * tryChallenge runs the challenge with the student's settings.
 * @param {HTMLFormElement} form
 * @param {any} c
 * @param {boolean} load whether to show the run on the stage
 */
function tryChallenge(form, c, load) {
  /** @type {Object<string,string>} */
  const settings = {};
  form.querySelectorAll(".challenge-settings input, .challenge-settings select").forEach((el) => {
    const i = /** @type {HTMLInputElement|HTMLSelectElement} */ (el);
    if (i.value.trim() !== "") settings[i.name] = i.value.trim();
  });
  const rep = ask({ challenge: c, settings: load ? settings : {} });
  if (rep.error) {
    setVerdict(form, "error", "실행할 수 없습니다: " + escapeHTML(rep.error));
    return;
  }
  const r = rep.challenge;
  if (!load) {
    form.querySelectorAll(".challenge-settings input, .challenge-settings select").forEach((el) => {
      const i = /** @type {HTMLInputElement|HTMLSelectElement} */ (el);
      i.value = r.settings[i.name] || "";
    });
  }
  const table = /** @type {HTMLTableElement} */ (form.querySelector(".challenge-status"));
  const body = /** @type {HTMLElement} */ (table.querySelector("tbody"));
  body.replaceChildren();
  for (const cl of r.clauses) {
    const tr = document.createElement("tr");
    for (const text of [cl.name, cl.op.replace("<=", "≤").replace(">=", "≥") + " " + cl.want, cl.have, cl.met ? "✓" : "✗"]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    tr.className = cl.met ? "met" : "unmet";
    body.append(tr);
  }
  table.hidden = false;
  if (!load) {
    setVerdict(form, isSolved(c.id) ? "solved" : "", isSolved(c.id) ? "이미 성공한 도전입니다." : "지금 설정으로는 목표에 닿지 않습니다. 설정을 바꾸고 실행해 보세요.");
    return;
  }
  if (r.met) {
    setVerdict(form, "right", "<strong>성공!</strong> 목표를 모두 이루었습니다.");
    markSolved(c.id);
  } else {
    setVerdict(form, "wrong", "<strong>아직입니다.</strong> 목표에 닿지 않은 조건이 있습니다.");
  }
  form.dataset.verdict = r.met ? "right" : "wrong";
  show(c.scenario, r.params, r.step, "도전");
}

/**
 * pageParams are the main scenario's settings the page shows now: the
 * lesson's, with the controls the URL sets; null while a variant is shown
 * (the predict questions speak of the main scenario).
 * @returns {Object<string, string>|null}
 */
function pageParams() {
  const q = new URLSearchParams(location.search);
  if (q.get("variant")) return null;
  const params = Object.assign({}, lesson.params);
  for (const c of lesson.controls || []) if (q.has(c.key)) params[c.key] = q.get(c.key);
  return params;
}

// refreshAnswers fills the predict answers' numbers from a run with the
// settings the page shows now (those in the URL), as the stage does for
// captions.
function refreshAnswers() {
  if (!lesson) return;
  const params = pageParams();
  if (!params) return;
  const texts = (lesson.predict || []).map((/** @type {any} */ p) => p.text);
  if (!texts.some((/** @type {string} */ t) => t.includes("{{"))) return;
  const rep = ask({ expand: { scenario: lesson.scenario, params: params, texts: texts } });
  if (rep.error || !rep.texts) return; // the page explains bad settings itself
  document.querySelectorAll(".predict .answer-text").forEach((el, i) => {
    if (rep.texts[i] !== undefined) el.innerHTML = rep.texts[i];
  });
}

function start() {
  document.querySelectorAll("form.exercise").forEach((el) => {
    const form = /** @type {HTMLFormElement} */ (el);
    const e = exercises.get(form.dataset.exercise || "");
    if (!e) return;
    draw(form, e);
    form.querySelectorAll("button").forEach((b) => (b.disabled = false));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      check(form, e);
    });
    form.querySelector(".exercise-next")?.addEventListener("click", () => {
      seeds[e.id] = (seeds[e.id] || 1) + 1;
      saveSeeds();
      delete form.dataset.verdict;
      draw(form, e);
    });
  });
  document.querySelectorAll("form.challenge").forEach((el) => {
    const form = /** @type {HTMLFormElement} */ (el);
    const c = challenges.get(form.dataset.challenge || "");
    if (!c) return;
    tryChallenge(form, c, false);
    form.querySelectorAll("button").forEach((b) => (b.disabled = false));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      tryChallenge(form, c, true);
    });
  });
  refreshAnswers();
  showProgress();
}

// The engine lives in the stage: wait until it is ready.
if (lesson && iframe) {
  showProgress();
  const wait = () => (bridge() ? start() : setTimeout(wait, 200));
  wait();
}
