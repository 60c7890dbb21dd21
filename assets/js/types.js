// @ts-check
// types.js: the shapes the page exchanges with the stage (window.connlab in
// the stage's iframe, wasm/bridge_js.go and internal/stage) and with the
// server (the lesson data, internal/site/render.go). Types only.

/**
 * connlab.state(), parsed (internal/stage/state.go).
 * @typedef {object} State
 * @property {boolean} ready
 * @property {string} error
 * @property {string} [errorKo]     the error told in Korean (a run over the page's budget)
 * @property {string} scenario
 * @property {number} steps         events in the run
 * @property {number} step          0-based index of the event shown
 * @property {string} time          engine time of the step, "0.050035s"
 * @property {boolean} playing
 * @property {number} speed
 * @property {number} frame         frames drawn
 * @property {number} loads     loads run, failed ones included
 * @property {number} caption       the caption in force, -1 before the first
 * @property {number[]} captionSteps the step each caption is bound to, -1 if none
 * @property {string[]} [captionTexts] the captions with this run's numbers
 * @property {number} [captionStep] index of the caption at or before the step (-1 before the first)
 * @property {boolean} [animating]  the stage is moving towards a caption
 * @property {number} [lastFrameMs] how long the last frame took
 * @property {string} [pointer]     what the classroom pointer rings: "packet:12", "host:1", ""
 * @property {number} [endStep]     the step where the lesson's story ends (the timeline's extent)
 * @property {string} line          the step's canonical engine line
 * @property {Metrics} metrics
 * @property {Selected|null} selected
 */

/**
 * @typedef {object} Metrics
 * @property {string} [elapsed]
 * @property {number} [roundTrips]
 * @property {number} [conns]
 * @property {number} [bytes]
 * @property {number} [packets]
 */

/**
 * The packet 패킷 살펴보기 shows.
 * @typedef {object} Selected
 * @property {number} index
 * @property {number} [frame] frame number in the pcap download (Wireshark's), 0 if that capture does not see it
 * @property {string} label
 * @property {string} from
 * @property {string} to
 * @property {string} sentAt
 * @property {string} arriveAt
 * @property {{src?: string, dst?: string, len?: number, ttl?: number, proto?: string}} ip
 * @property {{srcPort?: number, dstPort?: number, seq?: number, ack?: number, seqRaw?: number, ackRaw?: number,
 *   flags?: string, window?: number, len?: number, headerLen?: number, options?: string}} tcp
 * @property {string} http
 * @property {string[]} [tls] the TLS records starting in the packet
 */

/**
 * One clickable box of connlab.hits(), in CSS pixels of the stage's iframe.
 * @typedef {object} Hit
 * @property {"packet"|"host"} [kind] absent on a stage that lists packets only
 * @property {number} [index]
 * @property {number} [packet]        the older field for a packet's index
 * @property {string} [label]
 * @property {number} x
 * @property {number} y
 * @property {number} w
 * @property {number} h
 */

/**
 * One event line: the stage's canonical English line and its Korean sentence.
 * @typedef {object} Line
 * @property {string} text
 * @property {string} [ko]
 */

/**
 * A connlab.command argument (internal/stage/command.go).
 * @typedef {{op: "next"|"prev"|"nextCaption"|"prevCaption"|"home"|"end"|"play"|"pause"|"toggle"}
 *   | {op: "seek", step: number}
 *   | {op: "select", packet: number}
 *   | {op: "speed", value: number}
 *   | {op: "reducedMotion", value: boolean}
 *   | {op: "theme", value: "default"|"projector"}
 *   | {op: "point", target: string}} Command
 */

/**
 * @typedef {object} Control a parameter input of 설정
 * @property {string} key
 * @property {string} doc
 * @property {string} allowed
 * @property {string} default
 * @property {string[]} [choices]
 */

/**
 * @typedef {object} StepData
 * @property {string} at
 * @property {string} caption HTML
 * @property {string} [text] the caption with placeholders the stage fills from the run
 * @property {string} [when] the condition on the run that shows the caption ("" = always)
 * @property {boolean} [off] not shown in the default run (its condition is false or its event never comes)
 */

/**
 * @typedef {object} Variant
 * @property {string} scenario
 * @property {string} label
 * @property {Object<string, string>} params
 * @property {string[]} ignores
 * @property {StepData[]} steps
 */

/**
 * @typedef {object} LessonLink
 * @property {string} id
 * @property {string} title
 * @property {string} url
 */

/**
 * The lesson's data, <script type="application/json" id="lesson-data">.
 * @typedef {object} LessonData
 * @property {string} id
 * @property {string} title
 * @property {string} url
 * @property {string} scenario
 * @property {string} label
 * @property {string} profile
 * @property {Object<string, string>} params
 * @property {Control[]} controls
 * @property {StepData[]} steps
 * @property {{question: string, answer: string, reveal: number}[]} predict
 * @property {Variant[]} variants
 * @property {string} notes
 * @property {LessonLink|null} prev
 * @property {LessonLink|null} next
 */

export {};
