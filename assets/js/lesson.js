// @ts-check
// lesson.js drives a lesson page: it loads the lesson's scenario into the
// stage (the wasm in the <iframe>, through window.connlab: bridge.js),
// sends it commands, and shows what the stage reports: the caption in
// force, metrics, 이벤트 기록 (log.js), 패킷 살펴보기 (inspector.js). The
// address always holds the lesson, the step and the changed parameters
// (urlstate.js), so a reload or a shared link shows the same view; each
// lesson's step and the speed are kept in localStorage (remember.js).
//
// The lesson's step is a caption: →/← and the 다음/이전 단계 buttons go from
// caption to caption (nextCaption/prevCaption, the stage animating in
// between); Shift+→/← and the timeline move one engine event (keys.js).
//
// A lesson may show other scenarios besides its own (front matter
// variants): the 시나리오 buttons switch the stage, the captions and the
// address (&variant=proxy-connection); the parameters the student changed
// carry over to every scenario they apply to.
//
// An exercise's run (exercises.js asks with the event connlab:show-run)
// goes on the stage through the same load: its own scenario and params,
// the captions of that scenario bound and filled in that run, the matching
// 시나리오 button pressed, and a banner that says so and leads back.
//
// Every command goes through act(cmd), the one door presentation mode
// (present.js) uses too. Tests read window.connlabPage.

import { Bridge } from "./bridge.js";
import { bytesText, positionText, profileName, stepText, timeText } from "./format.js";
import { renderInspector } from "./inspector.js";
import { onKey } from "./keyboard.js";
import { keyLabel, stepOps } from "./keys.js";
import { EventLog } from "./log.js";
import { Panels } from "./panels.js";
import { checkValue, fallback, formValue, rejectedKey, rejectionMessage, runParams, runSettings, sameParams, withRun } from "./params.js";
import * as remember from "./remember.js";
import { projectedWindow } from "./present.js";
import { droppedNotice, onlyControls, parseQuery, writeQuery } from "./urlstate.js";

/** @typedef {import("./types.js").State} State */
/** @typedef {import("./types.js").Command} Command */
/** @typedef {import("./types.js").LessonData} LessonData */
/** @typedef {import("./types.js").Variant} Variant */

/**
 * @param {string} id
 * @returns {any} the element (the template guarantees the ones asked for)
 */
const $ = (id) => document.getElementById(id);

/** @type {LessonData} */
const data = JSON.parse($("lesson-data").textContent);
/** @type {HTMLIFrameElement} */
const iframe = $("stage");
const bridge = new Bridge(iframe);

/**
 * What tests (and presentation mode) read: plain values only, and act.
 * @typedef {object} Page
 * @property {string} lesson
 * @property {number} step
 * @property {number} caption
 * @property {number} steps
 * @property {number} endStep the last step of the lesson's story
 * @property {boolean} playing
 * @property {boolean} animating
 * @property {boolean} ready
 * @property {string} error
 * @property {string} scenario
 * @property {string} variant
 * @property {string} profile
 * @property {number} speed
 * @property {(op: string|Command) => boolean} act
 */
/** @type {Page} */
const page = {
  lesson: data.id,
  step: 0,
  caption: -1,
  steps: 0,
  endStep: -1,
  playing: false,
  animating: false,
  ready: false,
  error: "",
  scenario: data.scenario, // the scenario on the stage
  variant: "", // its variant name, "" for the lesson's own
  profile: data.profile,
  speed: 1,
  act: act,
};
/** @type {any} */ (window).connlabPage = page;

