package stage

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"connlab/engine"
)

// Exercise is one question whose answer the engine computes (a lesson's
// exercises: and predict: items). The page sends it to connlab.exercise
// with a seed; the site checks it over its whole parameter range at start-up.
type Exercise struct {
	ID        string            `json:"id"`        // "07-nagle/2", the key of the student's progress
	Question  string            `json:"question"`  // HTML with {key} for each drawn parameter
	Scenario  string            `json:"scenario"`  // the run that answers it
	Params    map[string]string `json:"params"`    // fixed parameters, profile included
	Vary      []Vary            `json:"vary"`      // parameters drawn for each problem
	Measure   string            `json:"measure"`   // an expression as in captions: "held", "page-loaded - connect-at"
	Unit      string            `json:"unit"`      // the answer's unit: ms, 초, 개, 바이트, RTT ("" = the measurement's)
	Tolerance string            `json:"tolerance"` // "5%" or "10ms" ("" = the unit's default)
	Options   []Option          `json:"options"`   // a choice: exactly one option's condition holds
	Show      string            `json:"show"`      // the step that proves the answer, matched like a caption's at ("" = the measurement's)
	Explain   string            `json:"explain"`   // HTML shown with the verdict; {{...}} and {key} expanded
}

// Vary is one drawn parameter: a list of values to choose from, or a range
// From..To in steps of Step (durations, bandwidths or whole numbers).
type Vary struct {
	Key    string   `json:"key"`
	Values []string `json:"values,omitempty"`
	From   string   `json:"from,omitempty"`
	To     string   `json:"to,omitempty"`
	Step   string   `json:"step,omitempty"`
}

// Option is one answer of a choice; When is a condition on the run
// ("handshakes == 1", "page-loaded:pipelined < page-loaded:serial").
type Option struct {
	Text string `json:"text"` // HTML
	When string `json:"when"`
}

// Answer is an exercise computed for one set of parameters.
type Answer struct {
	Params   map[string]string `json:"params"`   // every parameter of the run: fixed and drawn
	Drawn    map[string]string `json:"drawn"`    // the drawn ones only
	Question string            `json:"question"` // with the drawn values written in
	Value    float64           `json:"value"`    // in the measurement's base unit (seconds, count, bytes, round trips)
	Text     string            `json:"text"`     // the correct answer as the page writes it: "300 ms", "5개"; an option's text
	Option   int               `json:"option"`   // the correct option, or -1
	Step     int               `json:"step"`     // the step the stage jumps to after a verdict (-1: none)
	Explain  string            `json:"explain"`
	unit     engine.Unit
	rtt      engine.Time
}

// numberUnits maps the answer units an exercise may give to the
// measurement unit they belong to and their size in base units.
var numberUnits = map[string]struct {
	unit engine.Unit
	size float64
}{
	"ms": {engine.UnitTime, 0.001}, "초": {engine.UnitTime, 1},
	"개": {engine.UnitCount, 1}, "번": {engine.UnitCount, 1}, "": {engine.UnitCount, 1},
	"바이트": {engine.UnitBytes, 1}, "RTT": {engine.UnitRounds, 1},
}

// defaultUnit is the answer unit of a measurement unit.
func defaultUnit(u engine.Unit) string {
	switch u {
	case engine.UnitTime:
		return "ms"
	case engine.UnitBytes:
		return "바이트"
	case engine.UnitRounds:
		return "RTT"
	}
	return "개"
}

