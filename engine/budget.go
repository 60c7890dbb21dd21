package engine

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

// A run's budget. Every parameter has a range (config.go), but products of
// them do not: 20 images of 1 MB in 88-byte segments over 56 kbit/s is
// in range and would take hours of virtual time, millions of events and
// gigabytes of trace. A run that outgrows one of its Budget's bounds stops
// with a *BudgetError naming the settings that made it large. Every
// scenario at its defaults fits well within DefaultBudget (budget_test.go),
// and so does the time-wait load test with 60,000 connections.
type Budget struct {
	// Time bounds a run's virtual time.
	Time Time
	// Events bounds the events a run processes (packets delivered, timers
	// fired, applications woken).
	Events int64
	// TraceBytes bounds the memory the trace holds: its events, their
	// text and its packets.
	TraceBytes int64
}

// DefaultBudget is the budget of Run and Scenario.Run.
var DefaultBudget = Budget{Time: 2 * Hour, Events: 4_000_000, TraceBytes: 64 << 20}

// budgetCheckEvery+1 events pass between two checks of the counts (the
// time bound is checked at every event).
const budgetCheckEvery = 1<<10 - 1

// What a run outgrew.
const (
	LimitTime   = "time"
	LimitEvents = "events"
	LimitMemory = "memory"
)

// BudgetError says that a run outgrew its budget (Limit, one of Budget's
// bounds) and which settings made it large, the largest part first.
type BudgetError struct {
	Limit    string
	Budget   Budget
	Settings []BudgetSetting
}

// BudgetSetting is a setting to change: lower it, or raise it if Raise.
type BudgetSetting struct {
	Key, Value string
	Raise      bool
}

func (e *BudgetError) Error() string {
	var what string
	switch e.Limit {
	case LimitTime:
		what = "run too long: its virtual time passed " + boundText(e.Budget.Time) + " (the engine's bound)"
	case LimitEvents:
		what = fmt.Sprintf("run too large: more than %d events (the engine's budget)", e.Budget.Events)
	default:
		what = fmt.Sprintf("run too large: its trace passed %d MB (the engine's budget)", e.Budget.TraceBytes>>20)
	}
	return what + "; " + strings.Join(e.advice("lower ", "raise ", ""), "; or ")
}

// Korean is the error told to a student, naming the same settings.
func (e *BudgetError) Korean() string {
	var what string
	switch e.Limit {
	case LimitTime:
		what = "시뮬레이션 시간이 " + koreanDuration(e.Budget.Time) + "을 넘어"
	case LimitEvents:
		what = "처리할 이벤트가 " + koreanCount(e.Budget.Events) + " 개를 넘어"
	default:
		what = fmt.Sprintf("기록이 %d MB를 넘어", e.Budget.TraceBytes>>20)
	}
	return "이 설정으로는 " + what + " 시뮬레이션을 멈췄습니다. " + strings.Join(e.advice("", "", "을(를) 줄이"), "거나 ") + "세요."
}

// advice lists the settings to lower and to raise, each group joined: in
// English with the prefixes, in Korean with the endings (raise's is
// 늘리).
func (e *BudgetError) advice(lowerPrefix, raisePrefix, lowerEnd string) []string {
	var lower, raise []string
	for _, s := range e.Settings {
		if s.Raise {
			raise = append(raise, s.Key+"="+s.Value)
		} else {
			lower = append(lower, s.Key+"="+s.Value)
		}
	}
	raiseEnd := ""
	if lowerEnd != "" {
		raiseEnd = "을(를) 늘리"
	}
	var out []string
	if len(lower) > 0 {
		out = append(out, lowerPrefix+strings.Join(lower, ", ")+lowerEnd)
	}
	if len(raise) > 0 {
		out = append(out, raisePrefix+strings.Join(raise, ", ")+raiseEnd)
	}
	return out
}

// boundText says d as 2h, 90m or Time's seconds.
func boundText(d Time) string {
	switch {
	case d >= Hour && d%Hour == 0:
		return fmt.Sprintf("%dh", d/Hour)
	case d >= Minute && d%Minute == 0:
		return fmt.Sprintf("%dm", d/Minute)
	}
	return d.String()
}

