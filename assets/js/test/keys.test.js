// node --test: the key table (assets/js/keys.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { keyAction, keyLabel, keyTable, stepOps } from "../keys.js";

test("arrows and the clicker's PageUp/PageDown go by caption", () => {
  assert.equal(keyAction({ key: "ArrowRight" }), "nextCaption");
  assert.equal(keyAction({ key: "PageDown" }), "nextCaption");
  assert.equal(keyAction({ key: "ArrowLeft" }), "prevCaption");
  assert.equal(keyAction({ key: "PageUp" }), "prevCaption");
});

test("Shift with an arrow moves one engine event", () => {
  assert.equal(keyAction({ key: "ArrowRight", shiftKey: true }), "next");
  assert.equal(keyAction({ key: "ArrowLeft", shiftKey: true }), "prev");
});

test("space plays and pauses; Home and End", () => {
  assert.equal(keyAction({ key: " " }), "toggle");
  assert.equal(keyAction({ key: "Home" }), "home");
  assert.equal(keyAction({ key: "End" }), "end");
});

test("letters by physical key, whatever the input method types", () => {
  assert.equal(keyAction({ key: "ㅔ", code: "KeyP" }), "present");
  assert.equal(keyAction({ key: "Process", code: "KeyB" }), "blackout");
  assert.equal(keyAction({ key: "ㅊ", code: "KeyC" }), "clearPointer");
  assert.equal(keyAction({ key: ".", code: "Period" }), "blackout");
  assert.equal(keyAction({ key: "s" }), "presenter");
  assert.equal(keyAction({ key: "F", shiftKey: true }), "fullscreen");
  assert.equal(keyAction({ key: "Escape" }), "escape");
});

test("keys with Alt, Ctrl or Meta belong to the browser", () => {
  for (const mod of ["altKey", "ctrlKey", "metaKey"]) {
    assert.equal(keyAction({ key: "ArrowRight", [mod]: true }), "", mod);
    assert.equal(keyAction({ key: "p", code: "KeyP", [mod]: true }), "", mod);
  }
});

test("other keys do nothing", () => {
  for (const key of ["a", "Enter", "Tab", "ArrowUp", "ArrowDown", "1"]) assert.equal(keyAction({ key }), "", key);
  assert.equal(keyAction({ key: " ", shiftKey: true }), "");
});

test("every key of the table resolves to its own row", () => {
  for (const row of keyTable) {
    for (const key of row.keys) assert.equal(keyAction({ key, shiftKey: row.shift }), row.action, key);
    for (const code of row.codes) assert.equal(keyAction({ key: "?", code, shiftKey: row.shift }), row.action, code);
  }
});

test("labels and stage commands", () => {
  assert.equal(keyLabel("nextCaption"), "→, PageDown");
  assert.equal(keyLabel("next"), "Shift+→");
  assert.ok(stepOps.has("nextCaption") && stepOps.has("next") && !stepOps.has("blackout"));
});
