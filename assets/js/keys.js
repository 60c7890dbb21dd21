// @ts-check
// keys.js: the one key table of the site. The lesson page, presentation
// mode (발표 모드) and the presenter window (발표자 화면) all read keys
// through keyAction; the stage's iframe forwards its keys to the page
// (assets/stage.js), so the table holds wherever the focus is.
//
// The lesson's step is a caption: →, ←, PageDown and PageUp (what a
// presentation clicker sends) go to the next or previous caption, the
// stage animating in between. Shift+→ and Shift+← move one engine event,
// as the timeline does.
//
// Letters are matched by physical key (KeyboardEvent.code) first: with the
// Korean input method on, P arrives as "ㅔ" (or "Process"), but its code is
// still KeyP.

/**
 * @typedef {"nextCaption"|"prevCaption"|"next"|"prev"|"toggle"|"home"|"end"
 *   |"present"|"fullscreen"|"presenter"|"blackout"|"escape"|"clearPointer"} Action
 */

/**
 * @typedef {object} KeyRow
 * @property {Action} action
 * @property {string[]} keys   KeyboardEvent.key values
 * @property {string[]} codes  KeyboardEvent.code values (letters, by position)
 * @property {boolean} shift   the row needs Shift held (false: Shift must be up, unless any)
 * @property {boolean} [anyShift] Shift does not matter
 * @property {string} label    how the key is written for people
 * @property {string} what     what it does, in the page's words
 */

/** @type {KeyRow[]} */
export const keyTable = [
  { action: "nextCaption", keys: ["ArrowRight", "PageDown"], codes: [], shift: false, label: "→, PageDown", what: "다음 단계" },
  { action: "prevCaption", keys: ["ArrowLeft", "PageUp"], codes: [], shift: false, label: "←, PageUp", what: "이전 단계" },
  { action: "next", keys: ["ArrowRight", "PageDown"], codes: [], shift: true, label: "Shift+→", what: "다음 이벤트" },
  { action: "prev", keys: ["ArrowLeft", "PageUp"], codes: [], shift: true, label: "Shift+←", what: "이전 이벤트" },
  { action: "toggle", keys: [" "], codes: [], shift: false, label: "Space", what: "재생/일시정지" },
  { action: "home", keys: ["Home"], codes: [], shift: false, label: "Home", what: "처음부터" },
  { action: "end", keys: ["End"], codes: [], shift: false, label: "End", what: "마지막 단계" },
  { action: "present", keys: ["p", "P"], codes: ["KeyP"], shift: false, anyShift: true, label: "P", what: "발표 모드" },
  { action: "fullscreen", keys: ["f", "F"], codes: ["KeyF"], shift: false, anyShift: true, label: "F", what: "전체 화면" },
  { action: "presenter", keys: ["s", "S"], codes: ["KeyS"], shift: false, anyShift: true, label: "S", what: "발표자 화면" },
  { action: "blackout", keys: ["b", "B", "."], codes: ["KeyB", "Period", "NumpadDecimal"], shift: false, anyShift: true, label: "B, .", what: "화면 가리기" },
  { action: "clearPointer", keys: ["c", "C"], codes: ["KeyC"], shift: false, anyShift: true, label: "C", what: "가리키기 지우기" },
  { action: "escape", keys: ["Escape"], codes: [], shift: false, anyShift: true, label: "Esc", what: "닫기, 발표 끝내기" },
];

/**
 * The parts of a KeyboardEvent the table reads.
 * @typedef {object} KeyInput
 * @property {string} key
 * @property {string} [code]
 * @property {boolean} [shiftKey]
 * @property {boolean} [altKey]
 * @property {boolean} [ctrlKey]
 * @property {boolean} [metaKey]
 */

/**
 * keyAction names what a key press does, or "" for a key the site leaves
 * alone (any key with Alt, Ctrl or Meta: those belong to the browser).
 * @param {KeyInput} e
 * @returns {Action|""}
 */
export function keyAction(e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return "";
  const shift = !!e.shiftKey;
  const fits = (/** @type {KeyRow} */ row) => row.anyShift || row.shift === shift;
  if (e.code) {
    for (const row of keyTable) if (row.codes.includes(e.code) && fits(row)) return row.action;
  }
  for (const row of keyTable) if (row.keys.includes(e.key) && fits(row)) return row.action;
  return "";
}

/**
 * keyLabel is how the keys of an action are written: "→, PageDown".
 * @param {Action} action
 * @returns {string}
 */
export function keyLabel(action) {
  const row = keyTable.find((r) => r.action === action);
  return row ? row.label : "";
}

/**
 * stepOps are the actions that are a stage command of the same name
 * (the others belong to the page or to presentation mode).
 * @type {ReadonlySet<string>}
 */
export const stepOps = new Set(["nextCaption", "prevCaption", "next", "prev", "toggle", "home", "end"]);

/**
 * typing reports whether a key event's target takes text (a field's keys
 * are its own).
 * @param {EventTarget|null} target
 * @returns {boolean}
 */
export function typing(target) {
  const t = /** @type {HTMLElement|null} */ (target);
  const tag = t && t.tagName;
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || !!(t && t.isContentEditable);
}

/**
 * ownKey reports whether the focused element uses this key itself: a
 * button's Space and Enter, a slider's arrows, a field's every key.
 * @param {EventTarget|null} target
 * @param {string} key
 * @returns {boolean}
 */
export function ownKey(target, key) {
  const t = /** @type {HTMLElement|null} */ (target);
  if (!t) return false;
  if (t.tagName === "INPUT" && /** @type {HTMLInputElement} */ (t).type === "range") {
    return key === "ArrowLeft" || key === "ArrowRight" || key === "Home" || key === "End" || key === "PageUp" || key === "PageDown" || key === "ArrowUp" || key === "ArrowDown";
  }
  if (typing(t)) return true;
  return t.tagName === "BUTTON" && (key === " " || key === "Enter");
}
