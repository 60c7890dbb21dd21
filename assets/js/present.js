// @ts-check
// present.js: presentation mode (발표 모드) on a lesson page, the window a
// projector shows. It adds the 발표 모드 button and, while presenting,
// shows only the stage and the caption in large type, with a bar of
// always-visible controls, a blackout overlay (화면 가리기) and the stage
// in its projector theme. The address carries present=1, so a link opens
// a lesson already presenting. Its keys (keys.js) work wherever the focus
// is, the stage's iframe included: P enters and leaves, F full screen,
// B or . blacks the screen out, S opens the presenter window (발표자 화면,
// presenter.js), C clears the classroom pointer, Esc leaves, and the next
// caption (PageDown, →) at the end of the lesson's story goes on to the
// next lesson. Stepping itself stays with lesson.js (page.act, its one door).
//
// The projected window is the authority on the channel (channel.js): it
// answers "ask" with its state (lesson, step, playing, blackout, and where
// the stage draws its packets and hosts, for the presenter's pointer map)
// and announces every change; the presenter window sends commands and
// follows. Tests read window.connlabPresent.

import { openChannel } from "./channel.js";
import { stepText } from "./format.js";
import { onKey } from "./keyboard.js";
import { keyLabel } from "./keys.js";
import { withPresent } from "./urlstate.js";

/** @typedef {import("./types.js").LessonData} LessonData */
/** @typedef {import("./types.js").State} State */
/** @typedef {import("./types.js").Command} Command */
/** @typedef {import("./bridge.js").Bridge} Bridge */

/**
 * button makes a button that gives the keys back to the page after a
 * mouse click: space must mean play/pause for a clicker, not "click this
 * button again".
 * @param {string} label
 * @param {string} title
 * @param {() => void} onClick
 * @returns {HTMLButtonElement}
 */
export function button(label, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (title) b.title = title;
  b.addEventListener("click", (e) => {
    onClick();
    if (e.detail > 0) b.blur();
  });
  return b;
}

/**
 * session reads (value undefined), sets or removes (null) a sessionStorage
 * key: it survives reloads and lesson changes in this tab.
 * @param {string} key
 * @param {string|null} [value]
 * @returns {string|null}
 */
