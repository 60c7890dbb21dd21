package stage

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

// ftoa formats f with prec decimals.
func ftoa(f float64, prec int) string { return strconv.FormatFloat(f, 'f', prec, 64) }

// gtoa formats f as briefly as it can: 0.25, 2.
func gtoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
