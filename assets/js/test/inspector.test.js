// node --test: the packet inspector's frame number (assets/js/inspector.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { frameText } from "../inspector.js";

test("the frame a student finds in Wireshark", () => {
  assert.equal(frameText(7), "pcap 프레임 7");
  assert.equal(frameText(0), "pcap에 없음 (다른 캡처 지점의 패킷)");
  assert.equal(frameText(undefined), "pcap에 없음 (다른 캡처 지점의 패킷)");
});