// Points returns the parameter sets the start-up check runs: every corner
// of the ranges (up to 3 drawn keys), the middle of each, and three draws.
func (e *Exercise) Points() ([]map[string]string, error) {
	lists := make([][]string, len(e.Vary))
	for i, v := range e.Vary {
		vals, err := v.values()
		if err != nil {
			return nil, err
		}
		lists[i] = vals
	}
	var out []map[string]string
	seen := map[string]bool{}
	add := func(m map[string]string) {
		k := fmt.Sprint(m)
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	corners := 1 << min(len(lists), 3)
	for c := 0; c < corners; c++ {
		m := map[string]string{}
		for i, l := range lists {
			m[e.Vary[i].Key] = l[0]
			if i < 3 && c&(1<<i) != 0 {
				m[e.Vary[i].Key] = l[len(l)-1]
			}
		}
		add(m)
	}
	mid := map[string]string{}
	for i, l := range lists {
		mid[e.Vary[i].Key] = l[len(l)/2]
	}
	add(mid)
	for seed := uint64(1); seed <= 3; seed++ {
		m, _ := e.Draw(seed)
		add(m)
	}
	return out, nil
}

// Grid returns every combination of the drawn parameters' values, or, when
// there are more than limit, an even spread of each range (its ends
// included) small enough to stay within limit. A challenge's search for a
// solution runs these.
func (e *Exercise) Grid(limit int) ([]map[string]string, error) {
	lists := make([][]string, len(e.Vary))
	for i, v := range e.Vary {
		vals, err := v.values()
		if err != nil {
			return nil, err
		}
		lists[i] = vals
	}
	for k := limit; k >= 2; k-- {
		total := 1
		for i, l := range lists {
			lists[i] = spread(l, k)
			total *= len(lists[i])
		}
		if total <= limit {
			break
		}
	}
	out := []map[string]string{{}}
	for i, l := range lists {
		var next []map[string]string
		for _, m := range out {
			for _, v := range l {
				n := map[string]string{e.Vary[i].Key: v}
				for k, x := range m {
					n[k] = x
				}
				next = append(next, n)
			}
		}
		out = next
	}
	return out, nil
}

// spread picks at most k values of l, evenly, keeping both ends.
func spread(l []string, k int) []string {
	if len(l) <= k {
		return l
	}
	out := make([]string, k)
	for i := range out {
		out[i] = l[i*(len(l)-1)/(k-1)]
	}
	return out
}

// maxValues bounds a range's length, so that a mistyped step cannot make
// the page or the check list millions of values.
const maxValues = 1000

// values lists every value v can take, in the form Config.Set reads.
func (v Vary) values() ([]string, error) {
	if len(v.Values) > 0 {
		if v.From != "" || v.To != "" || v.Step != "" {
			return nil, fmt.Errorf("%s: give either a list of values or from/to/step, not both", v.Key)
		}
		return v.Values, nil
	}
	if v.From == "" || v.To == "" {
		return nil, fmt.Errorf("%s: a range needs from and to", v.Key)
	}
	kind, lo, err := rangeValue(v.From)
	if err != nil {
		return nil, fmt.Errorf("%s: from %q: %v", v.Key, v.From, err)
	}
	kind2, hi, err := rangeValue(v.To)
	if err != nil || kind2 != kind {
		return nil, fmt.Errorf("%s: to %q is not a value of the same kind as from %q", v.Key, v.To, v.From)
	}
	if hi < lo {
		return nil, fmt.Errorf("%s: from %s is above to %s", v.Key, v.From, v.To)
	}
	step := int64(1)
	if v.Step != "" {
		kind3, s, err := rangeValue(v.Step)
		if err != nil || kind3 != kind || s <= 0 {
			return nil, fmt.Errorf("%s: step %q is not a positive value of the same kind as from %q", v.Key, v.Step, v.From)
		}
		step = s
	} else if kind != kindNumber {
		return nil, fmt.Errorf("%s: a range of %s needs a step", v.Key, kind)
	}
	if (hi-lo)/step+1 > maxValues {
		return nil, fmt.Errorf("%s: %s..%s in steps of %s has more than %d values", v.Key, v.From, v.To, v.Step, maxValues)
	}
	var out []string
	for x := lo; x <= hi; x += step {
		out = append(out, formatRange(kind, x))
	}
	return out, nil
}

type rangeKind string

const (
	kindNumber    rangeKind = "numbers"
	kindDuration  rangeKind = "durations"
	kindBandwidth rangeKind = "bandwidths"
)

// rangeValue reads a range end: a whole number, a duration (ns) or a
// bandwidth (bit/s).
func rangeValue(s string) (rangeKind, int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return kindNumber, n, nil
	}
	if strings.HasSuffix(s, "bps") {
		b, err := engine.ParseBandwidth(s)
		return kindBandwidth, b, err
	}
	d, err := engine.ParseDuration(s)
	if err != nil {
		return "", 0, fmt.Errorf("not a whole number, duration (100ms) or bandwidth (10Mbps)")
	}
	return kindDuration, int64(d), nil
}