const query = parseQuery(location.search);
const variants = data.variants || [];
/** @type {Variant|null} */
let active = null; // the variant shown, null for the lesson's own scenario
/** @type {Object<string, string>} */
const controlKeys = data.controls.map((c) => c.key);
const fromAddress = onlyControls(query.overrides, controlKeys);
/** @type {Object<string, string>} */
let overrides = fromAddress.kept; // parameters the student changed (address or 설정)
if (fromAddress.dropped.length) addressNotice(droppedNotice(query.overrides, fromAddress.dropped, controlKeys));
if (query.variant !== null) {
  const name = query.variant;
  active = variants.find((v) => v.scenario === name) || null;
  if (!active) {
    addressNotice(
      variants.length
        ? "주소의 variant=" + name + " 시나리오는 이 강의에 없습니다. 고를 수 있는 시나리오는 " +
            variants.map((v) => v.scenario + "(" + v.label + ")").join(", ") + "입니다. 이 강의의 기본 시나리오를 보여 드립니다."
        : "주소의 variant=" + name + " 시나리오는 이 강의에 없습니다. 이 강의의 시나리오를 보여 드립니다."
    );
  }
}

/**
 * An exercise's run on the stage (showRun), null while the lesson's own scene is.
 * @typedef {object} Run
 * @property {string} scenario
 * @property {Object<string, string>} params
 * @property {number} step
 * @property {string} what what it is the run of: "연습 문제", "도전"
 */
/** @type {Run|null} */
let run = null;
let runFrom = ""; // the variant the student was on before the run

// The shown scenario's name, captions and own parameters. An exercise run
// of a scenario the lesson has no captions for shows none.
const scenarioName = () => (run ? run.scenario : active ? active.scenario : data.scenario);
const steps = () => (run && run.scenario !== (active ? active.scenario : data.scenario) ? [] : active ? active.steps : data.steps);
const base = () => (active ? active.params : data.params);
const ignores = () => (active ? active.ignores : []);
/** @param {string} k */
const ignored = (k) => ignores().includes(k);

let params = runParams(base(), overrides, ignores()); // what the stage runs with
let goodParams = Object.assign({}, base()); // the last params that loaded

/** @param {Object<string, string>} p */
function setParams(p) {
  overrides = withRun(overrides, base(), p, ignores());
  params = runParams(base(), overrides, ignores());
}

/** @type {number|null} */
let requestedStep = query.step; // from ?step=, applied once the scenario is loaded
if (query.badStep !== null) {
  addressNotice("주소의 step=" + query.badStep + " 값을 이해하지 못했습니다. step=은 0 이상의 정수여야 합니다(step=0이 단계 1입니다). 처음부터 보여 드립니다.");
}

let stageReady = false; // the wasm is running and window.connlab exists
let loadPending = false; // a load was sent and its result not yet seen
/** @type {number[]} */
let captionSteps = [];
/** @type {string[]} */
let captionTexts = []; // the captions with the shown run's numbers (state().captionTexts, internal/stage caption.go)
/** @type {State|null} */
let last = null; // the last state seen
page.speed = remember.parseSpeed(remember.load(remember.speedKey));
$("speed").value = String(page.speed);

/**
 * act sends one command to the stage: an op name ("nextCaption", "next",
 * "home", "toggle"...) or a command object ({op:"seek", step:N}...). It
 * returns whether the stage took it.
 * @param {string|Command} op
 * @returns {boolean}
 */
function act(op) {
  const cmd = /** @type {Command} */ (typeof op === "string" ? { op: op } : op);
  if (!stageReady || loadPending) return false;
  return bridge.command(cmd);
}

// load (re)runs the scenario with the current params, at step 0. The
// stage runs it on its next Update; its state counts the loads it has
// run (failed ones included), so the first state with a higher count is
// the load's result. (The stage draws only when something changed, so
// counting frames would not do.)
let loadsBefore = 0;
function load() {
  const st = bridge.state();
  loadsBefore = st && typeof st.loads === "number" ? st.loads : 0;
  loadPending = true;
  const sent = bridge.load({
    scenario: scenarioName(),
    params: run ? run.params : params,
    captions: steps().map((s) => s.at),
    texts: steps().map((s) => s.text || s.caption), // the stage fills in this run's numbers (captionTexts)
    when: steps().map((s) => s.when || ""), // and leaves out the captions whose condition this run does not meet
    step: 0,
  });
  if (!sent) {
    loadPending = false;
    return;
  }
  waitForLoad();
}

