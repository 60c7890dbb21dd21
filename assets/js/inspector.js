// @ts-check
// inspector.js: 패킷 살펴보기, the fields of the packet selected on the stage.

import { timeText } from "./format.js";

/** @typedef {import("./types.js").Selected} Selected */

/**
 * @param {number|undefined} n
 * @returns {string|undefined}
 */
function byteText(n) {
  return n === undefined ? undefined : n + "바이트";
}

/**
 * inspectorRows lists the rows shown for a packet: name, value and an
 * optional note (the raw sequence numbers).
 * @param {Selected} sel
 * @returns {[string, string|number|undefined, string?][]}
 */
export function inspectorRows(sel) {
  const ip = sel.ip || {};
  const tcp = sel.tcp || {};
  const hasACK = /(^|\+)ACK(\+|$)/.test(tcp.flags || "");
  return [
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
    ...(sel.tls && sel.tls.length ? [/** @type {[string, string]} */ (["TLS 레코드", sel.tls.join(", ")])] : []),
  ];
}

/**
 * renderInspector fills body with a packet's fields.
 * @param {HTMLElement} body
 * @param {Selected} sel
 */
export function renderInspector(body, sel) {
  body.replaceChildren();
  const title = document.createElement("p");
  title.className = "inspector-title";
  const strong = document.createElement("strong");
  strong.textContent = sel.label;
  title.append(strong, " " + sel.from + " → " + sel.to + " · 보낸 시각 " + timeText(sel.sentAt) + " · 도착 " + timeText(sel.arriveAt));
  body.appendChild(title);
  const table = document.createElement("table");
  for (const [name, value, note] of inspectorRows(sel)) {
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
    h.textContent = sel.tls && sel.tls.length ? "HTTP 시작줄과 헤더 (TLS로 암호화되어 전선에서는 보이지 않음)" : "HTTP 시작줄과 헤더";
    const pre = document.createElement("pre");
    pre.textContent = sel.http;
    body.append(h, pre);
  }
}
