// Tests of progress.js: node --test assets/
import test from "node:test";
import assert from "node:assert/strict";
import { empty, parse, serialize, markSolved, merge, count } from "./progress.js";

test("a solved problem is counted once, in its own lesson", () => {
  let p = empty();
  p = markSolved(p, "07-nagle/1");
  p = markSolved(p, "07-nagle/1");
  p = markSolved(p, "07-nagle/c1");
  p = markSolved(p, "07-nagle/p1");
  assert.equal(count(p, "07-nagle"), 3);
  assert.equal(count(p, "08-time-wait"), 0);
  assert.deepEqual(p.solved["07-nagle"], ["07-nagle/1", "07-nagle/c1", "07-nagle/p1"]);
  assert.equal(markSolved(p, "not an id"), p);
});

test("a file written by serialize reads back the same", () => {
  const p = markSolved(markSolved(empty(), "01-tcp-connection/2"), "18-compare/c1");
  assert.deepEqual(parse(serialize(p)), p);
});

test("import merges and never forgets", () => {
  const here = markSolved(empty(), "02-segments/1");
  const file = markSolved(markSolved(empty(), "02-segments/2"), "03-transaction-delay/p1");
  const m = merge(here, file);
  assert.equal(count(m, "02-segments"), 2);
  assert.equal(count(m, "03-transaction-delay"), 1);
  assert.equal(count(here, "02-segments"), 1, "merge does not change its inputs");
});

test("bad files get a Korean error", () => {
  const bad = [
    ["not json", "JSON"],
    ["[]", "커넥션 랩"],
    ['{"format":"other","version":1,"solved":{}}', "커넥션 랩"],
    ['{"format":"connlab-progress","version":2,"solved":{}}', "버전"],
    ['{"format":"connlab-progress","version":1}', "solved"],
    ['{"format":"connlab-progress","version":1,"solved":{"07-nagle":"07-nagle/1"}}', "배열"],
    ['{"format":"connlab-progress","version":1,"solved":{"07-nagle":["08-time-wait/1"]}}', "알 수 없는 문제"],
    ['{"format":"connlab-progress","version":1,"solved":{"07-nagle":[7]}}', "알 수 없는 문제"],
  ];
  for (const [text, word] of bad) {
    assert.throws(() => parse(text), (e) => e instanceof Error && e.message.includes(word), text);
  }
});