/**
 * loadDone reports whether st is the result of the last load sent.
 * @param {State|null} st
 * @returns {boolean}
 */
function loadDone(st) {
  return !!st && typeof st.loads === "number" && st.loads > loadsBefore;
}

// waitForLoad looks for the load's result at every animation frame, in
// case the stage's notice (connlabStageChanged) came before it.
function waitForLoad() {
  requestAnimationFrame(() => {
    if (!loadPending) return;
    if (loadDone(bridge.state())) update();
    else waitForLoad();
  });
}

function onStageReady() {
  if (stageReady || !bridge.api()) return;
  stageReady = true;
  $("stage-message").hidden = true;
  load();
}

// The stage calls these on the parent (wasm/bridge_js.go, assets/js/stage.js).
const w = /** @type {any} */ (window);
w.connlabStageReady = onStageReady;
w.connlabStageChanged = update;
w.connlabStageFailed = (/** @type {string} */ message) => {
  page.error = message;
  const box = $("stage-message");
  box.textContent = message;
  box.hidden = false;
  $("current-caption").textContent = "무대를 불러오지 못했습니다. 강의 글과 단계별 설명은 그대로 읽을 수 있습니다.";
};
// In case the stage became ready before this module ran.
iframe.addEventListener("load", () => {
  if (bridge.started()) onStageReady();
});
if (bridge.started()) onStageReady();

/**
 * showTime writes a formatted time into el and keeps the engine's exact
 * value in data-exact (and in the tooltip).
 * @param {HTMLElement} el
 * @param {string|undefined} t
 */
function showTime(el, t) {
  el.textContent = timeText(t);
  if (t) {
    el.dataset.exact = t;
    el.title = t;
  } else {
    delete el.dataset.exact;
    el.removeAttribute("title");
  }
}

/**
 * lastStep is the step where the lesson's story ends: the timeline's
 * extent, and the last step the page counts ("단계 33 / 33").
 * @param {State} st
 * @returns {number}
 */
function lastStep(st) {
  return typeof st.endStep === "number" && st.endStep >= 0 ? Math.min(st.endStep, st.steps - 1) : st.steps - 1;
}

const log = new EventLog($("event-log"), bridge);

// update reads the stage's state and redraws everything around it.
function update() {
  const st = bridge.state();
  if (!st) return;
  if (loadPending) {
    if (!loadDone(st)) return; // the load has not run yet
    loadPending = false;
    if (st.error) {
      loadFailed(st.error, st.errorKo);
      return;
    }
    loaded(st);
  }
  last = st;
  page.ready = !!st.ready;
  page.error = st.error || "";
  page.step = st.step;
  page.caption = st.caption;
  page.endStep = lastStep(st);
  page.steps = page.endStep + 1; // the story's steps (the run may go on after it: TIME-WAIT expiring...)
  page.playing = !!st.playing;
  page.animating = !!st.animating;
  captionSteps = st.captionSteps || [];
  captionTexts = st.captionTexts || [];

  const timeline = $("timeline");
  timeline.disabled = false;
  timeline.max = String(page.endStep);
  timeline.value = String(st.step);
  timeline.setAttribute("aria-valuetext", stepText(st.step, page.steps));
  const position = $("position");
  position.textContent = positionText({ step: st.step, steps: page.steps, caption: st.caption, time: st.time }, 0); // the caption itself stands under the stage
  position.dataset.exact = st.time;
  const play = $("play");
  play.textContent = st.playing ? "‖ 일시정지" : "▶ 재생";
  play.setAttribute("aria-pressed", st.playing ? "true" : "false");

  showCaption(st.caption);
  if (!active && !run) revealPredictions(st.caption); // their captions are the lesson's own
  showMetrics(st.metrics || {});
  log.show(st.step, page.playing || page.animating);
  sayEvent(st);
  showInspector(st.selected);
  syncURL();
  saveProgress();
  document.dispatchEvent(new CustomEvent("connlab:state", { detail: st }));
}

