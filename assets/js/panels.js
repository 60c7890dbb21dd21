// @ts-check
// panels.js: the panels beside the stage (패킷 살펴보기, 설정, 이벤트 기록).
// One at a time opens at the top of the text column, next to the stage,
// where it stays in view while the text scrolls (site.css); on a narrow
// screen it opens in the page's flow under the controls, never over them.
// A panel closes with its 닫기 button or Esc.

export class Panels {
  /**
   * @param {string[]} ids the panels, by element id
   * @param {Object<string, HTMLElement|null>} buttons the button that opens each, by panel id
   * @param {(id: string) => void} onClose called after a panel closed
   */
  constructor(ids, buttons, onClose) {
    this.ids = ids;
    this.buttons = buttons;
    this.onClose = onClose;
    for (const id of ids) {
      const el = document.getElementById(id);
      if (!el) continue;
      el.querySelectorAll(".panel-close").forEach((btn) => btn.addEventListener("click", () => this.close(id)));
    }
    for (const [id, btn] of Object.entries(buttons)) {
      if (btn) btn.addEventListener("click", () => (this.isOpen(id) ? this.close(id) : this.open(id, true)));
    }
  }

  /**
   * @param {string} id
   * @returns {boolean}
   */
  isOpen(id) {
    const el = document.getElementById(id);
    return !!el && !el.hidden;
  }

  /**
   * open shows a panel in place of any other, and moves the focus into it
   * when asked (not when a click on the stage opened it: the keys stay
   * with the stage then).
   * @param {string} id
   * @param {boolean} focus
   */
  open(id, focus) {
    const el = document.getElementById(id);
    if (!el) return;
    for (const other of this.ids) if (other !== id) this.close(other);
    el.hidden = false;
    if (el.parentElement) el.parentElement.scrollTop = 0;
    const btn = this.buttons[id];
    if (btn) btn.setAttribute("aria-expanded", "true");
    if (focus) {
      const first = /** @type {HTMLElement|null} */ (el.querySelector("input, select, .panel-close"));
      if (first) first.focus({ preventScroll: true });
    }
    // Where the panel opens in the flow (a narrow screen), bring it into view.
    if (getComputedStyle(el.parentElement || el).position === "static") el.scrollIntoView({ block: "nearest" });
  }

  /**
   * close hides a panel; it returns whether the panel was open.
   * @param {string} id
   * @returns {boolean}
   */
  close(id) {
    const el = document.getElementById(id);
    if (!el || el.hidden) return false;
    const hadFocus = el.contains(document.activeElement);
    el.hidden = true;
    const btn = this.buttons[id];
    if (btn) {
      btn.setAttribute("aria-expanded", "false");
      if (hadFocus) btn.focus();
    }
    this.onClose(id);
    return true;
  }

  /**
   * closeAll closes every open panel (Esc); it returns whether one was open.
   * @returns {boolean}
   */
  closeAll() {
    let closed = false;
    for (const id of this.ids) closed = this.close(id) || closed;
    return closed;
  }
}