func formatRange(k rangeKind, x int64) string {
	switch k {
	case kindDuration:
		return engine.FormatDuration(engine.Time(x))
	case kindBandwidth:
		switch {
		case x%1_000_000 == 0:
			return strconv.FormatInt(x/1_000_000, 10) + "Mbps"
		case x%1000 == 0:
			return strconv.FormatInt(x/1000, 10) + "kbps"
		}
		return strconv.FormatInt(x, 10) + "bps"
	}
	return strconv.FormatInt(x, 10)
}

// Draw picks the drawn parameters for seed, the same for the same seed.
func (e *Exercise) Draw(seed uint64) (map[string]string, error) {
	rng := rand.New(rand.NewPCG(seed, 0x636f6e6e6c6162)) // "connlab"
	out := map[string]string{}
	for _, v := range e.Vary {
		vals, err := v.values()
		if err != nil {
			return nil, err
		}
		out[v.Key] = vals[rng.IntN(len(vals))]
	}
	return out, nil
}

// Solve runs the exercise's scenario with its fixed parameters and drawn
// and computes the answer.
func (e *Exercise) Solve(drawn map[string]string) (*Answer, error) {
	params := map[string]string{}
	for k, v := range e.Params {
		params[k] = v
	}
	for k, v := range drawn {
		params[k] = v
	}
	t, err := engine.Run(e.Scenario, params)
	if err != nil {
		return nil, err
	}
	r := newRunner(t)
	a := &Answer{Params: params, Drawn: drawn, Option: -1, Step: -1, rtt: t.Config.RTT}
	a.Question = fillParams(e.Question, drawn)
	if len(e.Options) > 0 {
		if e.Measure != "" {
			return nil, fmt.Errorf("give either measure or options, not both")
		}
		for i, o := range e.Options {
			ok, step, err := r.condition(o.When)
			if err != nil {
				return nil, fmt.Errorf("option %d (%s): %v", i+1, o.When, err)
			}
			if ok && a.Option >= 0 {
				return nil, fmt.Errorf("options %d and %d both hold (%s; %s) with %s", a.Option+1, i+1, e.Options[a.Option].When, o.When, describe(drawn))
			}
			if ok {
				a.Option, a.Text, a.Step = i, o.Text, step
			}
		}
		if a.Option < 0 {
			return nil, fmt.Errorf("no option holds with %s", describe(drawn))
		}
	} else {
		if e.Measure == "" {
			return nil, fmt.Errorf("an exercise needs measure or options")
		}
		q, err := r.eval(e.Measure)
		if err != nil {
			return nil, err
		}
		a.Value, a.unit, a.Step = q.V, q.Unit, q.Step
		u, err := e.answerUnit(q.Unit)
		if err != nil {
			return nil, err
		}
		a.Text = formatIn(q, u)
		if _, err := e.tolerance(q.Unit); err != nil {
			return nil, err
		}
	}
	if e.Show != "" {
		if a.Step = t.Find(e.Show, 0); a.Step < 0 {
			return nil, fmt.Errorf("show %q matches no event of %s with %s", e.Show, e.Scenario, describe(drawn))
		}
	}
	if a.Explain, err = expand(r, fillParams(e.Explain, drawn)); err != nil {
		return nil, fmt.Errorf("explain: %v", err)
	}
	return a, nil
}

