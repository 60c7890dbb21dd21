// @ts-check
// toc.js offers "이어서 보기" on the table of contents (the lesson and step
// the student last looked at, as lesson.js saved them) and shows the
// problems solved per lesson (progress.js), with export and import of that
// record as a small JSON file.

import * as progress from "./progress.js";

function resume() {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem("connlab.progress") || "null");
  } catch (e) {
    return; // storage off or unreadable: nothing to offer
  }
  if (!saved || typeof saved.href !== "string" || !saved.href.startsWith("/lessons/")) return;
  const box = /** @type {HTMLElement} */ (document.getElementById("resume"));
  const a = document.createElement("a");
  a.href = saved.href;
  a.textContent = saved.title + " — 단계 " + (saved.step + 1); // saved.step is 0-based, as in ?step=
  box.replaceChildren("이어서 보기: ", a);
  box.hidden = false;
}

/** @param {progress.Progress} p */
function showSolved(p) {
  let done = 0;
  let total = 0;
  document.querySelectorAll(".lesson-list li[data-lesson]").forEach((el) => {
    const li = /** @type {HTMLElement} */ (el);
    const n = Number(li.dataset.problems || 0);
    const k = Math.min(progress.count(p, li.dataset.lesson || ""), n);
    done += k;
    total += n;
    const span = /** @type {HTMLElement} */ (li.querySelector(".lesson-progress"));
    span.textContent = n ? (k === n ? "✓ " : "") + k + "/" + n + " 해결" : "";
    span.classList.toggle("complete", n > 0 && k === n);
  });
  const el = document.getElementById("progress-total");
  if (el && done > 0) el.textContent = "모두 " + total + "문제 가운데 " + done + "문제를 풀었습니다.";
}

/** @param {string} text @param {boolean} bad */
function message(text, bad) {
  const el = /** @type {HTMLElement} */ (document.getElementById("progress-message"));
  el.textContent = text;
  el.classList.toggle("bad", bad);
}

resume();
showSolved(progress.load());

document.getElementById("progress-export")?.addEventListener("click", () => {
  const blob = new Blob([progress.serialize(progress.load())], { type: "application/json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "connlab-progress.json";
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  message("진행 상황을 connlab-progress.json 파일로 내려받았습니다.", false);
});

document.getElementById("progress-import")?.addEventListener("change", async (ev) => {
  const input = /** @type {HTMLInputElement} */ (ev.target);
  const file = input.files && input.files[0];
  if (!file) return;
  try {
    if (file.size > 1_000_000) throw new Error("진행 상황 파일이 아닙니다: 파일이 너무 큽니다.");
    const merged = progress.merge(progress.load(), progress.parse(await file.text()));
    progress.save(merged);
    showSolved(merged);
    message("진행 상황을 불러왔습니다.", false);
  } catch (e) {
    message(e instanceof Error ? e.message : String(e), true);
  }
  input.value = "";
});
