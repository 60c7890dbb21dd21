// node --test: the address (assets/js/urlstate.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { droppedNotice, onlyControls, parseQuery, withPresent, writeQuery } from "../urlstate.js";

test("parse a full address", () => {
  const q = parseQuery("?step=7&variant=proxy-connection&rtt=200ms&present=1&nagle=false");
  assert.deepEqual(q, { step: 7, badStep: null, variant: "proxy-connection", present: true, overrides: { rtt: "200ms", nagle: "false" } });
});

test("parse an empty address", () => {
  assert.deepEqual(parseQuery(""), { step: null, badStep: null, variant: null, present: false, overrides: {} });
});

test("a step that is not a whole number ≥ 0 is reported, not used", () => {
  for (const s of ["-1", "1.5", "abc", "", "99999999999999999999"]) {
    const q = parseQuery("?step=" + encodeURIComponent(s));
    assert.equal(q.step, null, s);
    assert.equal(q.badStep, s, s);
  }
  assert.equal(parseQuery("?step=0").step, 0);
});

test("write: step, variant, changed parameters by name, present last", () => {
  const s = writeQuery({ step: 3, variant: "graceful", overrides: { rtt: "200ms", mss: "536", profile: "today" }, base: { profile: "today" }, present: true });
  assert.equal(s, "?step=3&variant=graceful&mss=536&rtt=200ms&present=1");
  assert.equal(writeQuery({ step: 0, overrides: {} }), "?step=0");
});

test("write then parse gives the view back", () => {
  const view = { step: 12, variant: "retry", overrides: { a: "1 2", "b&c": "x=y" }, present: false };
  const q = parseQuery(writeQuery(view));
  assert.equal(q.step, 12);
  assert.equal(q.variant, "retry");
  assert.deepEqual(q.overrides, view.overrides);
  assert.equal(q.present, false);
});

test("reserved names never become parameters", () => {
  assert.equal(writeQuery({ step: 1, overrides: { step: "9", present: "1" } }), "?step=1");
});

test("present on and off keeps the rest", () => {
  assert.equal(withPresent("?step=2&rtt=1ms", true), "?step=2&rtt=1ms&present=1");
  assert.equal(withPresent("?step=2&present=1", false), "?step=2");
  assert.equal(withPresent("?present=1", false), "");
});

test("only the lesson's controls come from the address", () => {
  const q = parseQuery("?mss=88&rtt=200ms&bandwidth=56kbps&images=20&imagesize=200000&step=3");
  const { kept, dropped } = onlyControls(q.overrides, ["rtt", "bandwidth", "conns", "profile"]);
  assert.deepEqual(kept, { rtt: "200ms", bandwidth: "56kbps" });
  assert.deepEqual(dropped, ["mss", "images", "imagesize"]);
  assert.deepEqual(onlyControls({ rtt: "1s" }, []), { kept: {}, dropped: ["rtt"] });
  assert.deepEqual(onlyControls({}, ["rtt"]), { kept: {}, dropped: [] });
});

test("the notice names each dropped setting and what the lesson offers", () => {
  const msg = droppedNotice({ mss: "88", images: "20" }, ["mss", "images"], ["rtt", "bandwidth"]);
  assert.equal(msg, "주소의 mss=88, images=20은(는) 이 강의의 설정이 아니어서 무시했습니다. 이 강의에서 바꿀 수 있는 설정은 rtt, bandwidth입니다.");
  assert.match(droppedNotice({ rtt: "1s" }, ["rtt"], []), /바꿀 수 있는 설정이 없습니다/);
});
