// @ts-check
// format.js: how the page writes steps and times, in one place for the
// lesson page, presentation mode and the presenter window.
//
// Steps are numbered from 1 on the page ("단계 8 / 52"), as on the stage's
// own header; the address keeps the 0-based index the stage uses
// (?step=7). Captions are counted the same way ("설명 2 / 5").

/**
 * stepText numbers a step (a 0-based index) from 1: "단계 8 / 52".
 * @param {number} step
 * @param {number} steps
 * @returns {string}
 */
export function stepText(step, steps) {
  return "단계 " + (step + 1) + " / " + steps;
}

/**
 * captionText counts the caption in force from 1: "설명 2 / 5", or
 * "설명 전 / 5" before the first.
 * @param {number} caption 0-based, -1 before the first
 * @param {number} captions
 * @returns {string}
 */
export function captionText(caption, captions) {
  return "설명 " + (caption >= 0 ? String(caption + 1) : "전") + " / " + captions;
}

/**
 * captionAt is caption i as the shown run has it: the stage's text with
 * this run's numbers (state().captionTexts, internal/stage caption.go)
 * where it has one, else the lesson's own caption, filled from the
 * default run. Both are our own rendered Markdown.
 * @param {string[]|undefined} texts the stage's captionTexts
 * @param {{caption: string}[]} steps the lesson's (or variant's) steps
 * @param {number} i
 * @returns {string}
 */
export function captionAt(texts, steps, i) {
  if (texts && typeof texts[i] === "string" && texts[i] !== "") return texts[i];
  return steps[i] ? steps[i].caption : "";
}

/**
 * timeText turns an engine time ("0.050035s") into what a student reads:
 * milliseconds with at most one decimal below 10 s ("50.0 ms", "350 ms"),
 * seconds with two decimals from there on ("60.48 s"). Anything else (a
 * missing value) shows as it came, or as "–".
 * @param {string|undefined} t
 * @returns {string}
 */
export function timeText(t) {
  if (typeof t !== "string" || !/^-?[0-9]+(\.[0-9]+)?s$/.test(t)) return t || "–";
  const sec = parseFloat(t);
  const ms = sec * 1000;
  if (Math.abs(ms) >= 9999.5) return sec.toFixed(2) + " s";
  if (ms === 0) return "0 ms";
  return (Math.abs(ms) < 99.95 ? ms.toFixed(1) : ms.toFixed(0)) + " ms";
}

/**
 * bytesText writes a whole number with a comma between each group of three
 * digits, as Korean writes it ("14,480"). It is not toLocaleString("ko-KR"):
 * its first call loads the browser's locale data, some 50 ms on the first
 * drawn scene of every lesson.
 * @param {number} n
 * @returns {string}
 */
export function bytesText(n) {
  const [whole, frac] = String(n).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return frac === undefined ? grouped : grouped + "." + frac;
}

/**
 * positionText is the step label beside the timeline and in the
 * presenter window: "단계 8 / 52 · 설명 2 / 5 · 50.0 ms".
 * @param {{step: number, steps: number, caption: number, time?: string}} st
 * @param {number} captions
 * @returns {string}
 */
export function positionText(st, captions) {
  let s = stepText(st.step, st.steps);
  if (captions > 0) s += " · " + captionText(st.caption, captions);
  if (st.time) s += " · " + timeText(st.time);
  return s;
}

/**
 * elapsedText formats milliseconds as 1:02:03 or 2:03.
 * @param {number} ms
 * @returns {string}
 */
export function elapsedText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
}

/**
 * profileName gives the Korean name of a profile, as the server's template
 * does (internal/site/render.go): 교과서 or 오늘날.
 * @param {string|undefined} p
 * @returns {string}
 */
export function profileName(p) {
  return p === "book" ? "교과서" : "오늘날";
}
