// @ts-check
// The stage page's loader: checks that WebAssembly and WebGL2 exist and runs
// /stage.wasm, which stageload.js downloads (with a progress bar) and
// compiles, with Go's wasm_exec.js. The
// wasm (Ebiten) then draws on its own canvas and exposes window.connlab
// (the stage bridge). On failure it shows a Korean message and tells the
// lesson page through window.parent.connlabStageFailed(message).
import { keyAction } from "./keys.js";

(function () {
  const w = /** @type {any} */ (window);
  const loading = document.getElementById("loading");
  const failure = document.getElementById("failure");

  /** @param {string} message */
  function fail(message) {
    loading.hidden = true;
    failure.hidden = false;
    failure.textContent = message;
    w.connlabStageError = message;
    try {
      const parent = /** @type {any} */ (window.parent);
      if (parent !== window && typeof parent.connlabStageFailed === "function") {
        parent.connlabStageFailed(message);
      }
    } catch (e) {
      // A parent from another origin cannot be told; the message is on screen.
    }
  }

  function hasWebGL2() {
    try {
      return !!document.createElement("canvas").getContext("webgl2");
    } catch (e) {
      return false;
    }
  }

  // Keys go to the lesson page, whose one key table (keys.js) applies
  // wherever the focus is: a key the table names never reaches Ebiten's
  // canvas (which would act on it a second time), and Tab is left to the
  // browser, so the focus passes through the stage (Ebiten calls
  // preventDefault on every key its canvas sees). Standalone (/stage/),
  // the stage keeps its own keys.
  window.addEventListener(
    "keydown",
    function (e) {
      if (window.parent === window) return;
      if (e.key === "Tab") {
        e.stopPropagation();
        return;
      }
      let taken = false;
      try {
        const forward = /** @type {any} */ (window.parent).connlabKey;
        if (typeof forward === "function") {
          taken = forward({ key: e.key, code: e.code, shiftKey: e.shiftKey, altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey, repeat: e.repeat });
        }
      } catch (err) {
        // Cross-origin parent: nothing to forward to.
      }
      if (taken || keyAction(e)) {
        e.preventDefault(); // no scrolling of the parent either
        e.stopPropagation();
      }
    },
    true
  );

  // Ebiten makes its canvas focusable with tabindex="1", ahead of the
  // page's order, and hides its focus outline: put it in document order
  // and name it; stage.css draws the focus ring.
  new MutationObserver(function (_, obs) {
    const canvas = document.querySelector("canvas");
    if (!canvas) return;
    canvas.setAttribute("tabindex", "0");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "무대: 패킷과 커넥션 상태의 애니메이션. 같은 내용이 이벤트 기록에 글로 있습니다.");
    obs.disconnect();
  }).observe(document.body, { childList: true });

  async function start() {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      fail("이 브라우저는 WebAssembly를 지원하지 않아 무대를 보여 줄 수 없습니다. 최신 Chrome, Firefox, Safari, Edge로 열어 주세요.");
      return;
    }
    if (!hasWebGL2()) {
      fail("이 브라우저에서 WebGL2를 쓸 수 없어 무대를 그릴 수 없습니다. 브라우저 설정에서 하드웨어 가속을 켜거나 다른 브라우저로 열어 주세요. 강의 글과 단계별 설명은 그대로 읽을 수 있습니다.");
      return;
    }
    if (typeof w.Go !== "function") {
      fail("wasm_exec.js를 불러오지 못했습니다. make wasm으로 무대를 다시 만들어 주세요.");
      return;
    }
    if (!w.connlabStageModule) {
      fail("stageload.js를 불러오지 못했습니다. 서버가 assets 폴더를 모두 내보내는지 확인해 주세요.");
      return;
    }
    try {
      const go = new w.Go();
      // stageload.js began the download and compile as the page was parsed.
      const instance = await WebAssembly.instantiate(await w.connlabStageModule, go.importObject);
      loading.hidden = true;
      go.run(instance).then(function () {
        fail("무대 프로그램이 멈췄습니다. 페이지를 새로 고쳐 주세요.");
      });
    } catch (e) {
      fail(e && e.message && /[가-힣]/.test(e.message)
        ? e.message
        : "무대를 시작하지 못했습니다: " + e);
    }
  }

  start();
})();