// answerUnit checks the exercise's unit against the measurement's.
func (e *Exercise) answerUnit(u engine.Unit) (string, error) {
	if e.Unit == "" {
		return defaultUnit(u), nil
	}
	nu, ok := numberUnits[e.Unit]
	if !ok {
		return "", fmt.Errorf("unknown unit %q (known: ms, 초, 개, 번, 바이트, RTT)", e.Unit)
	}
	if nu.unit != u {
		return "", fmt.Errorf("unit %s does not fit %s, a measurement of %v", e.Unit, e.Measure, u)
	}
	return e.Unit, nil
}

// formatIn writes q in the answer unit u.
func formatIn(q Quantity, u string) string {
	switch u {
	case "ms":
		return q.Format("ms")
	case "초":
		return q.Format("초")
	case "RTT":
		return trimFloat(q.V, 1) + " RTT"
	case "바이트":
		return q.Format("")
	}
	return Thousands(int64(math.Round(q.V))) + u
}

// tolerance returns the allowed distance from the answer, in base units.
func (e *Exercise) tolerance(u engine.Unit) (func(want float64) float64, error) {
	tol := strings.TrimSpace(e.Tolerance)
	if tol == "" {
		switch u {
		case engine.UnitTime: // 5 %, and never under a millisecond
			return func(w float64) float64 { return math.Max(math.Abs(w)*0.05, 0.001) }, nil
		case engine.UnitRounds:
			return func(float64) float64 { return 0.25 }, nil
		}
		return func(float64) float64 { return 0 }, nil
	}
	if p, ok := strings.CutSuffix(tol, "%"); ok {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || !(f >= 0 && f <= 100) { // NaN is neither
			return nil, fmt.Errorf("tolerance %q: want a percentage such as 5%%", e.Tolerance)
		}
		return func(w float64) float64 { return math.Abs(w) * f / 100 }, nil
	}
	v, err := ParseQuantity(tol, u, defaultUnit(u))
	if err != nil || v < 0 {
		return nil, fmt.Errorf("tolerance %q: want 5%% or an amount such as 10ms", e.Tolerance)
	}
	return func(float64) float64 { return v }, nil
}

// quantity reads "300 ms", "0.3초", "0.3s", "1,448바이트", "5개", "8 RTT".
var quantity = regexp.MustCompile(`^\s*([-+]?[0-9][0-9,]*(?:\.[0-9]+)?|[-+]?\.[0-9]+)\s*([^\s0-9]*)\s*$`)

// unitWords maps what a student or teacher may type after a number to an
// answer unit.
var unitWords = map[string]string{
	"ms": "ms", "밀리초": "ms", "s": "초", "초": "초", "sec": "초",
	"개": "개", "번": "번", "회": "번", "바이트": "바이트", "b": "바이트", "byte": "바이트", "bytes": "바이트",
	"rtt": "RTT", "왕복": "RTT",
}

// ParseQuantity reads a number with an optional unit as a value in u's
// base unit; a number without a unit is in def.
func ParseQuantity(s string, u engine.Unit, def string) (float64, error) {
	m := quantity.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("숫자로 읽을 수 없습니다: %q", s)
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
	if err != nil {
		return 0, fmt.Errorf("숫자로 읽을 수 없습니다: %q", s)
	}
	word := def
	if m[2] != "" {
		w, ok := unitWords[strings.ToLower(m[2])]
		if !ok {
			return 0, fmt.Errorf("단위 %q를 알 수 없습니다", m[2])
		}
		word = w
	}
	nu := numberUnits[word]
	if nu.unit != u {
		return 0, fmt.Errorf("단위가 맞지 않습니다: 답은 %s 단위입니다", unitKorean(u))
	}
	return f * nu.size, nil
}

