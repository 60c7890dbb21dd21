// toc.js offers "이어서 보기" on the table of contents: the lesson and step
// the student last looked at, as lesson.js saved them.
"use strict";

(function () {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem("connlab.progress") || "null");
  } catch (e) {
    return; // storage off or unreadable: nothing to offer
  }
  if (!saved || typeof saved.href !== "string" || !saved.href.startsWith("/lessons/")) return;
  const box = document.getElementById("resume");
  const a = document.createElement("a");
  a.href = saved.href;
  a.textContent = saved.title + " — 단계 " + (saved.step + 1); // saved.step is 0-based, as in ?step=
  box.replaceChildren("이어서 보기: ", a);
  box.hidden = false;
})();
