// @ts-check
// toc.js: 목차 offers "이어서 보기" for the lesson the student looked at
// last, and marks every lesson left part way with the step it was left at
// (progress.js, as lesson.js saves it).

import { load, parseProgress, progressKey } from "./progress.js";

const p = parseProgress(load(progressKey));
const last = p.lessons[p.last];
const box = document.getElementById("resume");
if (last && box) {
  const a = document.createElement("a");
  a.href = last.href;
  a.textContent = last.title + " — 단계 " + (last.step + 1); // step is 0-based, as in ?step=
  box.replaceChildren("이어서 보기: ", a);
  box.hidden = false;
}
document.querySelectorAll(".lesson-list li[data-lesson]").forEach((li) => {
  const seen = p.lessons[/** @type {HTMLElement} */ (li).dataset.lesson || ""];
  if (!seen || !(seen.step > 0)) return;
  const a = document.createElement("a");
  a.className = "seen";
  a.href = seen.href;
  a.textContent = "단계 " + (seen.step + 1) + "에서 이어 보기";
  li.querySelector("a")?.after(" ", a);
});
