// @ts-check
// remember.js: what the browser remembers of the lessons (localStorage):
// the step each lesson was left at (이어서 보기 on each lesson), the lesson
// seen last (이어서 보기 on 목차, which assets/toc.js reads in its own
// older form), and the playback speed.

/** The last lesson seen: {lesson, title, step, href}, as toc.js reads it. */
export const lastKey = "connlab.progress";
/** Every lesson's step: {lessons: {id: {title, step, href}}}. */
export const stepsKey = "connlab.steps";
export const speedKey = "connlab.speed";

/**
 * @typedef {object} Seen
 * @property {string} title
 * @property {number} step 0-based, as in ?step=
 * @property {string} href the lesson's address then
 */

/**
 * isSeen reports whether v is a Seen: a title, a whole step ≥ 0 and an
 * address on this site's lessons.
 * @param {any} v
 * @returns {v is Seen}
 */
function isSeen(v) {
  return !!v && typeof v.title === "string" && Number.isInteger(v.step) && v.step >= 0 &&
    typeof v.href === "string" && v.href.startsWith("/lessons/");
}

/**
 * parseSteps reads every lesson's step, and the older record of the last
 * lesson only (lastKey) where there is no entry for it yet. Anything it
 * does not understand is left out.
 * @param {string|null} rawSteps what stepsKey holds
 * @param {string|null} rawLast what lastKey holds
 * @returns {Object<string, Seen>}
 */
export function parseSteps(rawSteps, rawLast) {
  /** @type {Object<string, Seen>} */
  const out = {};
  const v = parseJSON(rawSteps);
  if (v && typeof v.lessons === "object" && v.lessons) {
    for (const [id, s] of Object.entries(v.lessons)) {
      if (isSeen(s)) out[id] = { title: s.title, step: s.step, href: s.href };
    }
  }
  const last = parseJSON(rawLast);
  const id = last && last.lesson;
  if (typeof id === "string" && isSeen(last) && !out[id]) {
    out[id] = { title: last.title, step: last.step, href: last.href };
  }
  return out;
}

/**
 * @param {string|null} raw
 * @returns {any}
 */
function parseJSON(raw) {
  try {
    return JSON.parse(raw || "null");
  } catch (e) {
    return null;
  }
}

/**
 * record returns what to store after lesson id was seen: every lesson's
 * step (for stepsKey) and the last lesson (for lastKey).
 * @param {Object<string, Seen>} steps
 * @param {string} id
 * @param {Seen} seen
 * @returns {{steps: string, last: string}}
 */
export function record(steps, id, seen) {
  const lessons = Object.assign({}, steps, { [id]: seen });
  return {
    steps: JSON.stringify({ lessons: lessons }),
    last: JSON.stringify({ lesson: id, title: seen.title, step: seen.step, href: seen.href }),
  };
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
 * load reads a key, null where storage is off (private windows).
 * @param {string} key
 * @returns {string|null}
 */
export function load(key) {
  try {
    return window.localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

/**
 * save writes a key; where storage is off nothing is kept.
 * @param {string} key
 * @param {string} value
 */
export function save(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch (e) {
    // storage full or off: not kept
  }
}
