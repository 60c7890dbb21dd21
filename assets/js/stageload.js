// @ts-check
// stageload.js: begins the stage's compile while the stage page is still
// being parsed (its download began with the page's <link rel="preload">,
// which this fetch takes over). It is a classic script at the end of
// <body>, so it runs as soon as the parser reaches it, with the progress
// bar above it in place; the module scripts (stage.js) run only after
// parsing and their own imports, which on a busy main thread (the lesson
// page shares it) is half a second later. stage.js awaits
// window.connlabStageModule, the compiled WebAssembly.Module, and runs it.
(function () {
  const w = /** @type {any} */ (window);
  if (typeof WebAssembly !== "object" || typeof WebAssembly.compile !== "function") {
    return; // stage.js says so in Korean
  }
  const bar = /** @type {HTMLProgressElement} */ (document.getElementById("progress"));
  const barText = document.getElementById("progress-text");
  const size = Number(document.body.dataset.wasmSize) || 0;

  /** @param {number} n */
  function mb(n) {
    return (n / 1048576).toFixed(1) + " MB";
  }

  /** @param {string} url */
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

  /** @returns {Promise<WebAssembly.Module>} */
  async function compile() {
    const resp = await fetchWithProgress("/stage.wasm");
    if (typeof WebAssembly.compileStreaming === "function") {
      return WebAssembly.compileStreaming(resp);
    }
    return WebAssembly.compile(await resp.arrayBuffer());
  }

  const module = compile();
  module.catch(() => {}); // stage.js awaits it and shows the failure
  w.connlabStageModule = module;
})();