// sayEvent tells a screen reader, in Korean, the event the stage stopped
// at after a move of one event or a few (Shift+→, the timeline): a new
// caption speaks for itself (its box is a live region), and nothing is
// said while the stage moves. 이벤트 기록 has every line, when open.
let saidStep = -1;
let saidCaption = -1;
/** @param {State} st */
function sayEvent(st) {
  if (st.playing || st.animating || st.step === saidStep) return;
  const captionChanged = st.caption !== saidCaption;
  saidStep = st.step;
  saidCaption = st.caption;
  if (captionChanged) return;
  const [line] = bridge.lines(st.step, st.step + 1);
  $("stage-says").textContent = line ? line.ko || line.text : "";
}

/**
 * loaded runs once per successful load: clear a fallback's red mark, say
 * which profile runs, report a bad ?step=, then go to it.
 * @param {State} st
 */
function loaded(st) {
  if (!run) goodParams = Object.assign({}, params);
  saidStep = st.step;
  saidCaption = st.caption;
  markInvalid(null, true);
  page.profile = (run ? run.params : params).profile || data.profile;
  $("lesson-profile").textContent = profileName(page.profile);
  sendReducedMotion();
  if (page.speed !== 1) act({ op: "speed", value: page.speed });
  if (requestedStep !== null) {
    const s = requestedStep;
    requestedStep = null;
    const end = lastStep(st);
    if (s > end) {
      addressNotice(
        "주소의 step=" + s + "은(는) 범위를 벗어났습니다. 이 강의는 단계 1부터 " + (end + 1) + "까지이고, 주소로는 step=0부터 step=" +
          end + "까지입니다. 처음부터 보여 드립니다."
      );
    } else if (s > 0) {
      act({ op: "seek", step: s });
    }
  }
}

/**
 * loadFailed explains an engine error about the params in Korean and falls
 * back to the last params that worked, so the stage is never blank.
 * @param {string} err
 * @param {string} [ko] the error in Korean (a run over the page's budget)
 */
function loadFailed(err, ko) {
  if (run) {
    // The exercise's engine ran it: this does not happen. Go back to the scene.
    notice(run.what + "의 실행을 무대에 올리지 못했습니다: " + (ko || err));
    leaveRun();
    return;
  }
  const bad = rejectedKey(err, params, goodParams);
  const ctl = data.controls.find((c) => c.key === bad);
  const back = fallback(params, goodParams, base());
  const msg = rejectionMessage(err, bad, params, ctl, back.toDefault, ko);
  page.error = err;
  const box = $("params-error");
  if (box) {
    box.textContent = msg;
    box.hidden = false;
    panels.open("params-panel", false);
  } else {
    notice(msg); // a lesson without 설정: the address named the parameter
  }
  markInvalid(bad, false);
  setParams(back.params);
  fillParamInputs();
  load();
}

const startHint = keyLabel("nextCaption").split(",")[0] + " 키나 ‘다음 단계’ 단추를 누르면 다음 설명까지 무대가 움직입니다. 이벤트를 하나씩 보려면 " +
  keyLabel("next") + "나 타임라인을 쓰세요.";

