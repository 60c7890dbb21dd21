// @ts-check
// keyboard.js: one keydown listener for a page, wherever the focus is.
// The page's modules register handlers (presentation mode before the
// lesson page, so that its keys win); the first that takes an action
// ends it. The stage's iframe forwards its keys here through
// window.connlabKey (assets/js/stage.js), so the stage having the focus
// changes nothing.

import { keyAction, ownKey } from "./keys.js";

/** @typedef {import("./keys.js").Action} Action */
/** @typedef {import("./keys.js").KeyInput & {repeat?: boolean}} KeyPress */

/**
 * A handler returns whether it took the action.
 * @typedef {(action: Action, e: KeyPress) => boolean} Handler
 */

/** @type {Handler[]} */
const handlers = [];
let installed = false;

/**
 * onKey adds a handler; first puts it before the others.
 * @param {Handler} h
 * @param {boolean} [first]
 */
export function onKey(h, first) {
  if (first) handlers.unshift(h);
  else handlers.push(h);
  install();
}

/**
 * dispatch gives a key press to the handlers; it returns whether one took it.
 * @param {KeyPress} e
 * @returns {boolean}
 */
export function dispatch(e) {
  const action = keyAction(e);
  if (!action) return false;
  for (const h of handlers) if (h(action, e)) return true;
  return false;
}

function install() {
  if (installed) return;
  installed = true;
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented) return;
    // Esc closes and leaves even from a field; any other key a focused
    // control uses itself (a button's Space, a field's letters) is its own.
    if (e.key !== "Escape" && ownKey(e.target, e.key)) return;
    if (dispatch(e)) {
      e.preventDefault();
      e.stopPropagation();
    }
  });
  // Keys pressed while the stage (in its iframe) has the focus.
  /** @type {any} */ (window).connlabKey = (/** @type {KeyPress} */ e) => dispatch(e);
}
