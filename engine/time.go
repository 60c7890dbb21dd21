package engine

import (
	"fmt"
	"strconv"
	"strings"
)

// Time is a point in virtual time, in nanoseconds since the start of a run.
// It is also used for durations. The engine never reads a wall clock.
type Time int64

// Common durations.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
)

// Never is a time that never comes; it marks an unset deadline.
const Never Time = 1<<63 - 1

// String prints t in seconds, to the microsecond, with at least three
// decimals and no trailing zeros beyond them: 0.100s, 0.101216s, 60.000s.
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	neg := t < 0
	if neg {
		t = -t
	}
	s := fmt.Sprintf("%d.%06d", t/Second, t%Second/Microsecond)
	s = strings.TrimRight(s, "0")
	if i := strings.IndexByte(s, '.'); len(s)-i-1 < 3 {
		s += strings.Repeat("0", 3-(len(s)-i-1))
	}
	if neg {
		s = "-" + s
	}
	return s + "s"
}

// Seconds returns t as floating-point seconds.
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// Milliseconds returns t as floating-point milliseconds.
func (t Time) Milliseconds() float64 { return float64(t) / float64(Millisecond) }

// ParseDuration reads durations such as "100ms", "1.5s", "250us", "2m".
// It does not use package time so that the engine stays free of any clock.
func ParseDuration(s string) (Time, error) {
	units := []struct {
		suffix string
		unit   Time
	}{{"ns", Nanosecond}, {"us", Microsecond}, {"µs", Microsecond}, {"ms", Millisecond}, {"s", Second}, {"m", Minute}}
	for _, u := range units {
		if !strings.HasSuffix(s, u.suffix) {
			continue
		}
		num := strings.TrimSuffix(s, u.suffix)
		if u.suffix == "s" && (strings.HasSuffix(num, "m") || strings.HasSuffix(num, "u") || strings.HasSuffix(num, "n")) {
			continue
		}
		f, ok := plainDecimal(num)
		if !ok {
			break
		}
		return Time(scaled(f, int64(u.unit))), nil
	}
	return 0, fmt.Errorf("%q is not a duration (want e.g. 100ms, 1.5s, 60s)", s)
}

// FormatDuration prints d in the shortest natural unit, the inverse of ParseDuration.
func FormatDuration(d Time) string {
	switch {
	case d == 0:
		return "0s"
	case d%Second == 0:
		return strconv.FormatInt(int64(d/Second), 10) + "s"
	case d%Millisecond == 0:
		return strconv.FormatInt(int64(d/Millisecond), 10) + "ms"
	case d%Microsecond == 0:
		return strconv.FormatInt(int64(d/Microsecond), 10) + "us"
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}