func unitKorean(u engine.Unit) string {
	switch u {
	case engine.UnitTime:
		return "시간(ms 또는 초)"
	case engine.UnitBytes:
		return "바이트"
	case engine.UnitRounds:
		return "왕복 횟수(RTT)"
	}
	return "개수"
}

// Verdict is the page's answer to a student.
type Verdict struct {
	Correct bool   `json:"correct"`
	Error   string `json:"error"` // the input could not be read (Korean); not a wrong answer
}

// Grade compares a typed answer (number problems) or a chosen option.
func (e *Exercise) Grade(a *Answer, input string, option int) Verdict {
	if a.Option >= 0 {
		if option < 0 || option >= len(e.Options) {
			return Verdict{Error: "보기 가운데 하나를 고르세요."}
		}
		return Verdict{Correct: option == a.Option}
	}
	u, err := e.answerUnit(a.unit)
	if err != nil {
		return Verdict{Error: err.Error()}
	}
	v, err := ParseQuantity(input, a.unit, u)
	if err != nil {
		return Verdict{Error: err.Error()}
	}
	tol, err := e.tolerance(a.unit)
	if err != nil {
		return Verdict{Error: err.Error()}
	}
	return Verdict{Correct: math.Abs(v-a.Value) <= tol(a.Value)+1e-12}
}

// condition evaluates "expr op value" clauses joined by " and "; value is
// a number with a unit or another expression. The step is the first
// clause's.
func (r *runner) condition(cond string) (bool, int, error) {
	ok, step := true, -1
	for i, clause := range strings.Split(cond, " and ") {
		c, err := r.clause(clause)
		if err != nil {
			return false, -1, err
		}
		if i == 0 {
			step = c.Have.Step
		}
		ok = ok && c.Met
	}
	return ok, step, nil
}

// Clause is one evaluated comparison of a challenge or option.
type Clause struct {
	Text string   // as written: "page-loaded <= 500ms"
	Have Quantity // the measured side
	Op   string
	Want Quantity // the goal side
	Met  bool
}

var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

func (r *runner) clause(s string) (Clause, error) {
	s = strings.TrimSpace(s)
	for _, op := range ops {
		lhs, rhs, ok := strings.Cut(s, " "+op+" ")
		if !ok {
			continue
		}
		if have, ok := r.namedSetting(lhs); ok && (op == "==" || op == "!=") {
			// A setting of named values (rstunread == discard, profile == book).
			key, want := strings.TrimSpace(lhs), strings.TrimSpace(rhs)
			if cfg := r.base.Config; cfg.Set(key, want) != nil {
				return Clause{}, fmt.Errorf("%q: %q is not a value of %s", s, want, key)
			}
			return Clause{Text: s, Have: Quantity{Step: -1}, Op: op, Want: Quantity{Step: -1}, Met: (have == want) == (op == "==")}, nil
		}
		have, err := r.eval(lhs)
		if err != nil {
			return Clause{}, err
		}
		want := Quantity{Unit: have.Unit, RTT: have.RTT, Step: -1}
		if b := strings.TrimSpace(rhs); (b == "true" || b == "false") && have.Unit == engine.UnitCount {
			want.V = map[string]float64{"true": 1, "false": 0}[b] // a setting such as nodelay
		} else if v, err := ParseQuantity(rhs, have.Unit, defaultUnit(have.Unit)); err == nil {
			want.V = v
		} else if want, err = r.eval(rhs); err != nil {
			return Clause{}, fmt.Errorf("%q: the right side is neither a number with a unit nor a measurement: %v", rhs, err)
		} else if want.Unit != have.Unit {
			return Clause{}, fmt.Errorf("%q compares a %v with a %v", s, have.Unit, want.Unit)
		}
		c := Clause{Text: s, Have: have, Op: op, Want: want}
		const eps = 1e-9
		switch op {
		case "<=":
			c.Met = have.V <= want.V+eps
		case ">=":
			c.Met = have.V >= want.V-eps
		case "==":
			c.Met = math.Abs(have.V-want.V) <= eps
		case "!=":
			c.Met = math.Abs(have.V-want.V) > eps
		case "<":
			c.Met = have.V < want.V-eps
		case ">":
			c.Met = have.V > want.V+eps
		}
		return c, nil
	}
	return Clause{}, fmt.Errorf("%q: want measurement, an operator (%s) with spaces around it, and a value", s, strings.Join(ops, " "))
}

