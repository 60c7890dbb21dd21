// The stage page's loader: checks that WebAssembly and WebGL2 exist, downloads
// /stage.wasm with a progress bar, and runs it with Go's wasm_exec.js. The
// wasm (Ebiten) then draws on its own canvas and exposes window.connlab
// (the stage bridge). On failure it shows a Korean message and tells the
// lesson page through window.parent.connlabStageFailed(message).
"use strict";

(function () {
  const loading = document.getElementById("loading");
  const bar = document.getElementById("progress");
  const barText = document.getElementById("progress-text");
  const failure = document.getElementById("failure");
  const size = Number(document.body.dataset.wasmSize) || 0;

  function fail(message) {
    loading.hidden = true;
    failure.hidden = false;
    failure.textContent = message;
    window.connlabStageError = message;
    try {
      if (window.parent !== window && typeof window.parent.connlabStageFailed === "function") {
        window.parent.connlabStageFailed(message);
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

  // Keys the stage does not handle itself go to the lesson page, so that
  // page-level shortcuts work while the stage has focus.
  const stageKeys = new Set(["ArrowRight", "ArrowLeft", " ", "Home", "End", "PageUp", "PageDown"]);
  window.addEventListener("keydown", function (e) {
    if (stageKeys.has(e.key)) {
      e.preventDefault(); // no scrolling of the parent; Ebiten reads the key itself
      return;
    }
    try {
      if (window.parent !== window && typeof window.parent.connlabKey === "function") {
        if (window.parent.connlabKey(e.key)) e.preventDefault();
      }
    } catch (err) {
      // Cross-origin parent: nothing to forward to.
    }
  });

  function mb(n) {
    return (n / 1048576).toFixed(1) + " MB";
  }

  async function fetchWithProgress(url) {
    const resp = await fetch(url);
    if (!resp.ok) {
      throw new Error(resp.status === 404
        ? "무대 파일(stage.wasm)이 없습니다. 서버를 실행한 폴더에서 make wasm으로 먼저 만들어 주세요."
        : "무대 파일을 내려받지 못했습니다 (HTTP " + resp.status + ").");
    }
    // Decompressed bytes arrive through the stream; the page was rendered
    // with the decompressed size, which Content-Length (compressed) is not.
    const total = size || Number(resp.headers.get("Content-Length")) || 0;
    if (!resp.body || !total) {
      bar.removeAttribute("value");
      return resp;
    }
    let got = 0;
    const reader = resp.body.getReader();
    const stream = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        got += value.byteLength;
        const pct = Math.min(100, Math.floor((got / total) * 100));
        bar.value = pct;
        barText.textContent = mb(got) + " / " + mb(total) + " (" + pct + "%)";
        controller.enqueue(value);
      },
    });
    return new Response(stream, { headers: { "Content-Type": "application/wasm" } });
  }

  async function start() {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      fail("이 브라우저는 WebAssembly를 지원하지 않아 무대를 보여 줄 수 없습니다. 최신 Chrome, Firefox, Safari, Edge로 열어 주세요.");
      return;
    }
    if (!hasWebGL2()) {
      fail("이 브라우저에서 WebGL2를 쓸 수 없어 무대를 그릴 수 없습니다. 브라우저 설정에서 하드웨어 가속을 켜거나 다른 브라우저로 열어 주세요. 강의 글과 단계별 설명은 그대로 읽을 수 있습니다.");
      return;
    }
    if (typeof Go !== "function") {
      fail("wasm_exec.js를 불러오지 못했습니다. make wasm으로 무대를 다시 만들어 주세요.");
      return;
    }
    try {
      const go = new Go();
      const resp = await fetchWithProgress("/stage.wasm");
      let result;
      if (typeof WebAssembly.instantiateStreaming === "function") {
        result = await WebAssembly.instantiateStreaming(resp, go.importObject);
      } else {
        result = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
      }
      loading.hidden = true;
      go.run(result.instance).then(function () {
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
