// @ts-check
// log.js: 이벤트 기록, the text log of the events up to the current step (the
// last 60). Each line is the stage's Korean sentence, with the engine's
// canonical English line in its title and, for teachers, in place of the
// Korean when 원문 is switched on. Stepping forward appends, so the live
// region announces just the new lines.

/** @typedef {import("./bridge.js").Bridge} Bridge */
/** @typedef {import("./types.js").Line} Line */

const logMax = 60;

export class EventLog {
  /**
   * @param {HTMLOListElement} list
   * @param {Bridge} bridge
   */
  constructor(list, bridge) {
    this.list = list;
    this.bridge = bridge;
    this.from = 0;
    this.to = 0; // lines [from, to) are shown
    this.moving = false;
  }

  /** clear forgets the lines (another run). */
  clear() {
    this.list.replaceChildren();
    this.from = this.to = 0;
  }

  /**
   * show shows the lines up to step. While the stage moves (playing, or
   * animating towards a caption) the list is busy: a screen reader speaks
   * the new lines once it stops, not one event after another.
   * @param {number} step
   * @param {boolean} moving
   */
  show(step, moving) {
    const list = this.list;
    this.moving = moving;
    const to = step + 1;
    if (to === this.to) return this.markCurrent();
    if (to > this.to && to - this.to <= logMax && this.to > 0) {
      this.append(this.to, to);
    } else if (to < this.to && to > this.from) {
      while (this.to > to && list.lastElementChild) {
        list.lastElementChild.remove();
        this.to--;
      }
    } else {
      list.setAttribute("aria-busy", "true");
      list.replaceChildren();
      this.from = this.to = Math.max(0, to - logMax);
      this.append(this.from, to);
    }
    while (this.to - this.from > logMax && list.firstElementChild) {
      list.firstElementChild.remove();
      this.from++;
    }
    this.markCurrent();
  }

  /**
   * @param {number} from
   * @param {number} to
   */
  append(from, to) {
    const lines = this.bridge.lines(from, to);
    lines.forEach((line, i) => this.list.appendChild(lineItem(line, from + i)));
    this.to = from + lines.length;
  }

  markCurrent() {
    const list = this.list;
    list.setAttribute("aria-busy", this.moving ? "true" : "false");
    list.querySelectorAll("li.current").forEach((li) => li.classList.remove("current"));
    if (list.lastElementChild) {
      list.lastElementChild.classList.add("current");
      list.scrollTop = list.scrollHeight;
    }
  }
}

/**
 * lineItem is one line of the log: the Korean sentence (or the canonical
 * line where the stage has none) and the canonical line for 원문.
 * @param {Line} line
 * @param {number} step 0-based
 * @returns {HTMLLIElement}
 */
export function lineItem(line, step) {
  const li = document.createElement("li");
  li.value = step + 1; // steps are numbered from 1 on the page
  li.title = line.text;
  li.dataset.text = line.text;
  if (line.ko) {
    const ko = document.createElement("span");
    ko.className = "line-ko";
    ko.textContent = line.ko;
    const en = document.createElement("span");
    en.className = "line-text";
    en.lang = "en";
    en.textContent = line.text;
    li.append(ko, en);
  } else {
    li.lang = "en";
    li.textContent = line.text;
  }
  return li;
}
