package stage

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"connlab/engine"
)

// PageBudget bounds a run the stage makes on a lesson page: the lesson's
// own, a student's settings and the captions' re-runs (caption.go). The
// engine runs on the page's main thread, about 50,000 events a second in
// the browser, so a run stops with a *engine.BudgetError after 2 s or so
// of work instead of holding the page for minutes as DefaultBudget's 4
// million events would. Every lesson's run at its defaults has under
// 2,000 events.
var PageBudget = engine.Budget{Time: 2 * engine.Hour, Events: 100_000, TraceBytes: 16 << 20}

// Load is the argument of connlab.load.
type Load struct {
	Scenario string            `json:"scenario"`
	Params   map[string]string `json:"params"`
	Captions []string          `json:"captions"`
	Texts    []string          `json:"texts"` // caption texts with {{...}} placeholders, filled from the run (caption.go)
	When     []string          `json:"when"`  // each caption's condition on the run ("" = always), NewPlayerWhen
	Step     int               `json:"step"`
}

// ParseLoad reads connlab.load's JSON argument.
func ParseLoad(s string) (Load, error) {
	var l Load
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return Load{}, fmt.Errorf("load: bad JSON: %v", err)
	}
	if l.Scenario == "" {
		return Load{}, fmt.Errorf("load: no scenario given")
	}
	return l, nil
}

// LoadFromQuery builds a Load from the stage page's query string
// (?scenario=handshake&profile=today&rtt=100ms&step=3): every key but
// scenario and step is a parameter. With no scenario it loads handshake.
func LoadFromQuery(search string) (Load, error) {
	q, err := url.ParseQuery(strings.TrimPrefix(search, "?"))
	if err != nil {
		return Load{}, fmt.Errorf("query %q: %v", search, err)
	}
	l := Load{Scenario: q.Get("scenario"), Params: map[string]string{}}
	if l.Scenario == "" {
		l.Scenario = "handshake"
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "scenario":
		case "step":
			if _, err := fmt.Sscan(q.Get(k), &l.Step); err != nil {
				return Load{}, fmt.Errorf("step=%s: not a whole number", q.Get(k))
			}
		default:
			l.Params[k] = q.Get(k)
		}
	}
	return l, nil
}

// Op names a command.
type Op string

// Commands of connlab.command.
const (
	OpNext          Op = "next"
	OpPrev          Op = "prev"
	OpHome          Op = "home"
	OpEnd           Op = "end"
	OpSeek          Op = "seek"
	OpPlay          Op = "play"
	OpPause         Op = "pause"
	OpToggle        Op = "toggle"
	OpSpeed         Op = "speed"
	OpReducedMotion Op = "reducedMotion"
	OpSelect        Op = "select"
	OpTheme         Op = "theme"
	OpNextCaption   Op = "nextCaption"
	OpPrevCaption   Op = "prevCaption"
	OpPoint         Op = "point"
	OpZoom          Op = "zoom"
)

// Command is one parsed connlab.command (or an intent from the keyboard or
// mouse, which become the same commands).
type Command struct {
	Op     Op
	Step   int     // seek
	Packet int     // select; -1 clears
	Speed  float64 // speed
	On     bool    // reducedMotion
	Theme  string  // theme: default or projector
	Target string  // point: "packet:N", "host:N" or "" (clear)
	Zoom   float64 // zoom: factor on the ladder's zoom; 0 fits the story
}

// zoomStep is the factor of one zoom in or out.
const zoomStep = 2

