// node --test: step labels and times (assets/js/format.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesText, captionAt, captionText, elapsedText, positionText, profileName, stepText, timeText } from "../format.js";

test("steps count from 1", () => {
  assert.equal(stepText(0, 52), "단계 1 / 52");
  assert.equal(stepText(7, 52), "단계 8 / 52");
});

test("captions count from 1, with a word before the first", () => {
  assert.equal(captionText(-1, 5), "설명 전 / 5");
  assert.equal(captionText(1, 5), "설명 2 / 5");
});

test("a caption as the shown run has it", () => {
  const steps = [{ caption: "핸드셰이크에 100 ms가 걸렸습니다." }, { caption: "끝." }];
  assert.equal(captionAt(["핸드셰이크에 200 ms가 걸렸습니다.", "끝."], steps, 0), "핸드셰이크에 200 ms가 걸렸습니다.");
  assert.equal(captionAt([], steps, 0), "핸드셰이크에 100 ms가 걸렸습니다."); // before the stage reports
  assert.equal(captionAt(undefined, steps, 1), "끝.");
  assert.equal(captionAt(["a"], steps, 5), "");
});

test("times as a student reads them", () => {
  assert.equal(timeText("0.050035s"), "50.0 ms");
  assert.equal(timeText("0.35s"), "350 ms");
  assert.equal(timeText("0s"), "0 ms");
  assert.equal(timeText("9.9994s"), "9999 ms");
  assert.equal(timeText("9.9995s"), "10.00 s");
  assert.equal(timeText("60.48s"), "60.48 s");
  assert.equal(timeText(""), "–");
  assert.equal(timeText(undefined), "–");
  assert.equal(timeText("soon"), "soon");
});

test("the position label", () => {
  assert.equal(positionText({ step: 7, steps: 52, caption: 1, time: "0.05s" }, 5), "단계 8 / 52 · 설명 2 / 5 · 50.0 ms");
  assert.equal(positionText({ step: 0, steps: 3, caption: -1 }, 0), "단계 1 / 3");
});

test("elapsed time and profiles", () => {
  assert.equal(elapsedText(0), "0:00");
  assert.equal(elapsedText(123000), "2:03");
  assert.equal(elapsedText(3723000), "1:02:03");
  assert.equal(elapsedText(-5), "0:00");
  assert.equal(profileName("book"), "교과서");
  assert.equal(profileName("today"), "오늘날");
});

test("bytesText groups digits as toLocaleString(\"ko-KR\") does", () => {
  for (const n of [0, 7, 999, 1000, 14480, 1234567, 1000000000, -4096, 12.5, 1448.25]) {
    assert.equal(bytesText(n), n.toLocaleString("ko-KR", { maximumFractionDigits: 20 }), String(n));
  }
});
