package engine

import (
	"math"
	"strconv"
	"strings"
)

// Settings are written as plain decimal numbers: digits, with a decimal
// point between digits where a fraction makes sense ("100", "1.5").
// strconv alone would also read NaN, Inf, 1_000, 0x1p4, 1e3 and +5, which
// no setting means; and a float too large for an int64 converts to an
// unspecified value (the Go spec, "Conversions between numeric types").

// isDigits reports whether s is one or more of 0-9.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// plainDecimal reads a plain decimal number, "100" or "1.5".
func plainDecimal(s string) (float64, bool) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	if !isDigits(whole) || (hasPoint && !isDigits(frac)) {
		return 0, false
	}
	// Digits fail ParseFloat only past 1.8e308, as +Inf (strconv.ErrRange),
	// which scaled reads as too large.
	f, _ := strconv.ParseFloat(s, 64)
	return f, true
}

// wholeNumber reads a plain whole number, "1460". One too large for an
// int64 reads as math.MaxInt64, which every setting's range refuses.
func wholeNumber(s string) (int64, bool) {
	if !isDigits(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil { // strconv.ErrRange: digits only cannot fail otherwise
		return math.MaxInt64, true
	}
	return n, true
}

// scaled returns f*unit as an int64, math.MaxInt64 when it is beyond one.
func scaled(f float64, unit int64) int64 {
	if x := f * float64(unit); x < math.MaxInt64 {
		return int64(x)
	}
	return math.MaxInt64
}
