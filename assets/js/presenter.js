// @ts-check
// presenter.js: the presenter window (발표자 화면) at /lessons/<id>/presenter/,
// on the teacher's laptop while the projector shows the lesson page in
// presentation mode (present.js). It shows the caption in force and the
// next one, the speaker notes (발표자 노트), the clock, the controls, and a
// map of the projected stage: the packets and hosts it draws, where it
// draws them (connlab.hits() of the projected stage, relayed over the
// channel). Clicking one rings it on the projector (the classroom
// pointer); C or Esc clears it. The keys are the site's (keys.js).
// Tests read window.connlabPresenter.

import { openChannel } from "./channel.js";
import { hitTarget } from "./bridge.js";
import { captionAt, elapsedText, positionText } from "./format.js";
import { keyAction, ownKey } from "./keys.js";

/** @typedef {import("./types.js").LessonData} LessonData */
/** @typedef {import("./types.js").Hit} Hit */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @type {LessonData} */
const data = JSON.parse($("lesson-data").textContent || "{}");

const pres = {
  lesson: data.id,
  connected: false,
  step: -1,
  steps: 0,
  caption: -1,
  variant: "", // the variant the projected window shows, "" for the lesson's own scenario
  playing: false,
  blackout: false,
  pointer: "", // what the projected stage rings
  hits: 0, // boxes on the map
};
/** @type {any} */ (window).connlabPresenter = pres;

const link = $("presenter-link");
const posEl = $("presenter-position");
const nowEl = $("presenter-caption");
const nextEl = $("presenter-next");
const playBtn = /** @type {HTMLElement} */ (document.querySelector('[data-cmd="toggle"]'));
const blackBtn = /** @type {HTMLElement} */ (document.querySelector('[data-cmd="blackout"]'));
const map = $("pointer-map");
let startedAt = 0;

const chan = openChannel(onMessage);

/**
 * @param {string} text
 * @param {boolean} [ok]
 */
function status(text, ok) {
  link.textContent = text;
  link.classList.toggle("ok", !!ok);
}

/** @param {string|object} op a key action's name or a stage command */
function send(op) {
  chan.send({ type: "cmd", op: op });
}

/** @param {any} msg */
function onMessage(msg) {
  if (!msg) return;
  if (msg.type === "bye" && msg.from === "projector") {
    pres.connected = false;
    status("발표 화면이 닫혔습니다. 발표 화면이 다시 열리면 이어서 따라갑니다.");
    return;
  }
  if (msg.type !== "state") return;
  if (!msg.presenting) {
    pres.connected = false;
    status("발표 화면이 발표 모드를 끝냈습니다. 강의 페이지에서 P 키나 ‘발표 모드’ 단추로 다시 시작하세요.");
    return;
  }
  if (msg.lesson !== data.id) {
    location.replace(msg.presenter); // the projected window moved on
    return;
  }
  pres.connected = true;
  status("발표 화면을 따라가고 있습니다.", true);
  show(msg);
}

/** @param {any} msg */
function show(msg) {
  pres.step = msg.step;
  pres.steps = msg.steps;
  pres.caption = msg.caption;
  pres.playing = msg.playing;
  pres.blackout = msg.blackout;
  pres.pointer = msg.pointer || "";
  startedAt = msg.startedAt || startedAt;
  const c = msg.caption;
  // The captions of the scenario the projected window shows (a variant's, or the lesson's own).
  const variant = (data.variants || []).find((v) => v.scenario === msg.variant);
  const steps = variant ? variant.steps : data.steps;
  pres.variant = variant ? variant.scenario : "";
  posEl.textContent = msg.ready ? positionText(msg, steps.length) : "무대를 불러오는 중…";
  // The projected run's captions, with its numbers (a run with other
  // settings than the lesson's says other numbers).
  const texts = Array.isArray(msg.captions) ? msg.captions : [];
  if (c >= 0 && c < steps.length) nowEl.innerHTML = captionAt(texts, steps, c); // our own rendered Markdown
  else nowEl.textContent = "아직 첫 설명 전입니다.";
  // The next caption the run shows: one it leaves out (its condition is
  // false there, or its event never comes) is not next.
  const bound = Array.isArray(msg.captionSteps) ? msg.captionSteps : [];
  let next = c + 1;
  while (next < steps.length && bound.length && !(bound[next] >= 0)) next++;
  if (next < steps.length) nextEl.innerHTML = captionAt(texts, steps, next);
  else if (data.next) nextEl.textContent = "이 강의의 마지막 설명입니다. 이야기의 끝에서 다음 단계로 가면 다음 강의 ‘" + data.next.title + "’로 넘어갑니다.";
  else nextEl.textContent = "마지막 강의의 마지막 설명입니다.";
  playBtn.textContent = msg.playing ? "‖ 일시정지" : "▶ 재생";
  playBtn.setAttribute("aria-pressed", msg.playing ? "true" : "false");
  blackBtn.setAttribute("aria-pressed", msg.blackout ? "true" : "false");
  document.documentElement.classList.toggle("blacked-out", !!msg.blackout);
  drawMap(msg.hits || [], msg.stageW || 0, msg.stageH || 0);
  tick();
}