let shownCaption = ""; // what the caption box shows (HTML), so that it changes only with the caption
/** @param {number} i */
function showCaption(i) {
  const cur = $("current-caption");
  const list = steps();
  // The live region changes only when the caption does: a screen reader
  // reads each caption once, not at every event between two.
  if (i >= 0 && i < list.length) {
    const html = captionTexts[i] || list[i].caption; // our own rendered Markdown
    if (shownCaption !== html) cur.innerHTML = html;
    shownCaption = html;
  } else if (shownCaption !== startHint) {
    cur.textContent = startHint;
    shownCaption = startHint;
  }
  document.querySelectorAll("#captions li").forEach((li) => {
    const n = Number(/** @type {HTMLElement} */ (li).dataset.index);
    li.classList.toggle("current", n === i);
    li.classList.toggle("past", n < i);
    const btn = /** @type {HTMLButtonElement} */ (li.querySelector("button"));
    if (captionTexts[n] && btn.innerHTML !== captionTexts[n]) btn.innerHTML = captionTexts[n];
    btn.disabled = !(captionSteps[n] >= 0);
    // A caption this run does not show (its condition is false here, or
    // its event never comes: a timer that does not fire) is left out of the
    // list, not left there disabled; the list holds this run's story.
    if (captionSteps.length) li.hidden = !(captionSteps[n] >= 0);
    if (n === i) btn.setAttribute("aria-current", "step");
    else btn.removeAttribute("aria-current");
  });
}

// fitCaptionBox keeps the caption box as high as the lesson's longest
// caption at the current width, so that neither the stage above it nor
// the controls below change size from step to step. It measures again
// when the box's width changes; in presentation mode present.css sizes
// the box itself.
let fittedWidth = -1;
function fitCaptionBox() {
  const cur = $("current-caption");
  const width = cur.offsetWidth;
  if (document.documentElement.classList.contains("presenting") || width === 0) {
    cur.style.minHeight = "";
    fittedWidth = -1;
    return;
  }
  if (width === fittedWidth) return;
  fittedWidth = width;
  // A hidden copy of the box takes each caption in turn (the box itself
  // is a live region: it must not change).
  const probe = document.createElement("p");
  probe.className = cur.className;
  probe.setAttribute("aria-hidden", "true");
  probe.style.cssText = "position: absolute; visibility: hidden; left: 0; top: 0; min-height: 0; width: " + width + "px";
  cur.parentNode.appendChild(probe);
  let high = 0;
  for (const html of steps().map((s) => s.caption).concat([startHint])) {
    probe.innerHTML = html;
    high = Math.max(high, probe.offsetHeight);
  }
  probe.remove();
  cur.style.minHeight = high + "px";
}
new ResizeObserver(fitCaptionBox).observe($("current-caption"));
new MutationObserver(fitCaptionBox).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
document.fonts.ready.then(() => {
  fittedWidth = -1;
  fitCaptionBox();
});

// revealPredictions opens each "먼저 예상해 보세요" answer once its caption is reached.
/** @param {number} i */
function revealPredictions(i) {
  document.querySelectorAll(".predict").forEach((box) => {
    if (i + 1 >= Number(/** @type {HTMLElement} */ (box).dataset.reveal)) reveal(box);
  });
}

/** @param {Element} box */
function reveal(box) {
  box.classList.add("revealed");
  const answer = /** @type {HTMLElement|null} */ (box.querySelector(".answer"));
  if (answer) answer.hidden = false;
}

/** @param {import("./types.js").Metrics} m */
function showMetrics(m) {
  showTime($("m-elapsed"), m.elapsed);
  $("m-roundtrips").textContent = typeof m.roundTrips === "number" ? m.roundTrips.toFixed(1) : "–";
  $("m-conns").textContent = typeof m.conns === "number" ? String(m.conns) : "–";
  $("m-bytes").textContent = typeof m.bytes === "number" ? bytesText(m.bytes) : "–";
}

// 패킷 살펴보기 is open exactly while the stage has a packet selected:
// closing it clears the selection.
const panels = new Panels(
  ["inspector", "params-panel", "log-panel"],
  { "params-panel": $("params-open"), "log-panel": $("log-open") },
  (id) => {
    if (id === "inspector") {
      shownPacket = null;
      act({ op: "select", packet: -1 });
    }
  }
);
$("log-open").addEventListener("click", () => log.markCurrent());
// 원문: the engine's canonical lines in place of the Korean sentences (for teachers).
$("log-canonical").addEventListener("change", (/** @type {Event} */ e) => {
  $("event-log").classList.toggle("canonical", /** @type {HTMLInputElement} */ (e.target).checked);
});

