// @ts-check
// channel.js: the presentation channel between the projected lesson page
// and the presenter window (발표자 화면): BroadcastChannel, or localStorage
// events where that is missing. Messages:
//   projected → presenter: {type:"state", ...}, {type:"bye", from:"projector"}
//   presenter → projected: {type:"ask"}, {type:"cmd", op}, {type:"bye", from:"presenter"}
// where op is a key action name ("nextCaption", "blackout"...) or a stage
// command object ({op:"point", target:"packet:12"}).

export const channelName = "connlab-present";

/**
 * @typedef {object} Channel
 * @property {(msg: any) => void} send
 */

/**
 * openChannel returns a channel; onMessage gets every message another
 * window of this site sent (never our own).
 * @param {(msg: any) => void} onMessage
 * @returns {Channel}
 */
export function openChannel(onMessage) {
  if (typeof BroadcastChannel === "function") {
    const bc = new BroadcastChannel(channelName);
    bc.onmessage = (e) => onMessage(e.data);
    return { send: (msg) => bc.postMessage(msg) };
  }
  // A storage event fires in every other window of the origin when a key
  // changes; the counter makes every message a change.
  let n = 0;
  window.addEventListener("storage", (e) => {
    if (e.key !== channelName || !e.newValue) return;
    try {
      onMessage(JSON.parse(e.newValue).msg);
    } catch (err) {
      // Not ours, or cut short: ignore it.
    }
  });
  return {
    send: (msg) => {
      try {
        localStorage.setItem(channelName, JSON.stringify({ msg: msg, n: n++, t: Date.now() }));
      } catch (e) {
        // Storage is off: the windows cannot talk.
      }
    },
  };
}