// namedSetting returns the value of the setting expr names when that value
// is a name (rstunread's keep, profile's book), or false for a
// measurement, a number, a time, true/false or anything else.
func (r *runner) namedSetting(expr string) (string, bool) {
	key := strings.TrimSpace(expr)
	if _, isMeasure := engine.LookupMeasurement(key); isMeasure {
		return "", false
	}
	text, ok := r.base.Config.Get(key)
	if !ok || text == "true" || text == "false" || text == "" || text[0] < 'a' || text[0] > 'z' || strings.ContainsAny(text, "-,:") {
		return "", false // a number, a time, true/false, a port range or a list
	}
	return text, true
}

// QuestionFor returns the question with the drawn values written in.
func (e *Exercise) QuestionFor(drawn map[string]string) string { return fillParams(e.Question, drawn) }

// fillParams writes drawn values into {key} places, as a reader reads them.
func fillParams(text string, drawn map[string]string) string {
	keys := make([]string, 0, len(drawn))
	for k := range drawn {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		text = strings.ReplaceAll(text, "{"+k+"}", ParamText(k, drawn[k]))
	}
	return text
}

// ParamText writes a parameter value for a Korean reader: "100 ms",
// "10 Mbps", "1,460", "교과서".
func ParamText(key, v string) string {
	switch {
	case key == "profile":
		if v == "book" {
			return "교과서"
		}
		return "오늘날"
	case v == "true":
		return "켜기"
	case v == "false":
		return "끄기"
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return Thousands(n)
	}
	if strings.HasSuffix(v, "bps") {
		if b, err := engine.ParseBandwidth(v); err == nil {
			switch {
			case b >= 1_000_000:
				return trimFloat(float64(b)/1e6, 2) + " Mbps"
			case b >= 1000:
				return trimFloat(float64(b)/1e3, 2) + " kbps"
			}
			return Thousands(b) + " bps"
		}
	}
	if d, err := engine.ParseDuration(v); err == nil {
		return Quantity{V: d.Seconds(), Unit: engine.UnitTime}.Format("")
	}
	return v
}

func describe(drawn map[string]string) string {
	if len(drawn) == 0 {
		return "the lesson's parameters"
	}
	keys := make([]string, 0, len(drawn))
	for k := range drawn {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+drawn[k])
	}
	return strings.Join(parts, " ")
}

// Challenge is a lesson's goal: reach Check by changing only Allow.
type Challenge struct {
	ID       string            `json:"id"`
	Goal     string            `json:"goal"` // HTML
	Scenario string            `json:"scenario"`
	Params   map[string]string `json:"params"` // the lesson's run, profile included
	Allow    []string          `json:"allow"`  // the settings the student may change
	Check    string            `json:"check"`  // clauses joined by " and ": "page-loaded <= 500ms"
	Show     string            `json:"show"`   // the step shown with the result ("" = the first clause's)
}

// ChallengeResult is one attempt at a challenge.
type ChallengeResult struct {
	Met      bool              `json:"met"`
	Params   map[string]string `json:"params"`
	Settings map[string]string `json:"settings"` // each allowed key's value in this run
	Clauses  []ClauseJSON      `json:"clauses"`
	Step     int               `json:"step"`
}

// ClauseJSON is a clause as the page shows it: 목표 vs 현재.
type ClauseJSON struct {
	Text string `json:"text"`
	Name string `json:"name"` // what is measured, in Korean
	Have string `json:"have"`
	Op   string `json:"op"`
	Want string `json:"want"`
	Met  bool   `json:"met"`
}

