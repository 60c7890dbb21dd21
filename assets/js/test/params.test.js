// node --test: parameters (assets/js/params.js) and what is remembered (remember.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkValue, fallback, formValue, rejectedKey, rejectionMessage, runParams, runSettings, sameParams, withRun } from "../params.js";
import { parseSpeed, parseSteps, record } from "../remember.js";

const rtt = { key: "rtt", doc: "왕복 시간", allowed: "1ms..10s", default: "100ms" };
const profile = { key: "profile", doc: "기준", allowed: "book, today", default: "today", choices: ["book", "today"] };

test("overrides apply unless ignored", () => {
  assert.deepEqual(runParams({ rtt: "100ms", profile: "today" }, { rtt: "5ms", mss: "536" }), { rtt: "5ms", profile: "today", mss: "536" });
  assert.deepEqual(runParams({ rtt: "100ms" }, { rtt: "5ms" }, ["rtt"]), { rtt: "100ms" });
});

test("withRun keeps ignored overrides and records differences", () => {
  assert.deepEqual(withRun({ rtt: "5ms", mss: "1" }, { rtt: "100ms", mss: "1460" }, { rtt: "100ms", mss: "536" }, ["rtt"]), { rtt: "5ms", mss: "536" });
  assert.deepEqual(withRun({}, { rtt: "100ms" }, { rtt: "100ms" }), {});
});

test("sameParams", () => {
  assert.ok(sameParams({ a: "1" }, { a: "1" }));
  assert.ok(!sameParams({ a: "1" }, { a: "1", b: "2" }));
  assert.ok(!sameParams({ a: "1" }, { a: "2" }));
});

test("form values and fixed choices", () => {
  assert.equal(formValue("  ", rtt), "100ms");
  assert.equal(formValue(" 20ms ", rtt), "20ms");
  assert.equal(checkValue(profile, "book"), "");
  assert.match(checkValue(profile, "1990"), /book, today/);
  assert.equal(checkValue(rtt, "anything"), "", "the engine judges free text");
});

test("the refused parameter is the one the error names", () => {
  const good = { rtt: "100ms", mss: "1460" };
  assert.equal(rejectedKey("rtt: -5ms is below 1ms", { rtt: "-5ms", mss: "1460" }, good), "rtt");
  assert.equal(rejectedKey("bad mss=0", { rtt: "100ms", mss: "0" }, good), "mss");
  assert.equal(rejectedKey("scenario failed", { rtt: "100ms", mss: "1460" }, good), "");
});

test("fallback: the last good run, or the scenario's own", () => {
  const base = { rtt: "100ms" };
  assert.deepEqual(fallback({ rtt: "x" }, { rtt: "50ms" }, base), { params: { rtt: "50ms" }, toDefault: false });
  assert.deepEqual(fallback({ rtt: "x" }, { rtt: "100ms" }, base), { params: { rtt: "100ms" }, toDefault: true });
  assert.deepEqual(fallback({ rtt: "x" }, { rtt: "x" }, base), { params: { rtt: "100ms" }, toDefault: true });
});

test("the refusal is explained in Korean with the allowed range", () => {
  const m = rejectionMessage("rtt: too small", "rtt", { rtt: "-5ms" }, rtt, true);
  assert.match(m, /설정 rtt=-5ms을\(를\) 쓸 수 없습니다\. 허용 범위: 1ms\.\.10s\./);
  assert.match(m, /시뮬레이터의 설명: rtt: too small/);
  assert.match(m, /기본 설정으로/);
  assert.match(rejectionMessage("x", "", {}, undefined, false), /^설정을 쓸 수 없습니다\..*직전 설정으로/);
});

test("every lesson's step is kept, and the last lesson in the form 목차 reads", () => {
  let steps = parseSteps(null, null);
  assert.deepEqual(steps, {});
  let out = record(steps, "04-handshake", { title: "핸드셰이크", step: 5, href: "/lessons/04-handshake/?step=5" });
  steps = parseSteps(out.steps, out.last);
  out = record(steps, "05-delayed-ack", { title: "확인응답 지연", step: 2, href: "/lessons/05-delayed-ack/?step=2" });
  steps = parseSteps(out.steps, out.last);
  assert.equal(steps["04-handshake"].step, 5);
  assert.equal(steps["05-delayed-ack"].step, 2);
  assert.deepEqual(JSON.parse(out.last), { lesson: "05-delayed-ack", title: "확인응답 지연", step: 2, href: "/lessons/05-delayed-ack/?step=2" });
});

test("the older record of the last lesson only is read too", () => {
  const last = JSON.stringify({ lesson: "07-nagle", title: "네이글", step: 3, href: "/lessons/07-nagle/?step=3" });
  assert.deepEqual(parseSteps(null, last), { "07-nagle": { title: "네이글", step: 3, href: "/lessons/07-nagle/?step=3" } });
  const steps = JSON.stringify({ lessons: { "07-nagle": { title: "네이글", step: 9, href: "/lessons/07-nagle/?step=9" } } });
  assert.equal(parseSteps(steps, last)["07-nagle"].step, 9, "the per-lesson record wins");
});

test("what is not a record is left out", () => {
  for (const raw of ["{", "42", '"x"', JSON.stringify({ lessons: { a: { title: "t", step: -1, href: "/lessons/a/" } } }),
    JSON.stringify({ lessons: { a: { title: "t", step: 1, href: "https://evil.example/" } } }),
    JSON.stringify({ lessons: { a: { title: "t", step: 1.5, href: "/lessons/a/" } } })]) {
    assert.deepEqual(parseSteps(raw, raw), {}, raw);
  }
});

test("speed: an offered one, else 1", () => {
  assert.equal(parseSpeed("2"), 2);
  assert.equal(parseSpeed("0.25"), 0.25);
  assert.equal(parseSpeed("3"), 1);
  assert.equal(parseSpeed(null), 1);
  assert.equal(parseSpeed("NaN"), 1);
});

test("a run over the page's budget is told in the engine's Korean, without an allowed range", () => {
  const ko = "이 설정으로는 처리할 이벤트가 10만 개를 넘어 시뮬레이션을 멈췄습니다. bandwidth=56kbps을(를) 늘리세요.";
  const m = rejectionMessage("run too large", "bandwidth", { bandwidth: "56kbps" }, { key: "bandwidth", allowed: "56 kbps–10 Gbps" }, false, ko);
  assert.equal(m, ko + " 직전 설정으로 되돌렸습니다.");
});

test("an exercise run's banner names the settings that differ from the scenario's", () => {
  const defaults = { bandwidth: "1Mbps", queue: "8", profile: "today" };
  assert.equal(runSettings({ bandwidth: "1Mbps", queue: "8", profile: "today", conns: "1" }, defaults), "설정 conns=1");
  assert.equal(runSettings({ rtt: "60ms", conns: "2", profile: "today" }, { profile: "today" }), "설정 conns=2, rtt=60ms");
  assert.equal(runSettings({ profile: "book" }, defaults), "설정 profile=book");
  assert.equal(runSettings({ profile: "today" }, { profile: "today" }), "강의의 기본 설정");
});