// koreanDuration says d in whole hours, minutes or seconds (2시간, 90초).
func koreanDuration(d Time) string {
	switch {
	case d >= Hour && d%Hour == 0:
		return fmt.Sprintf("%d시간", d/Hour)
	case d >= Minute && d%Minute == 0:
		return fmt.Sprintf("%d분", d/Minute)
	}
	return fmt.Sprintf("%d초", (d+Second-1)/Second)
}

// koreanCount says n in 만 when it is a whole number of them (400만).
func koreanCount(n int64) string {
	if n >= 10_000 && n%10_000 == 0 {
		return fmt.Sprintf("%d만", n/10_000)
	}
	return strconv.FormatInt(n, 10)
}

// overBudget reports whether the run, about to process an event at time
// at, outgrew its budget; then it has failed with a *BudgetError.
func (s *Sim) overBudget(at Time) bool {
	var limit string
	switch {
	case at > s.budget.Time:
		limit = LimitTime
	case s.steps > s.budget.Events:
		limit = LimitEvents
	case s.traceBytes() > s.budget.TraceBytes:
		limit = LimitMemory
	default:
		return false
	}
	base := DefaultConfig(s.cfg.Profile)
	if s.base != nil {
		base = *s.base
	}
	s.fail(&BudgetError{Limit: limit, Budget: s.budget, Settings: heavySettings(s.cfg, base, limit)})
	return true
}

// traceBytes is the memory the trace holds, counting its slices' capacity.
func (s *Sim) traceBytes() int64 {
	return int64(cap(s.t.Events))*int64(unsafe.Sizeof(Event{})) +
		int64(cap(s.t.Packets))*int64(unsafe.Sizeof(Packet{})) + s.textBytes
}

// workParam is a setting that scales a run's work: raising it makes a run
// larger, or smaller if raise (the setting to raise, then).
type workParam struct {
	key   string
	raise bool
	time  bool // it scales only virtual time, not events or memory
	value func(c *Config) float64
}

var workParams = []workParam{
	{"size", false, false, func(c *Config) float64 { return float64(c.Size) }},
	{"images", false, false, func(c *Config) float64 { return float64(c.Images) }},
	{"imagesize", false, false, func(c *Config) float64 { return float64(c.ImageSize) }},
	{"pagesize", false, false, func(c *Config) float64 { return float64(c.PageSize) }},
	{"connections", false, false, func(c *Config) float64 { return float64(c.Conns) }},
	{"loss", false, false, func(c *Config) float64 { return float64(c.LossPPM) }},
	{"mss", true, false, func(c *Config) float64 { return float64(c.MSS) }},
	{"bandwidth", true, false, func(c *Config) float64 { return float64(c.Bandwidth) }},
	{"rwnd", true, true, func(c *Config) float64 { return float64(c.RecvWnd) }},
	{"rtt", false, true, func(c *Config) float64 { return float64(c.RTT) }},
	{"rate", true, true, func(c *Config) float64 { return float64(c.Rate) }},
}

// heavySettings names the settings of c that make a run larger than with
// the scenario's own (base), the largest factor first. If none does (the
// scenario's own settings outgrew the limit), it names every setting that
// can still be moved toward a smaller run.
func heavySettings(c, base Config, limit string) []BudgetSetting {
	type heavy struct {
		BudgetSetting
		factor float64
	}
	var hs []heavy
	var movable []BudgetSetting
	for _, w := range workParams {
		if w.time && limit != LimitTime {
			continue
		}
		v, b := w.value(&c), w.value(&base)
		worse, better := v, b
		if w.raise {
			worse, better = b, v
		}
		value, _ := c.Get(w.key)
		set := BudgetSetting{Key: w.key, Value: value, Raise: w.raise}
		if lo, hi := paramRange(w.key); (w.raise && v < hi) || (!w.raise && v > lo) {
			movable = append(movable, set)
		}
		if worse <= better {
			continue
		}
		f := math.Inf(1)
		if better > 0 {
			f = worse / better
		}
		hs = append(hs, heavy{set, f})
	}
	if len(hs) == 0 {
		return movable
	}
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].factor > hs[j].factor })
	out := make([]BudgetSetting, len(hs))
	for i, h := range hs {
		out[i] = h.BudgetSetting
	}
	return out
}

// paramRange is the allowed range of key, in its field's unit.
func paramRange(key string) (lo, hi float64) {
	for _, p := range params {
		if p.key == key {
			return float64(p.min), float64(p.max)
		}
	}
	return 0, 0
}