// ParseCommand reads connlab.command's JSON argument.
func ParseCommand(s string) (Command, error) {
	var raw struct {
		Op     Op              `json:"op"`
		Step   *int            `json:"step"`
		Packet *int            `json:"packet"`
		Value  json.RawMessage `json:"value"`
		Target *string         `json:"target"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return Command{}, fmt.Errorf("command: bad JSON: %v", err)
	}
	c := Command{Op: raw.Op}
	switch raw.Op {
	case OpNext, OpPrev, OpHome, OpEnd, OpPlay, OpPause, OpToggle, OpNextCaption, OpPrevCaption:
	case OpPoint:
		if raw.Target == nil {
			return Command{}, fmt.Errorf("command point: no target")
		}
		if _, _, err := ParseTarget(*raw.Target); err != nil {
			return Command{}, fmt.Errorf("command point: %v", err)
		}
		c.Target = *raw.Target
	case OpZoom:
		var v string
		_ = json.Unmarshal(raw.Value, &v)
		switch v {
		case "in":
			c.Zoom = zoomStep
		case "out":
			c.Zoom = 1.0 / zoomStep
		case "fit":
		default:
			return Command{}, fmt.Errorf("command zoom: value %s: allowed \"in\", \"out\", \"fit\"", raw.Value)
		}
	case OpSeek:
		if raw.Step == nil {
			return Command{}, fmt.Errorf("command seek: no step")
		}
		c.Step = *raw.Step
	case OpSelect:
		if raw.Packet == nil {
			return Command{}, fmt.Errorf("command select: no packet")
		}
		c.Packet = *raw.Packet
	case OpSpeed:
		if err := json.Unmarshal(raw.Value, &c.Speed); err != nil || c.Speed < MinSpeed || c.Speed > MaxSpeed {
			return Command{}, fmt.Errorf("command speed: value %s: allowed %g..%g", raw.Value, MinSpeed, float64(MaxSpeed))
		}
	case OpReducedMotion:
		if err := json.Unmarshal(raw.Value, &c.On); err != nil {
			return Command{}, fmt.Errorf("command reducedMotion: value %s: allowed true, false", raw.Value)
		}
	case OpTheme:
		if err := json.Unmarshal(raw.Value, &c.Theme); err != nil || (c.Theme != "default" && c.Theme != "projector") {
			return Command{}, fmt.Errorf("command theme: value %s: allowed \"default\", \"projector\"", raw.Value)
		}
	default:
		return Command{}, fmt.Errorf("command: unknown op %q", raw.Op)
	}
	return c, nil
}

// Apply carries out c on p. Theme commands are the stage's business, not
// the player's, and are ignored here.
func (p *Player) Apply(c Command) {
	switch c.Op {
	case OpNext:
		p.Next()
	case OpPrev:
		p.Prev()
	case OpHome:
		p.Home()
	case OpEnd:
		p.End()
	case OpSeek:
		p.Seek(c.Step)
	case OpPlay:
		p.Play()
	case OpPause:
		p.Playing = false
	case OpToggle:
		if p.Playing {
			p.Playing = false
		} else {
			p.Play()
		}
	case OpSpeed:
		p.SetSpeed(c.Speed)
	case OpReducedMotion:
		p.ReducedMotion = c.On
	case OpSelect:
		if c.Packet < 0 || c.Packet >= len(p.Trace.Packets) {
			p.Selected = -1
		} else {
			p.Selected = c.Packet
		}
	case OpNextCaption:
		p.NextCaption()
	case OpPrevCaption:
		p.PrevCaption()
	case OpPoint:
		p.Pointer = ""
		kind, i, _ := ParseTarget(c.Target)
		if kind == "packet" && i < len(p.Trace.Packets) || kind == "host" && i < len(p.Trace.Hosts) {
			p.Pointer = c.Target
		}
	case OpZoom:
		if c.Zoom == 0 {
			p.SetZoom(1)
		} else {
			p.SetZoom(p.Zoom * c.Zoom)
		}
	}
}

// ParseTarget reads a pointer's target: "packet:12" or "host:1" give the
// kind and index, "" gives "" (no pointer).
func ParseTarget(s string) (kind string, index int, err error) {
	if s == "" {
		return "", -1, nil
	}
	kind, num, ok := strings.Cut(s, ":")
	if !ok || kind != "packet" && kind != "host" {
		return "", -1, fmt.Errorf("target %q: want \"packet:N\", \"host:N\" or \"\"", s)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return "", -1, fmt.Errorf("target %q: %q is not an index", s, num)
	}
	return kind, n, nil
}