// Try runs the challenge with the student's settings (keys outside Allow
// are an error) and checks the goal.
func (c *Challenge) Try(settings map[string]string) (*ChallengeResult, error) {
	params := map[string]string{}
	for k, v := range c.Params {
		params[k] = v
	}
	for _, k := range sortedKeys(settings) {
		if !contains(c.Allow, k) {
			return nil, fmt.Errorf("%s은(는) 이 도전에서 바꿀 수 없습니다 (바꿀 수 있는 설정: %s)", k, strings.Join(c.Allow, ", "))
		}
		params[k] = settings[k]
	}
	t, err := engine.Run(c.Scenario, params)
	if err != nil {
		return nil, err
	}
	r := newRunner(t)
	res := &ChallengeResult{Met: true, Params: params, Settings: map[string]string{}, Step: -1}
	for _, k := range c.Allow {
		res.Settings[k], _ = t.Config.Get(k)
	}
	for i, s := range strings.Split(c.Check, " and ") {
		cl, err := r.clause(s)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			res.Step = cl.Have.Step
		}
		res.Met = res.Met && cl.Met
		res.Clauses = append(res.Clauses, ClauseJSON{Text: cl.Text, Name: MeasureName(cl.Text), Have: cl.Have.Format(""), Op: cl.Op, Want: cl.Want.Format(""), Met: cl.Met})
	}
	if c.Show != "" {
		if s := t.Find(c.Show, 0); s >= 0 {
			res.Step = s
		}
	}
	return res, nil
}

// measureNames are the measurements as the page names them.
var measureNames = map[string]string{
	"page-loaded": "페이지를 다 받은 시각", "round-trips": "왕복 횟수", "first-byte": "응답의 첫 바이트가 도착한 시각",
	"done": "응답을 다 받은 시각", "connect-at": "connect()를 부른 시각", "handshake-time": "핸드셰이크에 걸린 시간",
	"ack-delay": "확인응답이 늦춰진 시간", "held": "데이터가 소켓에 붙잡혀 있던 시간", "longest-idle": "아무것도 흐르지 않은 가장 긴 시간",
	"exhausted-at": "포트가 바닥난 시각", "port-freed-at": "첫 포트가 풀려난 시각", "segments": "세그먼트 수",
	"bytes-on-wire": "전선에 실린 바이트", "payload-bytes": "데이터 바이트", "header-bytes": "헤더 바이트",
	"handshakes": "핸드셰이크 수", "conns-opened": "연 커넥션 수", "failed-conns": "실패한 커넥션 수",
	"time-wait": "TIME-WAIT에 들어간 소켓 수", "time-wait-max": "동시에 TIME-WAIT인 포트 수", "ports-left": "가장 적을 때 남은 임시 포트 수",
	"objects-loaded": "받은 객체 수", "objects-failed": "받지 못한 객체 수", "retries": "다시 보낸 요청 수",
	"requests": "보낸 요청 수", "cwnd-max": "혼잡 윈도의 최댓값(세그먼트)", "header-field": "이 헤더를 실은 HTTP 메시지 수",
	"tls-done": "TLS 핸드셰이크가 끝난 시각", "tls-handshakes": "TLS 핸드셰이크 수", "tls-bytes": "TLS 핸드셰이크 레코드의 바이트",
	"cwnd-initial": "초기 윈도(세그먼트)", "mss": "SYN에 실린 MSS", "largest-payload": "세그먼트 하나의 가장 큰 데이터",
	"largest-packet": "가장 큰 IP 패킷", "tx-time": "패킷 하나를 전선에 싣는 시간", "response-segments": "응답을 실은 세그먼트 수",
	"think-time": "서버 처리 시간", "connect-gap": "커넥션을 여는 간격", "conn-time": "커넥션 하나가 끝나기까지 걸린 시간",
	"time-wait-length": "TIME-WAIT에 머문 시간", "port-range": "임시 포트 범위의 포트 수", "port": "커넥션이 쓴 로컬 포트",
	"first-flight": "첫 왕복에 나간 세그먼트 수",
}

