package engine

import (
	"fmt"
	"sort"
	"strings"
)

// Scenario is a named, reproducible situation a lesson shows.
type Scenario struct {
	Name     string
	Summary  string            // one line, Korean
	Profile  Profile           // default profile
	Keys     []string          // parameters that change its outcome (shown on the page)
	Defaults map[string]string // the scenario's own defaults over the profile's
	Plot     PlotKind          // the plot its stage draws beside the ladder (Trace.Plot)
	// ProfileDefaults are defaults that differ by profile, applied after
	// Defaults: a chosen loss names a segment by its number, and the
	// profiles send different segments.
	ProfileDefaults map[Profile]map[string]string
	build           func(s *Sim)
	// bulkAbove, if set, is the connection count above which a run keeps
	// only application events and port samples (a 60,000-connection load
	// test would otherwise trace millions of segments).
	bulkAbove int
	// check, if set, refuses combinations of parameters the scenario
	// cannot run, with an error naming them.
	check func(Config) error
	// noTLS, if set, says why the scenario cannot run with TLS.
	noTLS string
}

var scenarios = map[string]*Scenario{}

func register(sc *Scenario) {
	if _, dup := scenarios[sc.Name]; dup {
		panic("engine: scenario registered twice: " + sc.Name)
	}
	scenarios[sc.Name] = sc
}

// Scenarios returns every scenario, sorted by name.
func Scenarios() []*Scenario {
	out := make([]*Scenario, 0, len(scenarios))
	for _, sc := range scenarios {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupScenario finds a scenario by name.
func LookupScenario(name string) (*Scenario, bool) {
	sc, ok := scenarios[name]
	return sc, ok
}

// Config returns the configuration for a run of sc: the profile's defaults
// (params["profile"], else the scenario's), then the scenario's own defaults,
// then params. Unknown keys and out-of-range values are errors.
func (sc *Scenario) Config(params map[string]string) (Config, error) {
	p := sc.Profile
	if v, ok := params["profile"]; ok {
		var err error
		if p, err = ParseProfile(v); err != nil {
			return Config{}, err
		}
	}
	c := DefaultConfig(p)
	if err := c.Apply(sc.Defaults); err != nil {
		return Config{}, fmt.Errorf("engine: scenario %s has a bad default: %v", sc.Name, err)
	}
	if err := c.Apply(sc.ProfileDefaults[p]); err != nil {
		return Config{}, fmt.Errorf("engine: scenario %s has a bad default: %v", sc.Name, err)
	}
	if err := c.Apply(params); err != nil {
		return Config{}, err
	}
	if c.tlsEnabled() && sc.noTLS != "" {
		return Config{}, fmt.Errorf("tls=%s: %s %s", c.TLS, sc.Name, sc.noTLS)
	}
	if sc.check != nil {
		if err := sc.check(c); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// Run runs the named scenario with params (key=value, as Config.Set takes them).
func Run(name string, params map[string]string) (*Trace, error) {
	return RunWithin(name, params, DefaultBudget)
}

// RunWithin is Run within budget b.
func RunWithin(name string, params map[string]string, b Budget) (*Trace, error) {
	sc, ok := LookupScenario(name)
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(ScenarioNames(), ", "))
	}
	c, err := sc.Config(params)
	if err != nil {
		return nil, err
	}
	return sc.RunWithin(c, b)
}

// ScenarioNames returns every scenario's name, sorted.
func ScenarioNames() []string {
	var names []string
	for _, sc := range Scenarios() {
		names = append(names, sc.Name)
	}
	return names
}

// Run runs sc with c and returns its full trace, or why it could not: a
// *BudgetError when the run outgrew the engine's budget (budget.go).
func (sc *Scenario) Run(c Config) (*Trace, error) {
	return sc.RunWithin(c, DefaultBudget)
}

// RunWithin runs sc with c within budget b (the page gives a smaller one
// than DefaultBudget, so that no run holds a student's browser for long).
func (sc *Scenario) RunWithin(c Config, b Budget) (*Trace, error) {
	s := newSim(sc.Name, c, sc.bulkAbove == 0 || c.Conns <= sc.bulkAbove)
	s.budget = b
	if base, err := sc.Config(map[string]string{"profile": c.Profile.String()}); err == nil {
		s.base = &base
	}
	s.t.Plot = sc.Plot
	s.t.Bulk, s.t.bulkAbove = !s.detailed, sc.bulkAbove
	sc.build(s)
	if err := s.run(); err != nil {
		return nil, fmt.Errorf("%s: %w", sc.Name, err)
	}
	return s.finish(), nil
}
