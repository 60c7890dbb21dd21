// @ts-check
// params.js: the parameters a scenario runs with. A lesson's scenario (or
// variant) has its own parameters; the student's changes (the address or
// 설정) override them, except the ones a variant ignores. The engine is the
// judge of a value: when it refuses a run, rejectedKey finds the parameter
// its error names and fallback picks what to show instead. The page checks
// only what it can know for sure: a value of a fixed set (profile, on/off)
// must be one of the set.

/** @typedef {import("./types.js").Control} Control */
/** @typedef {Object<string, string>} Params */

/**
 * runParams is base with the overrides that apply (those not in ignores).
 * @param {Params} base
 * @param {Params} overrides
 * @param {string[]} [ignores]
 * @returns {Params}
 */
export function runParams(base, overrides, ignores) {
  const out = Object.assign({}, base);
  for (const k of Object.keys(overrides)) if (!(ignores || []).includes(k)) out[k] = overrides[k];
  return out;
}

/**
 * withRun returns the overrides that make base run as p: the overrides of
 * ignored keys are kept (they apply again on a scenario that uses them),
 * the others are replaced by how p differs from base.
 * @param {Params} overrides
 * @param {Params} base
 * @param {Params} p
 * @param {string[]} [ignores]
 * @returns {Params}
 */
export function withRun(overrides, base, p, ignores) {
  /** @type {Params} */
  const out = {};
  for (const k of Object.keys(overrides)) if ((ignores || []).includes(k)) out[k] = overrides[k];
  for (const k of Object.keys(p)) if (p[k] !== base[k]) out[k] = p[k];
  return out;
}

/**
 * sameParams reports whether a and b hold the same keys and values.
 * @param {Params} a
 * @param {Params} b
 * @returns {boolean}
 */
export function sameParams(a, b) {
  const keys = new Set(Object.keys(a).concat(Object.keys(b)));
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * formValue is what a 설정 field's text means: the trimmed text, or the
 * control's default when empty.
 * @param {string} raw
 * @param {Control} c
 * @returns {string}
 */
export function formValue(raw, c) {
  return raw.trim() || c.default;
}

/**
 * checkValue returns "" when the page cannot tell a value is wrong, or why
 * it is: a control with a fixed set of choices takes only those.
 * @param {Control} c
 * @param {string} value
 * @returns {string}
 */
export function checkValue(c, value) {
  if (c.choices && c.choices.length && !c.choices.includes(value)) {
    return c.key + "=" + value + ": 고를 수 있는 값은 " + c.choices.join(", ") + "입니다";
  }
  return "";
}

/**
 * rejectedKey finds the parameter an engine error is about: a changed one
 * the error names, else any the error names as "key=".
 * @param {string} err
 * @param {Params} params what the refused run had
 * @param {Params} good   the last parameters that ran
 * @returns {string} "" when the error names none
 */
export function rejectedKey(err, params, good) {
  const keys = Object.keys(params);
  return keys.find((k) => params[k] !== good[k] && err.includes(k)) || keys.find((k) => err.includes(k + "=")) || "";
}

/**
 * fallback is what to run after params were refused: the last parameters
 * that ran, or the scenario's own when those are the ones refused.
 * @param {Params} params
 * @param {Params} good
 * @param {Params} base
 * @returns {{params: Params, toDefault: boolean}}
 */
export function fallback(params, good, base) {
  const p = sameParams(params, good) ? base : good;
  return { params: Object.assign({}, p), toDefault: sameParams(p, base) };
}

/**
 * rejectionMessage explains a refused run in Korean. A run that outgrew
 * the page's budget comes with the engine's own Korean (ko), which names
 * the settings to change; any other error names the parameter and its
 * allowed range.
 * @param {string} err the engine's error
 * @param {string} key the parameter at fault, "" if unknown
 * @param {Params} params
 * @param {Control|undefined} ctl its control
 * @param {boolean} toDefault the page falls back to the scenario's own parameters
 * @param {string} [ko] the engine's error in Korean, if it has one
 * @returns {string}
 */
export function rejectionMessage(err, key, params, ctl, toDefault, ko) {
  let msg;
  if (ko) {
    msg = ko;
  } else {
    msg = key ? "설정 " + key + "=" + params[key] + "을(를) 쓸 수 없습니다." : "설정을 쓸 수 없습니다.";
    if (ctl) msg += " 허용 범위: " + ctl.allowed + ".";
    msg += " (시뮬레이터의 설명: " + err + ")";
  }
  msg += toDefault ? " 강의의 기본 설정으로 보여 드립니다." : " 직전 설정으로 되돌렸습니다.";
  return msg;
}

/**
 * runSettings writes the settings of an exercise's run that differ from its
 * scenario's page defaults, "설정 conns=1, rtt=60ms", for the banner that
 * says such a run is on the stage; a run with none reads "강의의 기본 설정".
 * @param {Object<string, string>} params the run's
 * @param {Object<string, string>} defaults the scenario's on the page
 * @returns {string}
 */
export function runSettings(params, defaults) {
  const diff = Object.keys(params)
    .sort()
    .filter((k) => defaults[k] !== params[k])
    .map((k) => k + "=" + params[k]);
  return diff.length ? "설정 " + diff.join(", ") : "강의의 기본 설정";
}
