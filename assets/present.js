// present.js: presentation mode (발표 모드) on a lesson page, and the
// presenter window (발표자 화면) at /lessons/<id>/presenter/.
//
// On a lesson page (the projected window) it adds the 발표 모드 button and,
// while presenting, shows only the stage and the caption in large type,
// with a bar of always-visible controls, a blackout overlay (화면 가리기)
// and the stage in its projector theme. The address carries present=1, so
// a link opens a lesson already presenting. Keys work wherever the focus
// is, the stage's iframe included: P enters and leaves, F full screen,
// B or . blacks the screen out, S opens the presenter window, Esc leaves,
// and next (PageDown, →) at the last step goes on to the next lesson.
// Stepping itself stays with lesson.js (connlabPage.act, its one door).
//
// The two windows talk over BroadcastChannel("connlab-present"), or
// localStorage events where that is missing. The projected window is the
// authority: it answers "ask" with its state (lesson, step, playing,
// blackout...) and announces every change; the presenter window sends
// commands and follows, loading another lesson's presenter page when the
// projected window moves on. Tests read window.connlabPresent (projected)
// and window.connlabPresenter (presenter).
"use strict";

(function () {
  const channelName = "connlab-present";
  const $ = (id) => document.getElementById(id);
  const dataEl = $("lesson-data");
  if (!dataEl) return;
  const data = JSON.parse(dataEl.textContent);

  // openChannel returns {send(msg)}; onMessage gets every message another
  // window of this site sent (never our own).
  function openChannel(onMessage) {
    if (typeof BroadcastChannel === "function") {
      const bc = new BroadcastChannel(channelName);
      bc.onmessage = (e) => onMessage(e.data);
      return { send: (msg) => bc.postMessage(msg) };
    }
    // Fallback: a storage event fires in every other window of the origin
    // when a key changes; the counter makes every message a change.
    let n = 0;
    window.addEventListener("storage", (e) => {
      if (e.key !== channelName || !e.newValue) return;
      try {
        onMessage(JSON.parse(e.newValue).msg);
      } catch (err) {
        // Not ours, or cut short: ignore it.
      }
    });
    return {
      send: (msg) => {
        try {
          localStorage.setItem(channelName, JSON.stringify({ msg: msg, n: n++, t: Date.now() }));
        } catch (e) {
          // Storage is off: the windows cannot talk.
        }
      },
    };
  }

  // keyName maps a key event to the name this file uses, by physical key
  // where letters are concerned: with the Korean input method on, P arrives
  // as "ㅔ" (or "Process"), but its code is still KeyP.
  function keyName(e) {
    switch (e.code) {
      case "KeyP":
        return "p";
      case "KeyF":
        return "f";
      case "KeyS":
        return "s";
      case "KeyB":
      case "Period":
      case "NumpadDecimal":
        return "b";
    }
    switch (e.key) {
      case "p":
      case "P":
        return "p";
      case "f":
      case "F":
        return "f";
      case "s":
      case "S":
        return "s";
      case "b":
      case "B":
      case ".":
        return "b";
      case "ArrowRight":
      case "PageDown":
        return "next";
      case "ArrowLeft":
      case "PageUp":
        return "prev";
      case " ":
        return "toggle";
      case "Home":
        return "home";
      case "End":
        return "end";
      case "Escape":
        return "esc";
    }
    return "";
  }

  // typing reports whether a key event belongs to a text field.
  function typing(e) {
    const t = e.target;
    const tag = t && t.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || !!(t && t.isContentEditable);
  }

  function button(label, title, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (title) b.title = title;
    b.addEventListener("click", (e) => {
      onClick();
      // After a mouse click, give the keys back to the page: space must
      // mean play/pause for a clicker, not "click this button again".
      if (e.detail > 0) b.blur();
    });
    return b;
  }

  // elapsedText formats milliseconds as 1:02:03 or 2:03.
  function elapsedText(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return h > 0 ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
  }

  if ($("presenter")) presenterWindow();
  else if ($("stage")) projectedWindow();

  // projectedWindow runs on a lesson page.
  function projectedWindow() {
    const page = window.connlabPage;
    const root = document.documentElement;
    const iframe = $("stage");
    const startKey = "connlab.present.start"; // sessionStorage: survives reloads and lesson changes in this tab
    const blackoutKey = "connlab.present.blackout";
    const fullscreenKey = "connlab.present.fullscreen";

    const present = (window.connlabPresent = {
      presenting: false,
      blackout: false,
      fullscreen: false,
      presenter: false, // a presenter window has spoken to us
      theme: "default", // the stage's theme as last sent
      message: "", // the last notice shown
    });
    let ourExit = false; // we are leaving full screen ourselves
    let lastState = null;

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

    // The 발표 모드 button, at the end of the site header's links (the
    // step controls already fill their row at 1280 pixels).
    const toggle = button("발표 모드", "발표 모드 (P)", () => (present.presenting ? leave() : enter(true)));
    toggle.id = "present-toggle";
    toggle.className = "present-toggle";
    toggle.setAttribute("aria-pressed", "false");
    (document.querySelector(".site-header nav") || document.querySelector(".controls") || document.body).appendChild(toggle);

    // The bar shown while presenting: every control visible, none on hover.
    const bar = document.createElement("div");
    bar.className = "present-bar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "발표 조작");
    const prevBtn = button("◀ 이전 단계", "이전 단계 (PageUp, ←)", () => command("prev"));
    const playBtn = button("▶ 재생", "재생/일시정지 (Space)", () => command("toggle"));
    const nextBtn = button("다음 단계 ▶", "다음 단계 (PageDown, →)", () => command("next"));
    const position = document.createElement("output");
    position.id = "present-position";
    position.className = "present-position";
    position.textContent = "불러오는 중…";
    const blackBtn = button("화면 가리기", "화면 가리기 (B 또는 .)", () => command("blackout"));
    blackBtn.setAttribute("aria-pressed", "false");
    const fullBtn = button("전체 화면", "전체 화면 (F)", () => toggleFullscreen());
    fullBtn.setAttribute("aria-pressed", "false");
    const presenterBtn = button("발표자 화면", "발표자 화면 (S)", () => openPresenter());
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
    function notify(text, ms) {
      present.message = text;
      toast.textContent = text;
      toast.hidden = false;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => (toast.hidden = true), ms || 5000);
    }

    const chan = openChannel(onMessage);

    // Before the first caption, lesson.js's hint to press → would be
    // projected; while presenting the lesson's title stands there instead.
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

    function setURL(on) {
      const q = new URLSearchParams(location.search);
      if (on) q.set("present", "1");
      else q.delete("present");
      const s = q.toString();
      const url = location.pathname + (s ? "?" + s : "");
      if (url !== location.pathname + location.search) history.replaceState(null, "", url);
    }

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
      if (present.theme !== want && page && page.act && page.act({ op: "theme", value: want })) present.theme = want;
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

    function atEnd() {
      return !!page && page.ready && page.steps > 0 && page.step >= page.steps - 1;
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

    // command runs one command from the bar, the keys or the presenter window.
    function command(op) {
      switch (op) {
        case "next":
          if (present.presenting && atEnd()) nextLesson();
          else if (page) page.act("next");
          break;
        case "prev":
        case "toggle":
        case "home":
        case "end":
          if (page) page.act(op);
          break;
        case "blackout":
          setBlackout(!present.blackout);
          break;
        case "timer":
          session(startKey, String(Date.now()));
          broadcast();
          break;
      }
    }

    // onKey sees every key first (capture phase), on the page and in the
    // stage's iframe. It takes the keys of this mode; stepping keys stay
    // with lesson.js on the page and with the stage in the iframe, except
    // next at the last step, which goes on to the next lesson.
    function onKey(e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented || typing(e)) return;
      const k = keyName(e);
      if (e.repeat && k === "p") return; // a held P must not flicker in and out
      if (present.presenting && session(fullscreenKey) && !document.fullscreenElement && k !== "esc" && k !== "f" && k !== "p") {
        requestFullscreen(); // a key is the gesture the browser asks for
      }
      let done = true;
      switch (k) {
        case "p":
          present.presenting ? leave() : enter(true);
          break;
        case "s":
          openPresenter();
          break;
        case "f":
          if (present.presenting) toggleFullscreen();
          else done = false;
          break;
        case "b":
          if (present.presenting) command("blackout");
          else done = false;
          break;
        case "esc":
          if (present.presenting) leave();
          else done = false;
          break;
        case "next":
          if (present.presenting && atEnd()) nextLesson();
          else done = false;
          break;
        default:
          done = false;
      }
      if (done) {
        e.preventDefault();
        e.stopPropagation();
      }
    }
    window.addEventListener("keydown", onKey, true);

    // The stage's document is ours too (same origin): listen there as well.
    let stageWindow = null;
    function watchStage() {
      try {
        const w = iframe.contentWindow;
        if (!w || w === stageWindow || w.location.href === "about:blank") return;
        stageWindow = w;
        w.addEventListener("keydown", onKey, true);
      } catch (e) {
        // Another origin: its keys stay its own.
      }
    }
    iframe.addEventListener("load", watchStage);
    watchStage();

    // Every state of the stage: keep the bar, the theme and the presenter current.
    document.addEventListener("connlab:state", (e) => {
      lastState = e.detail;
      sendTheme();
      captionTitle();
      const st = e.detail;
      position.textContent = "단계 " + (st.step + 1) + " / " + st.steps;
      playBtn.textContent = st.playing ? "‖ 일시정지" : "▶ 재생";
      playBtn.setAttribute("aria-pressed", st.playing ? "true" : "false");
      broadcast();
    });

    function broadcast() {
      const st = lastState || {};
      chan.send({
        type: "state",
        lesson: data.id,
        presenter: data.url + "presenter/",
        presenting: present.presenting,
        ready: !!(page && page.ready),
        step: page ? page.step : 0,
        steps: page ? page.steps : 0,
        caption: page ? page.caption : -1,
        variant: page ? page.variant || "" : "",
        playing: !!st.playing,
        time: st.time || "",
        blackout: present.blackout,
        startedAt: Number(session(startKey)) || Date.now(),
      });
    }

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

  // presenterWindow runs on /lessons/<id>/presenter/.
  function presenterWindow() {
    const pres = (window.connlabPresenter = {
      lesson: data.id,
      connected: false,
      step: -1,
      steps: 0,
      caption: -1,
      variant: "", // the variant the projected window shows, "" for the lesson's own scenario
      playing: false,
      blackout: false,
    });
    const link = $("presenter-link");
    const posEl = $("presenter-position");
    const nowEl = $("presenter-caption");
    const nextEl = $("presenter-next");
    const playBtn = document.querySelector('[data-cmd="toggle"]');
    const blackBtn = document.querySelector('[data-cmd="blackout"]');
    let startedAt = 0;

    const chan = openChannel(onMessage);

    function status(text, ok) {
      link.textContent = text;
      link.classList.toggle("ok", !!ok);
    }

    function send(op) {
      chan.send({ type: "cmd", op: op });
    }

    function onMessage(msg) {
      if (!msg) return;
      if (msg.type === "bye" && msg.from === "projector") {
        pres.connected = false;
        status("발표 화면과 연결이 끊겼습니다. 발표 화면이 다시 열리면 이어서 따라갑니다.");
        return;
      }
      if (msg.type !== "state") return;
      if (!msg.presenting) {
        pres.connected = false;
        status("발표 화면이 발표 모드를 끝냈습니다. 강의 페이지에서 P 키나 ‘발표 모드’ 단추로 다시 시작하세요.");
        return;
      }
      if (msg.lesson !== data.id) {
        location.replace(msg.presenter); // the projected window moved on
        return;
      }
      pres.connected = true;
      status("발표 화면과 연결되었습니다.", true);
      show(msg);
    }

    function show(msg) {
      pres.step = msg.step;
      pres.steps = msg.steps;
      pres.caption = msg.caption;
      pres.playing = msg.playing;
      pres.blackout = msg.blackout;
      startedAt = msg.startedAt || startedAt;
      const c = msg.caption;
      // The captions of the scenario the projected window shows (a variant's, or the lesson's own).
      const variant = (data.variants || []).find((v) => v.scenario === msg.variant);
      const steps = variant ? variant.steps : data.steps;
      pres.variant = variant ? variant.scenario : "";
      if (!msg.ready) {
        posEl.textContent = "무대를 불러오는 중…";
      } else {
        posEl.textContent =
          "단계 " + (msg.step + 1) + " / " + msg.steps +
          " · 설명 " + (c + 1) + " / " + steps.length + (msg.time ? " · " + msg.time : "");
      }
      if (c >= 0 && c < steps.length) nowEl.innerHTML = steps[c].caption; // our own rendered Markdown
      else nowEl.textContent = "아직 첫 설명 전입니다.";
      if (c + 1 < steps.length) nextEl.innerHTML = steps[c + 1].caption;
      else if (data.next) nextEl.textContent = "이 강의의 마지막 설명입니다. 마지막 단계에서 다음 단계로 가면 다음 강의 ‘" + data.next.title + "’로 넘어갑니다.";
      else nextEl.textContent = "마지막 강의의 마지막 설명입니다.";
      playBtn.textContent = msg.playing ? "‖ 일시정지" : "▶ 재생";
      playBtn.setAttribute("aria-pressed", msg.playing ? "true" : "false");
      blackBtn.setAttribute("aria-pressed", msg.blackout ? "true" : "false");
      document.documentElement.classList.toggle("blacked-out", !!msg.blackout);
      tick();
    }

    document.querySelectorAll("[data-cmd]").forEach((b) => {
      b.addEventListener("click", (e) => {
        send(b.dataset.cmd);
        if (e.detail > 0) b.blur();
      });
    });

    // The clicker may be paired with the laptop, whose focus is here.
    document.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey || typing(e)) return;
      const k = keyName(e);
      const op = k === "b" ? "blackout" : ["next", "prev", "toggle", "home", "end"].indexOf(k) >= 0 ? k : "";
      if (!op) return;
      if (e.target && e.target.tagName === "BUTTON" && k === "toggle") return; // the button's own action
      e.preventDefault();
      send(op);
    });

    const clock = $("presenter-clock");
    const elapsed = $("presenter-elapsed");
    function tick() {
      const now = new Date();
      clock.textContent = now.toLocaleTimeString("ko-KR", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      elapsed.textContent = startedAt ? elapsedText(now.getTime() - startedAt) : "–";
    }
    setInterval(tick, 1000);
    tick();

    window.addEventListener("pagehide", () => chan.send({ type: "bye", from: "presenter" }));
    status("발표 화면을 찾는 중… 강의 페이지를 발표 모드로 열어 두세요.");
    chan.send({ type: "ask" });
  }
})();
