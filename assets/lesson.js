// lesson.js drives a lesson page: it loads the lesson's scenario into the
// stage (the wasm in the <iframe>, through the bridge window.connlab of
// contract 3), sends it commands, and shows what the stage reports: the
// caption in force, metrics, the event log, the packet inspector. The URL
// always holds the lesson, the step and the changed parameters, so a reload
// or a shared link shows the same view; the last lesson and step are kept in
// localStorage for "이어서 보기".
//
// Steps are numbered from 1 on the page ("단계 8 / 52"), as on the stage's
// own header; the address keeps the 0-based index the stage uses (?step=7).
// Times are shown as a student reads them ("50.0 ms", "60.48 s"), except in
// 이벤트 기록, which keeps the engine's exact lines.
//
// A lesson may show other scenarios besides its own (front matter
// variants): the 시나리오 buttons switch the stage, the captions and the
// address (&variant=proxy-connection); the parameters the student changed
// carry over to every scenario they apply to.
//
// Every command goes through act(op), the one door a presentation mode or a
// presenter window can use too. Tests read window.connlabPage.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("lesson-data").textContent);
  const iframe = $("stage");
  const progressKey = "connlab.progress";

  // What tests (and a later presentation mode) read: plain values only.
  const page = (window.connlabPage = {
    lesson: data.id,
    step: 0,
    caption: -1,
    steps: 0,
    playing: false,
    ready: false,
    error: "",
    scenario: data.scenario, // the scenario on the stage
    variant: "", // its variant name, "" for the lesson's own
    act: act, // the one door for commands (present.js uses it)
  });

  const query = new URLSearchParams(location.search);
  const reserved = new Set(["step", "present", "variant"]);
  const variants = data.variants || [];
  let active = null; // the variant shown, null for the lesson's own scenario
  let overrides = {}; // parameters the student changed (address or 설정)
  for (const [k, v] of query) {
    if (!reserved.has(k)) overrides[k] = v;
  }
  if (query.has("variant")) {
    const name = query.get("variant");
    active = variants.find((v) => v.scenario === name) || null;
    if (!active) {
      notice(
        variants.length
          ? "주소의 variant=" + name + " 시나리오는 이 강의에 없습니다. 고를 수 있는 시나리오는 " +
              variants.map((v) => v.scenario + "(" + v.label + ")").join(", ") + "입니다. 이 강의의 기본 시나리오를 보여 드립니다."
          : "주소의 variant=" + name + " 시나리오는 이 강의에 없습니다. 이 강의의 시나리오를 보여 드립니다."
      );
    }
  }
  let params = runParams(); // what the stage runs with
  let goodParams = Object.assign({}, base()); // the last params that loaded

  // The shown scenario's name, captions and own parameters.
  function scenarioName() {
    return active ? active.scenario : data.scenario;
  }
  function steps() {
    return active ? active.steps : data.steps;
  }
  function base() {
    return active ? active.params : data.params;
  }

  // ignored reports whether parameter k does not apply to the shown scenario.
  function ignored(k) {
    return !!active && active.ignores.indexOf(k) >= 0;
  }

  // runParams is the scenario's own parameters with the student's changes.
  function runParams() {
    const out = Object.assign({}, base());
    for (const k of Object.keys(overrides)) if (!ignored(k)) out[k] = overrides[k];
    return out;
  }

  // setParams makes p the parameters the stage runs with, remembering how
  // they differ from the scenario's own.
  function setParams(p) {
    const b = base();
    for (const k of Object.keys(overrides)) if (!ignored(k)) delete overrides[k];
    for (const k of Object.keys(p)) if (p[k] !== b[k]) overrides[k] = p[k];
    params = runParams();
  }

  let requestedStep = null; // from ?step=, applied once the scenario is loaded
  if (query.has("step")) {
    const s = query.get("step");
    if (/^[0-9]+$/.test(s)) {
      requestedStep = Number(s);
    } else {
      notice("주소의 step=" + s + " 값을 이해하지 못했습니다. step=은 0 이상의 정수여야 합니다(step=0이 단계 1입니다). 처음부터 보여 드립니다.");
    }
  }

  let stageReady = false; // the wasm is running and window.connlab exists
  let loadPending = false; // a load was sent and its result not yet seen
  let captionSteps = [];
  let captionTexts = []; // the captions with the shown run's numbers (exercises helper, caption.go)
  let last = null; // the last state seen

  function bridge() {
    try {
      const w = iframe.contentWindow;
      return w && w.connlab ? w.connlab : null;
    } catch (e) {
      return null;
    }
  }

  // act sends one command to the stage: a string op ("next", "prev", "home",
  // "end", "play", "pause", "toggle") or an object ({op:"seek", step:N},
  // {op:"speed", value:2}...). It returns whether the stage took it.
  function act(op) {
    const cmd = typeof op === "string" ? { op: op } : op;
    const b = bridge();
    if (!b || !stageReady || loadPending) return false;
    b.command(JSON.stringify(cmd));
    return true;
  }

  // load (re)runs the scenario with the current params, at step 0. The
  // stage runs it on its next Update; two frames later its state is the
  // load's result (the stage does not notify when nothing it signals, such
  // as the number of steps, differs from the previous run).
  let loadFrame = 0;
  function load() {
    const b = bridge();
    if (!b) return;
    const st = state();
    loadFrame = st ? st.frame : 0;
    loadPending = true;
    b.load(
      JSON.stringify({
        scenario: scenarioName(),
        params: params,
        captions: steps().map((s) => s.at),
        texts: steps().map((s) => s.text || s.caption), // the stage fills in this run's numbers (captionTexts)
        step: 0,
      })
    );
    waitForLoad();
  }

  function waitForLoad() {
    requestAnimationFrame(() => {
      if (!loadPending) return;
      const st = state();
      if (st && st.frame >= loadFrame + 2) update();
      else waitForLoad();
    });
  }

  function onStageReady() {
    if (stageReady || !bridge()) return;
    stageReady = true;
    hide($("stage-message"));
    load();
  }

  // The stage calls these on the parent (contract 3).
  window.connlabStageReady = onStageReady;
  window.connlabStageChanged = update;
  window.connlabStageFailed = function (message) {
    page.error = message;
    const box = $("stage-message");
    box.textContent = message;
    box.hidden = false;
    $("current-caption").textContent = "무대를 불러오지 못했습니다. 강의 글과 단계별 설명은 그대로 읽을 수 있습니다.";
  };
  // Keys pressed while the stage has focus that the stage does not handle.
  window.connlabKey = function (key) {
    return handleKey(key);
  };
  // In case the stage became ready before this script ran.
  iframe.addEventListener("load", () => {
    try {
      if (iframe.contentWindow.connlabReady) onStageReady();
    } catch (e) {
      // not reachable: nothing to do
    }
  });
  try {
    if (iframe.contentWindow && iframe.contentWindow.connlabReady) onStageReady();
  } catch (e) {
    // not reachable yet
  }

  // stepText numbers a step (a 0-based index) from 1, as the stage's header does.
  function stepText(step, steps) {
    return "단계 " + (step + 1) + " / " + steps;
  }

  // timeText turns an engine time ("0.050035s") into what a student reads:
  // milliseconds with at most one decimal below 10 s ("50.0 ms", "350 ms"),
  // seconds with two decimals from there on ("60.48 s"). Anything else
  // (a missing value) shows as it came, or as "–".
  function timeText(t) {
    if (typeof t !== "string" || !/^-?[0-9]+(\.[0-9]+)?s$/.test(t)) return t || "–";
    const sec = parseFloat(t);
    const ms = sec * 1000;
    if (Math.abs(ms) >= 9999.5) return sec.toFixed(2) + " s";
    if (ms === 0) return "0 ms";
    return (Math.abs(ms) < 99.95 ? ms.toFixed(1) : ms.toFixed(0)) + " ms";
  }

  // showTime writes a formatted time into el and keeps the engine's exact
  // value in data-exact (and in the tooltip).
  function showTime(el, t) {
    el.textContent = timeText(t);
    if (t) {
      el.dataset.exact = t;
      el.title = t;
    } else {
      delete el.dataset.exact;
      el.removeAttribute("title");
    }
  }

  function state() {
    const b = bridge();
    if (!b) return null;
    try {
      return JSON.parse(b.state());
    } catch (e) {
      return null;
    }
  }

  // update reads the stage's state and redraws everything around it.
  function update() {
    const st = state();
    if (!st) return;
    if (loadPending) {
      if (st.frame < loadFrame + 2) return; // the load has not run yet
      loadPending = false;
      if (st.error) {
        loadFailed(st.error);
        return;
      }
      loaded(st);
    }
    last = st;
    page.ready = !!st.ready;
    page.error = st.error || "";
    page.step = st.step;
    page.caption = st.caption;
    page.steps = st.steps;
    page.playing = !!st.playing;
    captionSteps = st.captionSteps || [];
    captionTexts = st.captionTexts || [];

    const timeline = $("timeline");
    timeline.disabled = false;
    timeline.max = Math.max(0, st.steps - 1);
    timeline.value = st.step;
    timeline.setAttribute("aria-valuetext", stepText(st.step, st.steps));
    const position = $("position");
    position.textContent = stepText(st.step, st.steps) + " · " + timeText(st.time);
    position.dataset.exact = st.time;
    const play = $("play");
    play.textContent = st.playing ? "‖ 일시정지" : "▶ 재생";
    play.setAttribute("aria-pressed", st.playing ? "true" : "false");

    showCaption(st.caption);
    if (!active) revealPredictions(st.caption); // their captions are the lesson's own
    showMetrics(st.metrics || {});
    showLog(st.step);
    showInspector(st.selected);
    syncURL();
    saveProgress();
    document.dispatchEvent(new CustomEvent("connlab:state", { detail: st }));
  }

  // loaded runs once per successful load: report a bad ?step=, then go to it.
  function loaded(st) {
    goodParams = Object.assign({}, params);
    sendReducedMotion();
    if (requestedStep !== null) {
      const s = requestedStep;
      requestedStep = null;
      if (s >= st.steps) {
        notice(
          "주소의 step=" + s + "은(는) 범위를 벗어났습니다. 이 강의는 단계 1부터 " + st.steps + "까지이고, 주소로는 step=0부터 step=" +
            (st.steps - 1) + "까지입니다. 처음부터 보여 드립니다."
        );
      } else if (s > 0) {
        act({ op: "seek", step: s });
      }
    }
  }

  // loadFailed explains an engine error about the params in Korean and falls
  // back to the last params that worked, so the stage is never blank.
  function loadFailed(err) {
    const bad = Object.keys(params).find((k) => params[k] !== goodParams[k] && err.indexOf(k) >= 0) ||
      Object.keys(params).find((k) => err.indexOf(k + "=") >= 0);
    const ctl = data.controls.find((c) => c.key === bad);
    let msg = bad
      ? "설정 " + bad + "=" + params[bad] + "을(를) 쓸 수 없습니다."
      : "설정을 쓸 수 없습니다.";
    if (ctl) msg += " 허용 범위: " + ctl.allowed + ".";
    msg += " (시뮬레이터의 설명: " + err + ")";
    const fallback = sameParams(params, goodParams) ? base() : goodParams;
    msg += sameParams(fallback, base()) ? " 강의의 기본 설정으로 보여 드립니다." : " 직전 설정으로 되돌렸습니다.";
    page.error = err;
    const box = $("params-error");
    if (box) {
      box.textContent = msg;
      box.hidden = false;
      openPanel("params-panel", false);
    } else {
      notice(msg); // a lesson without 설정: the address named the parameter
    }
    markInvalid(bad);
    setParams(Object.assign({}, fallback));
    fillParamInputs();
    load();
  }

  function sameParams(a, b) {
    const keys = new Set(Object.keys(a).concat(Object.keys(b)));
    for (const k of keys) if (a[k] !== b[k]) return false;
    return true;
  }

  const startHint = "→ 키나 ‘다음 단계’ 단추로 한 단계씩 진행해 보세요.";

  function showCaption(i) {
    const cur = $("current-caption");
    const list = steps();
    if (i >= 0 && i < list.length) {
      cur.innerHTML = captionTexts[i] || list[i].caption; // our own rendered Markdown
    } else {
      cur.textContent = startHint;
    }
    document.querySelectorAll("#captions li").forEach((li) => {
      const n = Number(li.dataset.index);
      li.classList.toggle("current", n === i);
      li.classList.toggle("past", n < i);
      const btn = li.querySelector("button");
      if (captionTexts[n] && btn.innerHTML !== captionTexts[n]) btn.innerHTML = captionTexts[n];
      btn.disabled = !(captionSteps[n] >= 0);
      if (n === i) btn.setAttribute("aria-current", "step");
      else btn.removeAttribute("aria-current");
    });
  }

  // fitCaptionBox keeps the caption box as high as the lesson's longest
  // caption at the current width, so that neither the stage above it nor
  // the controls below change size from step to step. It measures again
  // when the box's width changes; in presentation mode present.css sizes
  // the box itself.
  let fittedWidth = -1;
  function fitCaptionBox() {
    const cur = $("current-caption");
    const width = cur.offsetWidth;
    if (document.documentElement.classList.contains("presenting") || width === 0) {
      cur.style.minHeight = "";
      fittedWidth = -1;
      return;
    }
    if (width === fittedWidth) return;
    fittedWidth = width;
    // A hidden copy of the box takes each caption in turn (the box itself
    // is a live region: it must not change).
    const probe = document.createElement("p");
    probe.className = cur.className;
    probe.setAttribute("aria-hidden", "true");
    probe.style.cssText = "position: absolute; visibility: hidden; left: 0; top: 0; min-height: 0; width: " + width + "px";
    cur.parentNode.appendChild(probe);
    let high = 0;
    for (const html of steps().map((s) => s.caption).concat([startHint])) {
      probe.innerHTML = html;
      high = Math.max(high, probe.offsetHeight);
    }
    probe.remove();
    cur.style.minHeight = high + "px";
  }
  new ResizeObserver(fitCaptionBox).observe($("current-caption"));
  new MutationObserver(fitCaptionBox).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  document.fonts.ready.then(() => {
    fittedWidth = -1;
    fitCaptionBox();
  });

  // revealPredictions opens each "먼저 예상해 보세요" answer once its caption is reached.
  function revealPredictions(i) {
    document.querySelectorAll(".predict").forEach((box) => {
      if (i + 1 >= Number(box.dataset.reveal)) reveal(box);
    });
  }

  function reveal(box) {
    box.classList.add("revealed");
    box.querySelector(".answer").hidden = false;
  }

  function showMetrics(m) {
    showTime($("m-elapsed"), m.elapsed);
    $("m-roundtrips").textContent = typeof m.roundTrips === "number" ? m.roundTrips.toFixed(1) : "–";
    $("m-conns").textContent = typeof m.conns === "number" ? String(m.conns) : "–";
    $("m-bytes").textContent = typeof m.bytes === "number" ? m.bytes.toLocaleString("ko-KR") : "–";
  }

  // The event log shows the canonical lines up to the current step (the
  // last 60); stepping forward appends, so the live region announces just
  // the new lines.
  const logMax = 60;
  let logFrom = 0;
  let logTo = 0; // lines [logFrom, logTo) are shown
  function showLog(step) {
    const b = bridge();
    const list = $("event-log");
    const to = step + 1;
    if (!b || to === logTo) return markCurrentLine(list);
    if (to > logTo && to - logTo <= logMax && logTo > 0) {
      appendLines(list, b, logTo, to);
    } else if (to < logTo && to > logFrom) {
      while (logTo > to) {
        list.lastElementChild.remove();
        logTo--;
      }
    } else {
      list.setAttribute("aria-busy", "true");
      list.replaceChildren();
      logFrom = logTo = Math.max(0, to - logMax);
      appendLines(list, b, logFrom, to);
      list.setAttribute("aria-busy", "false");
    }
    while (logTo - logFrom > logMax) {
      list.firstElementChild.remove();
      logFrom++;
    }
    markCurrentLine(list);
  }

  function appendLines(list, b, from, to) {
    let lines = [];
    try {
      lines = JSON.parse(b.lines(from, to));
    } catch (e) {
      return;
    }
    lines.forEach((line, i) => {
      const li = document.createElement("li");
      li.value = from + i + 1; // steps are numbered from 1 on the page
      li.textContent = line;
      list.appendChild(li);
    });
    logTo = from + lines.length;
  }

  function markCurrentLine(list) {
    list.querySelectorAll("li.current").forEach((li) => li.classList.remove("current"));
    if (list.lastElementChild) {
      list.lastElementChild.classList.add("current");
      list.scrollTop = list.scrollHeight;
    }
  }

  // Panels beside the stage (패킷 살펴보기, 설정, 이벤트 기록): one at a
  // time opens at the top of the text column, next to the stage, where it
  // stays in view while the text scrolls (site.css), and closes with its
  // 닫기 button or Esc. 패킷 살펴보기 is open exactly while the stage has a
  // packet selected: closing it clears the selection.
  const panelIDs = ["inspector", "params-panel", "log-panel"];
  const panelButtons = { "params-panel": $("params-open"), "log-panel": $("log-open") };

  function panelOpen(id) {
    const el = $(id);
    return !!el && !el.hidden;
  }

  // openPanel shows a panel in place of any other, and moves the focus
  // into it when asked (not when a click on the stage opened it: the keys
  // stay with the stage then).
  function openPanel(id, focus) {
    const el = $(id);
    if (!el) return;
    for (const other of panelIDs) if (other !== id) closePanel(other);
    el.hidden = false;
    el.parentElement.scrollTop = 0;
    const btn = panelButtons[id];
    if (btn) btn.setAttribute("aria-expanded", "true");
    if (focus) {
      const first = el.querySelector("input, select, .panel-close");
      if (first) first.focus();
    }
    if (id === "log-panel") markCurrentLine($("event-log"));
  }

  // closePanel hides a panel; it returns whether the panel was open.
  function closePanel(id) {
    const el = $(id);
    if (!el || el.hidden) return false;
    const hadFocus = el.contains(document.activeElement);
    el.hidden = true;
    const btn = panelButtons[id];
    if (btn) {
      btn.setAttribute("aria-expanded", "false");
      if (hadFocus) btn.focus();
    }
    if (id === "inspector") {
      shownPacket = null;
      act({ op: "select", packet: -1 });
    }
    return true;
  }

  // closePanels closes every open panel (Esc); it returns whether one was open.
  function closePanels() {
    let closed = false;
    for (const id of panelIDs) closed = closePanel(id) || closed;
    return closed;
  }

  document.querySelectorAll(".side-panel .panel-close").forEach((btn) => {
    btn.addEventListener("click", () => closePanel(btn.closest(".side-panel").id));
  });
  for (const [id, btn] of Object.entries(panelButtons)) {
    if (btn) btn.addEventListener("click", () => (panelOpen(id) ? closePanel(id) : openPanel(id, true)));
  }

  function byteText(n) {
    return n === undefined ? undefined : n + "바이트";
  }

  // showInspector shows the selected packet's fields (패킷 살펴보기).
  let shownPacket = null;
  function showInspector(sel) {
    const key = sel ? JSON.stringify(sel) : null;
    if (key === shownPacket) return;
    shownPacket = key;
    const panel = $("inspector");
    const body = $("inspector-body");
    body.replaceChildren();
    if (!sel) {
      panel.hidden = true;
      return;
    }
    const title = document.createElement("p");
    title.className = "inspector-title";
    const strong = document.createElement("strong");
    strong.textContent = sel.label;
    title.append(strong, " " + sel.from + " → " + sel.to + " · 보낸 시각 " + timeText(sel.sentAt) + " · 도착 " + timeText(sel.arriveAt));
    body.appendChild(title);
    const ip = sel.ip || {};
    const tcp = sel.tcp || {};
    const hasACK = /(^|\+)ACK(\+|$)/.test(tcp.flags || "");
    const rows = [
      ["IP 출발지", ip.src],
      ["IP 목적지", ip.dst],
      ["IP 전체 길이", byteText(ip.len)],
      ["TTL", ip.ttl],
      ["프로토콜", ip.proto],
      ["출발지 포트", tcp.srcPort],
      ["목적지 포트", tcp.dstPort],
      ["순번 (seq)", tcp.seq, "실제 값 " + tcp.seqRaw],
      hasACK ? ["확인응답 번호 (ack)", tcp.ack, "실제 값 " + tcp.ackRaw] : ["확인응답 번호 (ack)", "없음", "ACK 플래그 없음"],
      ["플래그", tcp.flags],
      ["윈도", tcp.window],
      ["데이터 길이", byteText(tcp.len)],
      ["TCP 헤더 길이", byteText(tcp.headerLen)],
      ["옵션", tcp.options || "없음"],
    ];
    const table = document.createElement("table");
    for (const [name, value, note] of rows) {
      const tr = table.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      tr.appendChild(th);
      const td = tr.insertCell();
      td.textContent = value === undefined ? "–" : String(value);
      if (note && value !== undefined) {
        const small = document.createElement("span");
        small.className = "raw";
        small.textContent = " (" + note + ")";
        td.appendChild(small);
      }
    }
    body.appendChild(table);
    if (sel.http) {
      const h = document.createElement("p");
      h.className = "http-title";
      h.textContent = "HTTP 시작줄과 헤더";
      const pre = document.createElement("pre");
      pre.textContent = sel.http;
      body.append(h, pre);
    }
    openPanel("inspector", false);
  }

  // syncURL writes lesson, step and changed params into the address bar.
  function syncURL() {
    const q = new URLSearchParams();
    q.set("step", String(page.step));
    if (active) q.set("variant", active.scenario);
    for (const k of Object.keys(overrides).sort()) {
      if (overrides[k] !== data.params[k]) q.set(k, overrides[k]);
    }
    // Presentation mode (present.js) sets or clears present= in the address.
    const present = new URLSearchParams(location.search).get("present");
    if (present) q.set("present", present);
    const url = location.pathname + "?" + q.toString();
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  }

  function saveProgress() {
    try {
      localStorage.setItem(
        progressKey,
        JSON.stringify({ lesson: data.id, title: data.title, step: page.step, href: location.pathname + location.search })
      );
    } catch (e) {
      // Storage may be off (private windows): progress is then not kept.
    }
  }

  // offerResume shows "이어서 보기" when the student left this lesson at a
  // later step and came back without a step in the address.
  function offerResume() {
    if (query.has("step")) return;
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(progressKey) || "null");
    } catch (e) {
      return;
    }
    if (!saved || saved.lesson !== data.id || !(saved.step > 0)) return;
    const box = $("resume");
    const a = document.createElement("a");
    a.href = saved.href;
    a.textContent = "이어서 보기";
    box.replaceChildren("지난번에 단계 " + (saved.step + 1) + "까지 보았습니다. ", a);
    box.hidden = false;
  }

  function notice(text) {
    const box = $("notice");
    box.querySelector("p").textContent = text;
    box.hidden = false;
  }

  function hide(el) {
    el.hidden = true;
  }

  // Keyboard: the page handles keys wherever its focus is; while the stage
  // has focus the stage handles its keys itself (contract 3).
  const keyOps = {
    ArrowRight: "next",
    ArrowLeft: "prev",
    " ": "toggle",
    Home: "home",
    End: "end",
    PageDown: "next",
    PageUp: "prev",
  };

  // handleKey applies a key the page handles; Esc closes the open panels
  // (in presentation mode Esc belongs to present.js, which leaves the mode).
  function handleKey(key) {
    if (key === "Escape") return !document.documentElement.classList.contains("presenting") && closePanels();
    const op = keyOps[key];
    return op ? act(op) : false;
  }

  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    if (e.key === "Escape") {
      if (handleKey(e.key)) e.preventDefault();
      return;
    }
    const t = e.target;
    const tag = t && t.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (t && t.isContentEditable)) return;
    if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) return; // the button's own action
    if (keyOps[e.key]) {
      e.preventDefault();
      handleKey(e.key);
    }
  });

  // Controls.
  document.querySelectorAll(".controls [data-op]").forEach((btn) => {
    btn.addEventListener("click", () => act(btn.dataset.op));
  });
  $("speed").addEventListener("change", (e) => act({ op: "speed", value: Number(e.target.value) }));
  $("timeline").addEventListener("input", (e) => act({ op: "seek", step: Number(e.target.value) }));
  $("captions").addEventListener("click", (e) => {
    const li = e.target.closest("#captions li");
    if (!li || !e.target.closest("button")) return;
    const s = captionSteps[Number(li.dataset.index)];
    if (s >= 0) act({ op: "seek", step: s });
  });

  // 시나리오: switching to a variant (name) or back to the lesson's own
  // scenario ("") reloads the stage at step 0 with that scenario's captions.
  function showVariant(name) {
    active = variants.find((v) => v.scenario === name) || null;
    page.scenario = scenarioName();
    page.variant = active ? active.scenario : "";
    document.querySelectorAll(".variants [data-variant]").forEach((btn) => {
      btn.setAttribute("aria-pressed", btn.dataset.variant === page.variant ? "true" : "false");
    });
    iframe.title = "무대: " + page.scenario + " 시나리오의 패킷 애니메이션";
    const list = $("captions");
    list.replaceChildren();
    steps().forEach((s, i) => {
      const li = document.createElement("li");
      li.dataset.index = String(i);
      const btn = document.createElement("button");
      btn.type = "button";
      btn.innerHTML = s.caption; // our own rendered Markdown
      li.appendChild(btn);
      list.appendChild(li);
    });
    params = runParams();
    goodParams = Object.assign({}, base());
    fillParamInputs();
    markInvalid(null);
    captionSteps = [];
    $("event-log").replaceChildren(); // another run's lines
    logFrom = logTo = 0;
    fittedWidth = -1;
    fitCaptionBox();
  }

  document.querySelectorAll(".variants [data-variant]").forEach((btn) => {
    btn.addEventListener("click", () => {
      if (btn.dataset.variant === page.variant) return;
      showVariant(btn.dataset.variant);
      page.step = 0;
      page.caption = -1;
      requestedStep = null;
      syncURL();
      if (stageReady) load();
    });
  });
  document.querySelectorAll(".predict .reveal").forEach((btn) => {
    btn.addEventListener("click", () => reveal(btn.closest(".predict")));
  });
  $("notice").querySelector("button").addEventListener("click", () => hide($("notice")));

  // Parameters: applying reloads the scenario and updates the URL.
  function fillParamInputs() {
    for (const c of data.controls) {
      const el = $("param-" + c.key);
      if (!el) continue;
      // A setting the shown scenario does not use still shows the student's
      // value: it applies again on a scenario that uses it.
      const value = c.key in overrides ? overrides[c.key] : params[c.key];
      el.value = value !== undefined ? value : c.default;
      el.disabled = ignored(c.key);
      const allowed = $("allowed-" + c.key);
      if (allowed) {
        if (allowed.dataset.text === undefined) allowed.dataset.text = allowed.textContent;
        allowed.textContent = el.disabled ? "이 시나리오의 결과를 바꾸지 않는 설정이라 지금은 쓰지 않습니다." : allowed.dataset.text;
      }
    }
  }

  function markInvalid(key) {
    for (const c of data.controls) {
      const el = $("param-" + c.key);
      if (el) el.setAttribute("aria-invalid", c.key === key ? "true" : "false");
    }
    const box = $("params-error");
    if (!key && box) hide(box);
  }

  const form = $("params"); // only on lessons with parameters to change
  if (form) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const p = Object.assign({}, params);
      for (const c of data.controls) {
        if (ignored(c.key)) continue;
        const v = $("param-" + c.key).value.trim() || c.default;
        if (v === c.default && base()[c.key] === undefined) delete p[c.key];
        else p[c.key] = v;
      }
      setParams(p);
      markInvalid(null);
      if (stageReady) load();
    });
  }
  const resetButton = $("params-reset");
  if (resetButton) {
    resetButton.addEventListener("click", () => {
      overrides = {};
      params = runParams();
      fillParamInputs();
      markInvalid(null);
      if (stageReady) load();
    });
  }

  // pcap 내려받기: the current run as a libpcap file from the stage.
  $("pcap").addEventListener("click", () => {
    const b = bridge();
    if (!b || !last) return;
    const bytes = b.pcap();
    const blob = new Blob([bytes], { type: "application/vnd.tcpdump.pcap" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = data.id + "-" + scenarioName() + ".pcap";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });

  // Reduced motion: the stage skips animation between steps.
  const motion = window.matchMedia("(prefers-reduced-motion: reduce)");
  function sendReducedMotion() {
    act({ op: "reducedMotion", value: motion.matches });
  }
  motion.addEventListener("change", sendReducedMotion);

  if (active) showVariant(active.scenario);
  fillParamInputs();
  offerResume();
})();
