// @ts-check
// bridge.js: the lesson page's side of window.connlab, the functions the
// stage's wasm exposes in its iframe (wasm/bridge_js.go): load, command,
// state, lines, pcap and hits. The stage only enqueues what it is given
// and answers from what its last Update published.

/** @typedef {import("./types.js").State} State */
/** @typedef {import("./types.js").Command} Command */
/** @typedef {import("./types.js").Hit} Hit */
/** @typedef {import("./types.js").Line} Line */

/**
 * @typedef {object} Connlab window.connlab in the stage's iframe
 * @property {(json: string) => void} load
 * @property {(json: string) => void} command
 * @property {() => string} state
 * @property {(from: number, to: number) => string} lines
 * @property {() => Uint8Array|string|null} pcap the run's pcap file, or why there is none (Korean)
 * @property {() => string} hits
 */

export class Bridge {
  /** @param {HTMLIFrameElement} iframe */
  constructor(iframe) {
    this.iframe = iframe;
  }

  /**
   * api is window.connlab of the stage, or null while it is not running
   * (or on another origin).
   * @returns {Connlab|null}
   */
  api() {
    try {
      const w = /** @type {any} */ (this.iframe.contentWindow);
      return w && w.connlab ? /** @type {Connlab} */ (w.connlab) : null;
    } catch (e) {
      return null;
    }
  }

  /**
   * started reports whether the stage said it runs (window.connlabReady).
   * @returns {boolean}
   */
  started() {
    try {
      const w = /** @type {any} */ (this.iframe.contentWindow);
      return !!(w && w.connlabReady && w.connlab);
    } catch (e) {
      return false;
    }
  }

  /** @returns {State|null} */
  state() {
    const b = this.api();
    if (!b) return null;
    try {
      return /** @type {State} */ (JSON.parse(b.state()));
    } catch (e) {
      return null;
    }
  }

  /**
   * command sends one command; it returns whether there was a stage to take it.
   * @param {Command} cmd
   * @returns {boolean}
   */
  command(cmd) {
    const b = this.api();
    if (!b) return false;
    b.command(JSON.stringify(cmd));
    return true;
  }

  /**
   * load runs a scenario.
   * @param {{scenario: string, params: Object<string, string>, captions: string[], texts?: string[], step: number}} l
   * @returns {boolean}
   */
  load(l) {
    const b = this.api();
    if (!b) return false;
    b.load(JSON.stringify(l));
    return true;
  }

  /**
   * lines returns the event lines [from, to): the canonical English line
   * and, where the stage gives one, its Korean sentence.
   * @param {number} from
   * @param {number} to
   * @returns {Line[]}
   */
  lines(from, to) {
    const b = this.api();
    if (!b) return [];
    let raw;
    try {
      raw = JSON.parse(b.lines(from, to));
    } catch (e) {
      return [];
    }
    if (!Array.isArray(raw)) return [];
    return raw.map((l) => (typeof l === "string" ? { text: l } : { text: String(l.text || ""), ko: typeof l.ko === "string" ? l.ko : undefined }));
  }

  /**
   * hits lists where the packets and hosts drawn now are, in CSS pixels
   * of the iframe.
   * @returns {Hit[]}
   */
  hits() {
    const b = this.api();
    if (!b || typeof b.hits !== "function") return [];
    try {
      const h = JSON.parse(b.hits());
      return Array.isArray(h) ? h : [];
    } catch (e) {
      return [];
    }
  }

  /** @returns {Uint8Array|string|null} the file, or why there is none */
  pcap() {
    const b = this.api();
    return b ? b.pcap() : null;
  }
}

/**
 * hitTarget names a hit as the point command does: "packet:12", "host:1".
 * A stage that lists packets only gives {packet: N}.
 * @param {Hit} h
 * @returns {string}
 */
export function hitTarget(h) {
  const kind = h.kind || (typeof h.packet === "number" ? "packet" : "");
  const index = typeof h.index === "number" ? h.index : h.packet;
  return kind && typeof index === "number" ? kind + ":" + index : "";
}