/** @type {string|null} */
let shownPacket = null;
/** @param {import("./types.js").Selected|null} sel */
function showInspector(sel) {
  const key = sel ? JSON.stringify(sel) : null;
  if (key === shownPacket) return;
  shownPacket = key;
  if (!sel) {
    $("inspector-body").replaceChildren();
    $("inspector").hidden = true;
    return;
  }
  renderInspector($("inspector-body"), sel);
  panels.open("inspector", false);
}

// syncURL writes lesson, step and changed params into the address bar.
// Presentation mode (present.js) sets or clears present= in the address.
function syncURL() {
  if (run) return; // the address keeps the lesson's scene: a reload goes back to it
  const url = location.pathname + writeQuery({
    step: page.step,
    variant: active ? active.scenario : "",
    overrides: overrides,
    base: data.params,
    present: parseQuery(location.search).present,
  });
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
}

function saveProgress() {
  if (run) return;
  const steps = remember.parseSteps(remember.load(remember.stepsKey), remember.load(remember.lastKey));
  const out = remember.record(steps, data.id, { title: data.title, step: page.step, href: location.pathname + location.search });
  remember.save(remember.stepsKey, out.steps);
  remember.save(remember.lastKey, out.last);
}

// offerResume shows "이어서 보기" when the student left this lesson at a
// later step and came back without a step in the address.
function offerResume() {
  if (query.step !== null || query.badStep !== null) return;
  const saved = remember.parseSteps(remember.load(remember.stepsKey), remember.load(remember.lastKey))[data.id];
  if (!saved || !(saved.step > 0)) return;
  const box = $("resume");
  const a = document.createElement("a");
  a.href = saved.href;
  a.textContent = "이어서 보기";
  box.replaceChildren("지난번에 단계 " + (saved.step + 1) + "까지 보았습니다. ", a);
  box.hidden = false;
}

/** @param {string} text */
function notice(text) {
  const box = $("notice");
  box.querySelector("p").textContent = text;
  box.hidden = false;
}

/**
 * addressNotice tells what the address got wrong; several (a setting and a
 * step) are shown one after the other until the student closes the box.
 * @param {string} text
 */
function addressNotice(text) {
  const box = $("notice");
  const p = box.querySelector("p");
  notice(box.hidden || !p.textContent ? text : p.textContent + " " + text);
}

// Keys: the table's stepping actions are stage commands; Esc closes the
// open panels (in presentation mode present.js takes Esc first).
onKey((action) => {
  if (action === "escape") return panels.closeAll();
  if (stepOps.has(action)) {
    act(action);
    return true; // a stepping key never falls through to the stage or the page
  }
  return false;
});

// Controls.
document.querySelectorAll(".controls [data-op]").forEach((btn) => {
  btn.addEventListener("click", () => act(/** @type {HTMLElement} */ (btn).dataset.op || ""));
});
$("speed").addEventListener("change", (/** @type {Event} */ e) => {
  const v = remember.parseSpeed(/** @type {HTMLSelectElement} */ (e.target).value);
  page.speed = v;
  remember.save(remember.speedKey, String(v));
  act({ op: "speed", value: v });
});
$("timeline").addEventListener("input", (/** @type {Event} */ e) => act({ op: "seek", step: Number(/** @type {HTMLInputElement} */ (e.target).value) }));
$("captions").addEventListener("click", (/** @type {MouseEvent} */ e) => {
  const t = /** @type {Element} */ (e.target);
  const li = /** @type {HTMLElement|null} */ (t.closest("#captions li"));
  if (!li || !t.closest("button")) return;
  const s = captionSteps[Number(li.dataset.index)];
  if (s >= 0) act({ op: "seek", step: s });
});

