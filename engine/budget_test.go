package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// testBudget is small, so that the extremes below finish in seconds (the
// page's budget, internal/stage PageBudget, is 100,000 events).
var testBudget = Budget{Time: 2 * Hour, Events: 20_000, TraceBytes: 8 << 20}

// checkBudgetError checks that err, from a run of what, is a *BudgetError
// that names settings to change, in English and in Korean.
func checkBudgetError(t *testing.T, what string, err error) *BudgetError {
	t.Helper()
	var be *BudgetError
	if !errors.As(err, &be) {
		t.Errorf("%s: error %v, want a *BudgetError", what, err)
		return nil
	}
	if len(be.Settings) == 0 {
		t.Errorf("%s: %v names no setting to change", what, err)
	}
	ko := be.Korean()
	for _, s := range be.Settings {
		if _, ok := paramByKey(s.Key); !ok {
			t.Errorf("%s: names %q, which is not a setting", what, s.Key)
		}
		kv := s.Key + "=" + s.Value
		if !strings.Contains(err.Error(), kv) || !strings.Contains(ko, kv) {
			t.Errorf("%s: %q / %q do not both name %s", what, err, ko, kv)
		}
	}
	if !strings.HasPrefix(ko, "이 설정으로는 ") || !strings.HasSuffix(ko, "세요.") {
		t.Errorf("%s: the Korean error is %q", what, ko)
	}
	return be
}

// The two runs of issue 13 that once died with a stack trace end with a
// *BudgetError naming the settings that made them large.
func TestBudgetIssueRuns(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		params   map[string]string
		limit    string
		want     []string
	}{
		{"slow-start", map[string]string{"rtt": "1s", "size": "10000000", "rwnd": "1460"}, LimitTime, []string{"size=10000000", "rtt=1s", "rwnd=1460"}},
		{"persistent", map[string]string{"images": "20", "imagesize": "1000000", "bandwidth": "56000", "mss": "88"}, LimitMemory, []string{"imagesize=1000000", "images=20", "bandwidth=56kbps", "mss=88"}},
	} {
		what := fmt.Sprintf("%s %v", tc.scenario, tc.params)
		tr, err := Run(tc.scenario, tc.params)
		if tr != nil {
			t.Errorf("%s: a trace of %d events came back with error %v", what, tr.Len(), err)
		}
		be := checkBudgetError(t, what, err)
		if be == nil {
			continue
		}
		if be.Limit != tc.limit {
			t.Errorf("%s: outgrew %s, want %s", what, be.Limit, tc.limit)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not name %s", what, err, w)
			}
		}
	}
}

// Every scenario at its defaults fits the small test budget.
func TestBudgetDefaultsFit(t *testing.T) {
	for _, name := range ScenarioNames() {
		for _, p := range []string{"today", "book"} {
			if _, err := RunWithin(name, map[string]string{"profile": p}, testBudget); err != nil {
				t.Errorf("%s profile=%s: %v", name, p, err)
			}
		}
	}
}

// extremes returns key's smallest and largest values as Set takes them,
// or nothing for a setting without a numeric range.
func extremes(p param) []string {
	switch p.kind {
	case kindPorts:
		return []string{"1024-1024", "1024-65535"}
	case kindBool, kindChoice, kindDrops:
		return nil
	}
	var out []string
	for _, v := range []int64{p.min, p.max} {
		c := DefaultConfig(Today)
		switch f := p.ptr(&c).(type) {
		case *Time:
			*f = Time(v)
		case *int:
			*f = int(v)
		case *int64:
			*f = v
		case *uint32:
			*f = uint32(v)
		default:
			panic(fmt.Sprintf("extremes: %s has a field of type %T", p.key, f))
		}
		s, ok := c.Get(p.key)
		if !ok {
			panic("extremes: no value for " + p.key)
		}
		out = append(out, s)
	}
	return out
}

// Every scenario with each setting at its smallest and at its largest, and
// with every setting that makes a run large at its worst together: the
// engine returns a trace or an error, never panics, and a run that
// outgrows the budget says which settings to change.
func TestBudgetExtremes(t *testing.T) {
	var worst []string // key=value of every work setting at its worst
	for _, w := range workParams {
		for _, p := range params {
			if p.key == w.key {
				ex := extremes(p)
				if w.raise {
					worst = append(worst, w.key+"="+ex[0])
				} else {
					worst = append(worst, w.key+"="+ex[1])
				}
			}
		}
	}
	run := func(name string, kv map[string]string) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
				t.Errorf("%s %v: %v", name, kv, err)
			}
		}()
		_, err = RunWithin(name, kv, testBudget)
		return err
	}
	budgetErrs, worstErrs := 0, 0
	for _, name := range ScenarioNames() {
		for _, p := range params {
			for _, v := range extremes(p) {
				kv := map[string]string{p.key: v}
				var be *BudgetError
				if err := run(name, kv); errors.As(err, &be) {
					budgetErrs++
					checkBudgetError(t, fmt.Sprintf("%s %s=%s", name, p.key, v), err)
				}
			}
		}
		kv := map[string]string{}
		for _, s := range worst {
			k, v, _ := strings.Cut(s, "=")
			kv[k] = v
		}
		// A scenario may refuse one of them (config.go's checks) or not
		// use them (keep-alive's bodies are its own) and fit.
		var be *BudgetError
		if err := run(name, kv); errors.As(err, &be) {
			worstErrs++
			checkBudgetError(t, name+" with every setting at its worst", err)
		}
	}
	if budgetErrs == 0 || worstErrs == 0 {
		t.Errorf("%d single extremes and %d worst combinations outgrew a budget of %d events: the test checks nothing", budgetErrs, worstErrs, testBudget.Events)
	}
}

// A segment to an address no host has (an engine bug) fails the run with
// an error instead of panicking.
func TestHostByIPUnknown(t *testing.T) {
	s := newSim("t", DefaultConfig(Today), true)
	h := s.hostByIP([4]byte{10, 9, 9, 9})
	if h == nil || h.name != "10.9.9.9" {
		t.Errorf("hostByIP of an unknown address = %+v, want a stand-in named 10.9.9.9", h)
	}
	if s.err == nil || !strings.Contains(s.err.Error(), "no host has address 10.9.9.9") {
		t.Errorf("the run's error is %v, want one naming the address", s.err)
	}
}

func paramByKey(key string) (param, bool) {
	for _, p := range params {
		if p.key == key {
			return p, true
		}
	}
	return param{}, false
}
