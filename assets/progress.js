// @ts-check
// progress.js keeps which exercises and challenges a student has solved,
// per lesson, in localStorage, and reads and writes it as a small JSON file
// a student can move between machines or hand in. Pure functions, except
// load and save (storage); node --test assets/ runs progress.test.js.

/** @typedef {{format: string, version: number, solved: Object<string, string[]>}} Progress */

export const storageKey = "connlab.solved";
const format = "connlab-progress";

/** @returns {Progress} */
export function empty() {
  return { format, version: 1, solved: {} };
}

// An exercise id is "<lesson id>/<n>", "<lesson id>/p<n>" or "<lesson id>/c<n>".
const idPattern = /^([0-9]{2}-[a-z0-9-]+)\/(p|c)?[0-9]{1,3}$/;

/**
 * parse reads a progress file's text. It throws an Error with a Korean
 * message on anything that is not one.
 * @param {string} text
 * @returns {Progress}
 */
export function parse(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error("진행 상황 파일이 아닙니다: JSON으로 읽을 수 없습니다.");
  }
  if (!data || typeof data !== "object" || data.format !== format) {
    throw new Error("진행 상황 파일이 아닙니다: 커넥션 랩에서 내려받은 파일을 고르세요.");
  }
  if (data.version !== 1) {
    throw new Error("이 버전의 진행 상황 파일은 읽을 수 없습니다 (version " + String(data.version) + ").");
  }
  if (!data.solved || typeof data.solved !== "object" || Array.isArray(data.solved)) {
    throw new Error("진행 상황 파일이 손상되었습니다: solved 항목이 없습니다.");
  }
  const out = empty();
  for (const [lesson, ids] of Object.entries(data.solved)) {
    if (!Array.isArray(ids)) {
      throw new Error("진행 상황 파일이 손상되었습니다: " + lesson + "의 목록이 배열이 아닙니다.");
    }
    for (const id of ids) {
      const m = typeof id === "string" ? idPattern.exec(id) : null;
      if (!m || m[1] !== lesson) {
        throw new Error("진행 상황 파일이 손상되었습니다: " + lesson + "에 알 수 없는 문제 " + JSON.stringify(id) + "가 있습니다.");
      }
    }
    out.solved[lesson] = Array.from(new Set(ids)).sort();
  }
  return out;
}

/**
 * serialize writes progress as the file students download.
 * @param {Progress} p
 */
export function serialize(p) {
  return JSON.stringify(p, null, 2) + "\n";
}

/**
 * markSolved returns p with id solved (ids are "<lesson>/<n>").
 * @param {Progress} p
 * @param {string} id
 * @returns {Progress}
 */
export function markSolved(p, id) {
  const m = idPattern.exec(id);
  if (!m) return p;
  const out = { format, version: 1, solved: Object.assign({}, p.solved) };
  const list = new Set(out.solved[m[1]] || []);
  list.add(id);
  out.solved[m[1]] = Array.from(list).sort();
  return out;
}

/**
 * merge returns the union of two progress records (an import adds to what
 * the browser already has; it never forgets a solved problem).
 * @param {Progress} a
 * @param {Progress} b
 */
export function merge(a, b) {
  let out = a;
  for (const ids of Object.values(b.solved)) for (const id of ids) out = markSolved(out, id);
  return out;
}

/**
 * count returns how many of a lesson's problems are solved.
 * @param {Progress} p
 * @param {string} lesson
 */
export function count(p, lesson) {
  return (p.solved[lesson] || []).length;
}

/** @returns {Progress} */
export function load() {
  try {
    const text = localStorage.getItem(storageKey);
    return text ? parse(text) : empty();
  } catch (e) {
    return empty(); // storage off, or a record from elsewhere: start afresh
  }
}

/** @param {Progress} p */
export function save(p) {
  try {
    localStorage.setItem(storageKey, serialize(p));
  } catch (e) {
    // storage off (private window): progress lasts as long as the page
  }
}
