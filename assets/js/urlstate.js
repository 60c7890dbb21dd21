// @ts-check
// urlstate.js: the address describes what is on screen. parseQuery reads
// a lesson page's query (?step=7&variant=proxy-connection&rtt=200ms&present=1);
// writeQuery is the one writer of it. Every key but step, variant and
// present is a parameter the student changed; onlyControls keeps those the
// lesson lets a student change, so that a link cannot set what the lesson
// does not offer (mss=88&images=20 on a lesson whose controls are rtt and
// bandwidth).

/** The keys that are not parameters. */
export const reserved = new Set(["step", "present", "variant"]);

/**
 * @typedef {object} Query
 * @property {number|null} step       the 0-based step asked for, null if none (or not understood)
 * @property {string|null} badStep    the raw step= value when it is not a whole number ≥ 0
 * @property {string|null} variant    the variant asked for, null if none
 * @property {boolean} present        present=1
 * @property {Object<string, string>} overrides parameters, in the address's order
 */

/**
 * parseQuery reads a location.search.
 * @param {string} search
 * @returns {Query}
 */
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  /** @type {Query} */
  const out = { step: null, badStep: null, variant: null, present: q.get("present") === "1", overrides: {} };
  for (const [k, v] of q) {
    if (!reserved.has(k)) out.overrides[k] = v;
  }
  const s = q.get("step");
  if (s !== null) {
    if (/^[0-9]+$/.test(s) && Number.isSafeInteger(Number(s))) out.step = Number(s);
    else out.badStep = s;
  }
  if (q.has("variant")) out.variant = q.get("variant");
  return out;
}

/**
 * onlyControls splits the address's parameters into those the lesson's
 * controls name (kept) and the rest (dropped, their keys in the address's
 * order).
 * @param {Object<string, string>} overrides
 * @param {string[]} controls the keys of the lesson's controls
 * @returns {{kept: Object<string, string>, dropped: string[]}}
 */
export function onlyControls(overrides, controls) {
  /** @type {Object<string, string>} */
  const kept = {};
  /** @type {string[]} */
  const dropped = [];
  for (const k of Object.keys(overrides)) {
    if (controls.includes(k)) kept[k] = overrides[k];
    else dropped.push(k);
  }
  return { kept, dropped };
}

/**
 * droppedNotice is the Korean notice for parameters the address gave that
 * the lesson does not let a student change.
 * @param {Object<string, string>} overrides the address's parameters
 * @param {string[]} dropped the keys left out
 * @param {string[]} controls the keys the lesson offers
 * @returns {string}
 */
export function droppedNotice(overrides, dropped, controls) {
  const named = dropped.map((k) => k + "=" + overrides[k]).join(", ");
  const offered = controls.length
    ? " 이 강의에서 바꿀 수 있는 설정은 " + controls.join(", ") + "입니다."
    : " 이 강의에는 바꿀 수 있는 설정이 없습니다.";
  return "주소의 " + named + "은(는) 이 강의의 설정이 아니어서 무시했습니다." + offered;
}

/**
 * @typedef {object} View what the address must say
 * @property {number} step
 * @property {string} [variant]               "" or absent for the lesson's own scenario
 * @property {Object<string, string>} overrides the student's parameters
 * @property {Object<string, string>} [base]   the lesson's own parameters: an override equal to one is left out
 * @property {boolean} [present]
 */

/**
 * writeQuery writes the query (with its "?") for a view: step first, then
 * the variant, the changed parameters in name order, and present=1 last.
 * @param {View} v
 * @returns {string}
 */
export function writeQuery(v) {
  const q = new URLSearchParams();
  q.set("step", String(v.step));
  if (v.variant) q.set("variant", v.variant);
  const base = v.base || {};
  for (const k of Object.keys(v.overrides).sort()) {
    if (reserved.has(k)) continue;
    if (v.overrides[k] !== base[k]) q.set(k, v.overrides[k]);
  }
  if (v.present) q.set("present", "1");
  return "?" + q.toString();
}

/**
 * withPresent returns search with present=1 set or removed, the rest kept
 * as it is.
 * @param {string} search
 * @param {boolean} on
 * @returns {string}
 */
export function withPresent(search, on) {
  const q = new URLSearchParams(search);
  if (on) q.set("present", "1");
  else q.delete("present");
  const s = q.toString();
  return s ? "?" + s : "";
}