// MeasureName names the first measurement of a clause or expression in
// Korean, with its argument: "페이지를 다 받은 시각 (parallel)".
func MeasureName(expr string) string {
	f := strings.Fields(expr)
	if len(f) == 0 {
		return ""
	}
	spec, _, _ := strings.Cut(f[0], "@")
	name, arg, _ := strings.Cut(spec, ":")
	ko, ok := measureNames[name]
	if !ok {
		ko = name
	}
	if arg != "" {
		ko += " (" + arg + ")"
	}
	if len(f) > 2 && (f[1] == "-" || f[1] == "+") {
		ko += " " + f[1] + " …"
	}
	return ko
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ExerciseRequest is connlab.exercise's argument: an exercise and a seed
// (a new problem), or the same with the student's answer (a verdict), or a
// challenge and the student's settings.
type ExerciseRequest struct {
	Exercise  *Exercise         `json:"exercise"`
	Seed      uint64            `json:"seed"`
	Input     string            `json:"input"`
	Option    *int              `json:"option"`
	Challenge *Challenge        `json:"challenge"`
	Settings  map[string]string `json:"settings"`
	Expand    *ExpandRequest    `json:"expand"`
}

// ExpandRequest asks for texts with their {{...}} placeholders filled from
// a run (the page's predict answers, under the student's settings).
type ExpandRequest struct {
	Scenario string            `json:"scenario"`
	Params   map[string]string `json:"params"`
	Texts    []string          `json:"texts"`
}

// ExerciseReply is what connlab.exercise returns.
type ExerciseReply struct {
	Error     string           `json:"error"` // the request itself is wrong (or the engine refused)
	Answer    *Answer          `json:"answer,omitempty"`
	Verdict   *Verdict         `json:"verdict,omitempty"`
	Challenge *ChallengeResult `json:"challenge,omitempty"`
	Texts     []string         `json:"texts,omitempty"`
}

// RunExercise answers a connlab.exercise request (JSON in, JSON out). It
// only computes: it neither waits for nor touches the game loop.
func RunExercise(req string) string {
	var q ExerciseRequest
	var rep ExerciseReply
	if err := json.Unmarshal([]byte(req), &q); err != nil {
		rep.Error = "exercise: bad JSON: " + err.Error()
		return rep.json()
	}
	switch {
	case q.Expand != nil:
		t, err := engine.Run(q.Expand.Scenario, q.Expand.Params)
		if err != nil {
			rep.Error = err.Error()
			break
		}
		r := newRunner(t)
		for _, s := range q.Expand.Texts {
			out, _ := expandWith(r, s, true)
			rep.Texts = append(rep.Texts, out)
		}
	case q.Challenge != nil:
		res, err := q.Challenge.Try(q.Settings)
		if err != nil {
			rep.Error = err.Error()
		}
		rep.Challenge = res
	case q.Exercise != nil:
		drawn, err := q.Exercise.Draw(q.Seed)
		if err == nil {
			rep.Answer, err = q.Exercise.Solve(drawn)
		}
		if err != nil {
			rep.Error = err.Error()
			rep.Answer = nil
			break
		}
		if q.Input != "" || q.Option != nil {
			opt := -1
			if q.Option != nil {
				opt = *q.Option
			}
			v := q.Exercise.Grade(rep.Answer, q.Input, opt)
			rep.Verdict = &v
		}
	default:
		rep.Error = "exercise: give exercise, challenge or expand"
	}
	return rep.json()
}

func (r ExerciseReply) json() string {
	b, err := json.Marshal(r)
	if err != nil { // plain values only; NaN cannot arise from a finished trace
		return `{"error":` + strconv.Quote(err.Error()) + `}`
	}
	return string(b)
}