/**
 * showVariant switches to a variant (name) or back to the lesson's own
 * scenario (""): the captions, the parameters and the log follow.
 * @param {string} name
 */
function showVariant(name) {
  active = variants.find((v) => v.scenario === name) || null;
  page.scenario = scenarioName();
  page.variant = active ? active.scenario : "";
  document.querySelectorAll(".variants [data-variant]").forEach((btn) => {
    btn.setAttribute("aria-pressed", /** @type {HTMLElement} */ (btn).dataset.variant === page.variant ? "true" : "false");
  });
  iframe.title = "무대: " + page.scenario + " 시나리오의 패킷 애니메이션";
  const list = $("captions");
  list.replaceChildren();
  steps().forEach((s, i) => {
    const li = document.createElement("li");
    li.dataset.index = String(i);
    const btn = document.createElement("button");
    btn.type = "button";
    btn.innerHTML = s.caption; // our own rendered Markdown
    li.hidden = !!s.off;
    li.appendChild(btn);
    list.appendChild(li);
  });
  params = runParams(base(), overrides, ignores());
  goodParams = Object.assign({}, base());
  fillParamInputs();
  markInvalid(null, false);
  captionSteps = [];
  shownCaption = "";
  log.clear(); // another run's lines
  fittedWidth = -1;
  fitCaptionBox();
}

document.querySelectorAll(".variants [data-variant]").forEach((el) => {
  const btn = /** @type {HTMLElement} */ (el);
  btn.addEventListener("click", () => {
    if (btn.dataset.variant === page.variant && !run) return;
    endRun();
    showVariant(btn.dataset.variant || "");
    page.step = 0;
    page.caption = -1;
    requestedStep = null;
    syncURL();
    if (stageReady) load();
  });
});
document.querySelectorAll(".predict .reveal").forEach((btn) => {
  btn.addEventListener("click", () => reveal(/** @type {Element} */ (btn.closest(".predict"))));
});
$("notice").querySelector("button").addEventListener("click", () => ($("notice").hidden = true));

// Parameters: applying reloads the scenario and updates the URL.
function fillParamInputs() {
  for (const c of data.controls) {
    const el = $("param-" + c.key);
    if (!el) continue;
    // A setting the shown scenario does not use still shows the student's
    // value: it applies again on a scenario that uses it.
    const value = c.key in overrides ? overrides[c.key] : params[c.key];
    el.value = value !== undefined ? value : c.default;
    el.disabled = ignored(c.key);
    const allowed = $("allowed-" + c.key);
    if (allowed) {
      if (allowed.dataset.text === undefined) allowed.dataset.text = allowed.textContent;
      allowed.textContent = el.disabled ? "이 시나리오의 결과를 바꾸지 않는 설정이라 지금은 쓰지 않습니다." : allowed.dataset.text;
    }
  }
}

/**
 * markInvalid marks the field of key as refused (key "" or null: none).
 * keepMessage leaves the explanation on screen (after a fallback ran).
 * @param {string|null} key
 * @param {boolean} keepMessage
 */
function markInvalid(key, keepMessage) {
  for (const c of data.controls) {
    const el = $("param-" + c.key);
    if (el) el.setAttribute("aria-invalid", c.key === key ? "true" : "false");
  }
  const box = $("params-error");
  if (!key && box && !keepMessage) box.hidden = true;
}

