// @ts-check
// progress.js: what the browser remembers between visits (localStorage):
// the step each lesson was left at, which lesson was seen last (이어서
// 보기 on 목차 and on each lesson), and the playback speed.

export const progressKey = "connlab.progress";
export const speedKey = "connlab.speed";

/**
 * @typedef {object} Seen
 * @property {string} title
 * @property {number} step 0-based, as in ?step=
 * @property {string} href the lesson's address then
 */

/**
 * @typedef {object} Progress
 * @property {string} last the lesson seen last, "" if none
 * @property {Object<string, Seen>} lessons by lesson id
 */

/**
 * parseProgress reads the stored progress. It also reads the older form,
 * which kept the last lesson only ({lesson, title, step, href}), and
 * returns an empty progress for anything it does not understand.
 * @param {string|null} raw
 * @returns {Progress}
 */
export function parseProgress(raw) {
  /** @type {Progress} */
  const out = { last: "", lessons: {} };
  let v;
  try {
    v = JSON.parse(raw || "null");
  } catch (e) {
    return out;
  }
  if (!v || typeof v !== "object") return out;
  const seen = (/** @type {any} */ s) =>
    s && typeof s.title === "string" && Number.isInteger(s.step) && s.step >= 0 && typeof s.href === "string" && s.href.startsWith("/lessons/");
  if (typeof v.lesson === "string" && seen(v)) {
    out.last = v.lesson;
    out.lessons[v.lesson] = { title: v.title, step: v.step, href: v.href };
    return out;
  }
  if (v.lessons && typeof v.lessons === "object") {
    for (const [id, s] of Object.entries(v.lessons)) {
      if (seen(s)) out.lessons[id] = { title: s.title, step: s.step, href: s.href };
    }
  }
  if (typeof v.last === "string" && out.lessons[v.last]) out.last = v.last;
  return out;
}

/**
 * recordStep returns progress with lesson id seen at a step, as the last lesson.
 * @param {Progress} p
 * @param {string} id
 * @param {Seen} seen
 * @returns {Progress}
 */
export function recordStep(p, id, seen) {
  return { last: id, lessons: Object.assign({}, p.lessons, { [id]: seen }) };
}

/** The speeds the page offers (the stage takes 0.25..8). */
export const speeds = [0.25, 0.5, 1, 2, 4, 8];

/**
 * parseSpeed reads a stored speed: one the page offers, else 1.
 * @param {string|null} raw
 * @returns {number}
 */
export function parseSpeed(raw) {
  const v = Number(raw);
  return speeds.includes(v) ? v : 1;
}

/**
 * storage returns localStorage, or null where storage is off (private
 * windows): progress is then not kept.
 * @returns {Storage|null}
 */
export function storage() {
  try {
    return window.localStorage;
  } catch (e) {
    return null;
  }
}

/**
 * load reads a key from storage, null if storage is off.
 * @param {string} key
 * @returns {string|null}
 */
export function load(key) {
  try {
    const s = storage();
    return s ? s.getItem(key) : null;
  } catch (e) {
    return null;
  }
}

/**
 * save writes a key to storage; it does nothing where storage is off.
 * @param {string} key
 * @param {string} value
 */
export function save(key, value) {
  try {
    const s = storage();
    if (s) s.setItem(key, value);
  } catch (e) {
    // storage full or off: not kept
  }
}