/**
 * hitName is how the map names a box for people.
 * @param {Hit} h
 * @returns {string}
 */
function hitName(h) {
  const target = hitTarget(h);
  const [kind, index] = target.split(":");
  const base = kind === "host" ? "호스트 " + index : "패킷 " + index;
  return h.label ? base + " " + h.label : base;
}

/**
 * drawMap draws the projected stage's packets and hosts as buttons in a
 * box of the stage's proportions, where the stage draws them.
 * @param {Hit[]} hits
 * @param {number} w the projected stage's width in CSS px
 * @param {number} h its height
 */
function drawMap(hits, w, h) {
  const key = JSON.stringify([hits, w, h, pres.pointer]);
  if (map.dataset.drawn === key) return;
  map.dataset.drawn = key;
  map.replaceChildren();
  if (!(w > 0 && h > 0)) {
    pres.hits = 0;
    return;
  }
  map.style.aspectRatio = w + " / " + h;
  let n = 0;
  // Hosts first, so that packets drawn over them stay on top.
  const sorted = hits.slice().sort((a, b) => (a.kind === "host" ? 0 : 1) - (b.kind === "host" ? 0 : 1));
  for (const hit of sorted) {
    const target = hitTarget(hit);
    if (!target) continue;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "hit hit-" + target.split(":")[0];
    b.dataset.target = target;
    b.textContent = hit.label || "";
    b.setAttribute("aria-label", hitName(hit) + " 가리키기");
    b.title = hitName(hit);
    b.style.left = (100 * hit.x) / w + "%";
    b.style.top = (100 * hit.y) / h + "%";
    b.style.width = (100 * hit.w) / w + "%";
    b.style.height = (100 * hit.h) / h + "%";
    if (target === pres.pointer) b.setAttribute("aria-pressed", "true");
    b.addEventListener("click", (e) => {
      send({ op: "point", target: target === pres.pointer ? "" : target });
      if (e.detail > 0) b.blur();
    });
    map.appendChild(b);
    n++;
  }
  pres.hits = n;
}

document.querySelectorAll("[data-cmd]").forEach((el) => {
  const b = /** @type {HTMLElement} */ (el);
  b.addEventListener("click", (e) => {
    const cmd = b.dataset.cmd || "";
    if (cmd === "clearPointer") send({ op: "point", target: "" });
    else send(cmd);
    if (e.detail > 0) b.blur();
  });
});

// The clicker may be paired with the laptop, whose focus is here.
const forwarded = new Set(["nextCaption", "prevCaption", "next", "prev", "toggle", "home", "end", "blackout"]);
document.addEventListener("keydown", (e) => {
  if (ownKey(e.target, e.key) && e.key !== "Escape") return;
  const action = keyAction(e);
  if (forwarded.has(action)) send(action);
  else if (action === "clearPointer" || action === "escape") send({ op: "point", target: "" });
  else return;
  e.preventDefault();
});

const clock = $("presenter-clock");
const elapsed = $("presenter-elapsed");
function tick() {
  const now = new Date();
  clock.textContent = now.toLocaleTimeString("ko-KR", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  elapsed.textContent = startedAt ? elapsedText(now.getTime() - startedAt) : "–";
}
setInterval(tick, 1000);
tick();

window.addEventListener("pagehide", () => chan.send({ type: "bye", from: "presenter" }));
status("발표 화면을 찾는 중… 강의 페이지를 발표 모드로 열어 두세요.");
chan.send({ type: "ask" });