const form = $("params"); // only on lessons with parameters to change
if (form) {
  form.addEventListener("submit", (/** @type {Event} */ e) => {
    e.preventDefault();
    const p = Object.assign({}, params);
    for (const c of data.controls) {
      if (ignored(c.key)) continue;
      const v = formValue($("param-" + c.key).value, c);
      const why = checkValue(c, v);
      if (why) {
        markInvalid(c.key, false);
        const box = $("params-error");
        box.textContent = why;
        box.hidden = false;
        return;
      }
      if (v === c.default && base()[c.key] === undefined) delete p[c.key];
      else p[c.key] = v;
    }
    setParams(p);
    markInvalid(null, false);
    endRun(); // the student's settings go on the lesson's scene
    if (stageReady) load();
  });
}
const resetButton = $("params-reset");
if (resetButton) {
  resetButton.addEventListener("click", () => {
    endRun();
    overrides = {};
    params = runParams(base(), overrides, ignores());
    fillParamInputs();
    markInvalid(null, false);
    if (stageReady) load();
  });
}

// pcap 내려받기: the current run as a libpcap file from the stage.
$("pcap").addEventListener("click", () => {
  const bytes = bridge.pcap();
  if (typeof bytes === "string") {
    notice(bytes); // a run the pcap cannot hold: say why, save nothing
    return;
  }
  if (!bytes || !last) return;
  const blob = new Blob([/** @type {BlobPart} */ (bytes)], { type: "application/vnd.tcpdump.pcap" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = data.id + "-" + scenarioName() + ".pcap";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
});

// Reduced motion: the stage skips animation between steps.
const motion = window.matchMedia("(prefers-reduced-motion: reduce)");
function sendReducedMotion() {
  act({ op: "reducedMotion", value: motion.matches });
}
motion.addEventListener("change", sendReducedMotion);

/**
 * showRun puts an exercise's run on the stage at its step: the variant of
 * its scenario is selected (its captions, bound and filled in this run),
 * and the banner says whose run it is and leads back to the lesson's scene.
 * @param {Run} r
 */
function showRun(r) {
  if (!run) runFrom = page.variant;
  const match = r.scenario === data.scenario ? "" : variants.some((v) => v.scenario === r.scenario) ? r.scenario : page.variant;
  showVariant(match);
  run = r;
  page.scenario = r.scenario;
  const label = r.scenario === data.scenario ? data.label : (variants.find((v) => v.scenario === r.scenario) || { label: r.scenario }).label;
  const banner = $("run-banner");
  banner.querySelector("p").textContent =
    "지금 무대에는 " + r.what + "의 실행이 있습니다: " + label + ", " + runSettings(r.params, runDefaults(r.scenario)) + ". 아래 설명도 이 실행에서 계산한 것입니다.";
  banner.hidden = false;
  if (steps().length === 0) {
    // a scenario this lesson has no captions for: no button is its, no caption tells it
    document.querySelectorAll(".variants [data-variant]").forEach((btn) => btn.setAttribute("aria-pressed", "false"));
    $("captions").replaceChildren();
  }
  requestedStep = r.step > 0 ? r.step : null;
  page.step = 0;
  page.caption = -1;
  if (stageReady) load();
}

/**
 * runDefaults are the parameters the page shows scenario with by default.
 * @param {string} scenario
 * @returns {Object<string, string>}
 */
function runDefaults(scenario) {
  const v = variants.find((x) => x.scenario === scenario);
  return scenario === data.scenario ? data.params : v ? v.params : {};
}

// endRun forgets the exercise's run (a scenario button, the settings form
// and 강의 장면으로 돌아가기 load the lesson's scene next).
function endRun() {
  run = null;
  $("run-banner").hidden = true;
}

// leaveRun goes back from an exercise's run to the scene the student was on.
function leaveRun() {
  if (!run) return;
  endRun();
  showVariant(runFrom);
  page.step = 0;
  page.caption = -1;
  requestedStep = null;
  syncURL();
  if (stageReady) load();
}
$("run-banner").querySelector("button").addEventListener("click", leaveRun);
document.addEventListener("connlab:show-run", (/** @type {Event} */ e) => showRun(/** @type {CustomEvent} */ (e).detail));

if (active) showVariant(active.scenario);
fillParamInputs();
offerResume();
projectedWindow(data, page, bridge);