function session(key, value) {
  try {
    if (value === undefined) return sessionStorage.getItem(key);
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch (e) {
    // Storage off: the mode still works, it just forgets on reload.
  }
  return null;
}

/**
 * projectedWindow runs presentation mode on a lesson page.
 * @param {LessonData} data
 * @param {{ready: boolean, step: number, steps: number, endStep: number, caption: number, variant: string, act: (op: string|Command) => boolean}} page
 * @param {Bridge} bridge
 */
export function projectedWindow(data, page, bridge) {
  const root = document.documentElement;
  const startKey = "connlab.present.start";
  const blackoutKey = "connlab.present.blackout";
  const fullscreenKey = "connlab.present.fullscreen";
  const $ = (/** @type {string} */ id) => document.getElementById(id);

  const present = {
    presenting: false,
    blackout: false,
    fullscreen: false,
    presenter: false, // a presenter window has spoken to us
    theme: "default", // the stage's theme as last sent
    message: "", // the last notice shown
    pointer: "", // the pointer last asked for ("packet:12", "host:1", "")
  };
  /** @type {any} */ (window).connlabPresent = present;
  let ourExit = false; // we are leaving full screen ourselves
  /** @type {State|null} */
  let lastState = null;

  // The 발표 모드 button, at the end of the site header's links.
  const toggle = button("발표 모드", "발표 모드 (" + keyLabel("present") + ")", () => (present.presenting ? leave() : enter(true)));
  toggle.id = "present-toggle";
  toggle.className = "present-toggle";
  toggle.setAttribute("aria-pressed", "false");
  (document.querySelector(".site-header nav") || document.querySelector(".controls") || document.body).appendChild(toggle);

  // The bar shown while presenting: every control visible, none on hover.
  const bar = document.createElement("div");
  bar.className = "present-bar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "발표 조작");
  const prevBtn = button("◀ 이전 단계", "이전 단계 (" + keyLabel("prevCaption") + ")", () => command("prevCaption"));
  const playBtn = button("▶ 재생", "재생/일시정지 (" + keyLabel("toggle") + ")", () => command("toggle"));
  const nextBtn = button("다음 단계 ▶", "다음 단계 (" + keyLabel("nextCaption") + ")", () => command("nextCaption"));
  const position = document.createElement("output");
  position.id = "present-position";
  position.className = "present-position";
  position.textContent = "";
  const blackBtn = button("화면 가리기", "화면 가리기 (" + keyLabel("blackout") + ")", () => command("blackout"));
  blackBtn.setAttribute("aria-pressed", "false");
  const fullBtn = button("전체 화면", "전체 화면 (" + keyLabel("fullscreen") + ")", () => toggleFullscreen());
  fullBtn.setAttribute("aria-pressed", "false");
  const presenterBtn = button("발표자 화면", "발표자 화면 (" + keyLabel("presenter") + ")", () => openPresenter());
  const leaveBtn = button("발표 끝내기", "발표 끝내기 (Esc)", () => leave());
  const spacer = document.createElement("span");
  spacer.className = "present-spacer";
  bar.append(prevBtn, playBtn, nextBtn, position, spacer, blackBtn, fullBtn, presenterBtn, leaveBtn);
  const caption = $("current-caption");
  if (caption && caption.parentNode) caption.after(bar);
  else document.body.appendChild(bar);

  const overlay = document.createElement("div");
  overlay.id = "present-blackout";
  overlay.className = "present-blackout";
  overlay.hidden = true;
  const overlayText = document.createElement("span");
  overlayText.className = "visually-hidden";
  overlayText.textContent = "화면을 가렸습니다. B 키나 마침표를 누르면 다시 보입니다.";
  overlay.appendChild(overlayText);
  overlay.addEventListener("click", () => setBlackout(false));
  document.body.appendChild(overlay);

  const toast = document.createElement("p");
  toast.id = "present-toast";
  toast.className = "present-toast";
  toast.setAttribute("role", "status");
  toast.hidden = true;
  document.body.appendChild(toast);
  let toastTimer = 0;
  /**
   * @param {string} text
   * @param {number} [ms]
   */
  function notify(text, ms) {
    present.message = text;
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => (toast.hidden = true), ms || 5000);
  }

  const chan = openChannel(onMessage);

  // Before the first caption, lesson.js's hint to press → would be
  // projected; while presenting the lesson's title stands there instead.
  /** @type {string|null} */
  let hint = null; // what lesson.js had written, while the title shows
  function captionTitle() {
    if (!caption) return;
    const untitled = !lastState || lastState.caption < 0;
    if (present.presenting && untitled) {
      if (hint === null) hint = caption.innerHTML;
      caption.textContent = "강의 " + parseInt(data.id, 10) + " · " + data.title;
    } else if (hint !== null) {
      if (untitled) caption.innerHTML = hint;
      hint = null;
    }
  }

  /** @param {boolean} on */
  function setURL(on) {
    const url = location.pathname + withPresent(location.search, on);
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  }

  /** @param {boolean} gesture */
  function enter(gesture) {
    if (present.presenting) return;
    present.presenting = true;
    root.classList.add("presenting");
    toggle.setAttribute("aria-pressed", "true");
    setURL(true);
    captionTitle();
    if (!session(startKey)) session(startKey, String(Date.now()));
    sendTheme();
    if (gesture) {
      requestFullscreen();
    } else if (session(fullscreenKey)) {
      notify("아무 키나 누르면 전체 화면으로 돌아갑니다.");
    } else {
      notify("발표 모드입니다. F: 전체 화면 · B: 화면 가리기 · S: 발표자 화면 · Esc: 끝내기");
    }
    broadcast();
  }

  function leave() {
    if (!present.presenting) return;
    present.presenting = false;
    root.classList.remove("presenting");
    toggle.setAttribute("aria-pressed", "false");
    setBlackout(false);
    point("");
    setURL(false);
    captionTitle();
    session(fullscreenKey, null);
    sendTheme();
    if (document.fullscreenElement && document.exitFullscreen) {
      ourExit = true;
      document.exitFullscreen().catch(() => (ourExit = false));
    }
    toast.hidden = true;
    broadcast();
  }

  // sendTheme puts the stage in the theme the mode wants, once the stage
  // takes commands (it may still be loading).
  function sendTheme() {
    const want = present.presenting ? "projector" : "default";
    if (present.theme !== want && page.act({ op: "theme", value: want })) present.theme = want;
  }

  function requestFullscreen() {
    if (document.fullscreenElement) return;
    const el = document.documentElement;
    const refused = () =>
      notify("브라우저가 전체 화면을 허락하지 않았습니다. F 키를 한 번 더 누르거나 브라우저의 전체 화면 기능(F11)을 써 주세요.", 8000);
    if (!el.requestFullscreen) {
      notify("이 브라우저는 페이지의 전체 화면을 지원하지 않습니다. 브라우저의 전체 화면 기능(F11)을 써 주세요.", 8000);
      return;
    }
    try {
      const p = el.requestFullscreen({ navigationUI: "hide" });
      if (p && p.catch) p.catch(refused);
    } catch (e) {
      refused();
    }
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      ourExit = true;
      document.exitFullscreen().catch(() => (ourExit = false));
    } else {
      requestFullscreen();
    }
  }

  document.addEventListener("fullscreenchange", () => {
    const on = !!document.fullscreenElement;
    present.fullscreen = on;
    fullBtn.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) {
      session(fullscreenKey, "1");
      if (!toast.hidden && present.message.indexOf("전체 화면") >= 0) toast.hidden = true;
      return;
    }
    // In full screen the browser keeps Esc for itself: leaving full
    // screen without our asking is the Esc that ends the presentation.
    if (!ourExit && present.presenting) leave();
    else if (present.presenting) session(fullscreenKey, null);
    ourExit = false;
  });

  /** @param {boolean} on */
  function setBlackout(on) {
    if (on && !present.presenting) return;
    present.blackout = on;
    overlay.hidden = !on;
    root.classList.toggle("blacked-out", on);
    blackBtn.setAttribute("aria-pressed", on ? "true" : "false");
    session(blackoutKey, on ? "1" : null);
    broadcast();
  }

  // openPresenter opens the presenter window first: the key or click is
  // the one gesture the popup needs. Full screen waits for F, pressed
  // once this window is on the projector's screen.
  function openPresenter() {
    const w = window.open(data.url + "presenter/", "connlab-presenter", "popup,width=1200,height=800");
    if (!present.presenting) enter(false);
    if (!w) notify("발표자 화면을 열지 못했습니다. 브라우저가 팝업을 막았다면 이 사이트의 팝업을 허용해 주세요.", 8000);
  }

  // atEnd: the stage shows the end of the lesson's story.
  function atEnd() {
    return page.ready && page.steps > 0 && page.step >= page.endStep;
  }

  // nextLesson goes on to the next lesson, still presenting, from its start.
  function nextLesson() {
    if (!data.next) {
      notify("마지막 강의의 마지막 단계입니다.");
      return;
    }
    session(fullscreenKey, document.fullscreenElement ? "1" : null);
    chan.send({ type: "bye", from: "projector" });
    location.href = data.next.url + "?present=1&step=0";
  }

  /**
   * point rings a packet or host on the stage ("" clears it).
   * @param {string} target
   */
  function point(target) {
    present.pointer = target;
    page.act({ op: "point", target: target });
  }

  /**
   * command runs one command from the bar, the keys or the presenter
   * window: a key action's name, or a stage command (the pointer's).
   * @param {string|Command} op
   */
  function command(op) {
    if (typeof op === "object") {
      if (op && op.op === "point" && typeof op.target === "string") point(op.target);
      return;
    }
    switch (op) {
      case "nextCaption":
        if (present.presenting && atEnd()) nextLesson();
        else page.act(op);
        break;
      case "prevCaption":
      case "next":
      case "prev":
      case "toggle":
      case "home":
      case "end":
        page.act(op);
        break;
      case "blackout":
        setBlackout(!present.blackout);
        break;
      case "clearPointer":
        point("");
        break;
      case "timer":
        session(startKey, String(Date.now()));
        broadcast();
        break;
    }
  }

  // The keys of this mode, before the lesson page's (keyboard.js): they
  // reach us from the page and from the stage's iframe alike.
  onKey((action, e) => {
    if (e.repeat && action === "present") return true; // a held P must not flicker in and out
    if (present.presenting && session(fullscreenKey) && !document.fullscreenElement && action !== "escape" && action !== "fullscreen" && action !== "present") {
      requestFullscreen(); // a key is the gesture the browser asks for
    }
    switch (action) {
      case "present":
        present.presenting ? leave() : enter(true);
        return true;
      case "presenter":
        openPresenter();
        return true;
      case "fullscreen":
        if (!present.presenting) return false;
        toggleFullscreen();
        return true;
      case "blackout":
        if (!present.presenting) return false;
        command("blackout");
        return true;
      case "clearPointer":
        if (!present.pointer) return false;
        point("");
        return true;
      case "escape":
        if (!present.presenting) return false;
        leave();
        return true;
      case "nextCaption":
        if (!present.presenting || !atEnd()) return false;
        nextLesson();
        return true;
    }
    return false;
  }, true);

  // Every state of the stage: keep the bar, the theme and the presenter current.
  document.addEventListener("connlab:state", (e) => {
    const st = /** @type {State} */ (/** @type {CustomEvent} */ (e).detail);
    lastState = st;
    sendTheme();
    captionTitle();
    position.textContent = stepText(st.step, page.steps);
    playBtn.textContent = st.playing ? "‖ 일시정지" : "▶ 재생";
    playBtn.setAttribute("aria-pressed", st.playing ? "true" : "false");
    broadcast();
  });

  // While a presenter window listens, packets that move between two
  // states (an animation running) move on its map too.
  let sentHits = "";
  window.setInterval(() => {
    if (present.presenting && present.presenter && JSON.stringify(bridge.hits()) !== sentHits) broadcast();
  }, 500);

  function broadcast() {
    const st = lastState || /** @type {Partial<State>} */ ({});
    const hits = present.presenting ? bridge.hits() : [];
    sentHits = JSON.stringify(hits);
    const frame = $("stage");
    chan.send({
      type: "state",
      lesson: data.id,
      presenter: data.url + "presenter/",
      presenting: present.presenting,
      ready: page.ready,
      step: page.step,
      steps: page.steps,
      caption: page.caption,
      captions: st.captionTexts || [], // the shown run's captions, with its numbers
      captionSteps: st.captionSteps || [], // -1 for a caption the shown run leaves out
      variant: page.variant || "",
      playing: !!st.playing,
      time: st.time || "",
      blackout: present.blackout,
      startedAt: Number(session(startKey)) || Date.now(),
      hits: hits,
      stageW: frame ? frame.clientWidth : 0,
      stageH: frame ? frame.clientHeight : 0,
      pointer: typeof st.pointer === "string" ? st.pointer : present.pointer,
    });
  }

  /** @param {any} msg */
  function onMessage(msg) {
    if (!msg || !present.presenting) return;
    switch (msg.type) {
      case "ask":
        present.presenter = true;
        broadcast();
        break;
      case "bye":
        if (msg.from === "presenter") present.presenter = false;
        break;
      case "cmd":
        present.presenter = true;
        command(msg.op);
        break;
    }
  }

  window.addEventListener("pagehide", () => {
    if (present.presenting) chan.send({ type: "bye", from: "projector" });
  });

  if (new URLSearchParams(location.search).get("present") === "1") {
    enter(false);
    if (session(blackoutKey)) setBlackout(true);
  }
}
