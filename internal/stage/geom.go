package stage

import "math"

// Rect is an axis-aligned rectangle in device pixels.
type Rect struct{ X, Y, W, H float64 }

// Contains reports whether (x, y) lies inside r.
func (r Rect) Contains(x, y float64) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

// Overlaps reports whether r and o share any area.
func (r Rect) Overlaps(o Rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

// Inset returns r shrunk by d on every side.
func (r Rect) Inset(d float64) Rect {
	return Rect{r.X + d, r.Y + d, math.Max(r.W-2*d, 0), math.Max(r.H-2*d, 0)}
}

// Line is a segment from (X0, Y0) to (X1, Y1).
type Line struct{ X0, Y0, X1, Y1 float64 }

// Lerp returns the point at fraction f along l.
func (l Line) Lerp(f float64) (x, y float64) {
	return l.X0 + (l.X1-l.X0)*f, l.Y0 + (l.Y1-l.Y0)*f
}

// Part returns the piece of l between fractions a and b.
func (l Line) Part(a, b float64) Line {
	x0, y0 := l.Lerp(a)
	x1, y1 := l.Lerp(b)
	return Line{x0, y0, x1, y1}
}

// Dist returns the distance from (x, y) to the segment l.
func (l Line) Dist(x, y float64) float64 {
	dx, dy := l.X1-l.X0, l.Y1-l.Y0
	n := dx*dx + dy*dy
	f := 0.0
	if n > 0 {
		f = min(max(((x-l.X0)*dx+(y-l.Y0)*dy)/n, 0), 1)
	}
	px, py := l.Lerp(f)
	ex, ey := x-px, y-py
	return math.Sqrt(ex*ex + ey*ey) // Hypot's care for overflow costs more than the rest here, on pixel coordinates

}

// Scale holds the sizes everything else derives from, in device pixels.
type Scale struct {
	DPR  float64 // device pixels per CSS pixel
	U    float64 // text size: every label on the stage is this size
	Line float64 // base line width
}

// NewScale picks text and line sizes for a canvas of w x h device pixels.
// Text grows with the stage (a 46th of its width or a 30th of its height,
// whichever is smaller) between 16 and 40 CSS pixels; the projector theme
// makes it a tenth larger with thicker lines. A 670x420 stage gets 16 px,
// a 1860x840 projected one 30 px.
func NewScale(w, h, dpr float64, projector bool) Scale {
	if dpr <= 0 {
		dpr = 1
	}
	cw, ch := w/dpr, h/dpr
	u := math.Min(cw/46, ch/30)
	line := 2.0
	if projector {
		u *= 1.1
		line = 3
	}
	u = math.Min(math.Max(u, 16), 40)
	return Scale{DPR: dpr, U: math.Round(u * dpr), Line: line * dpr}
}

// Crosses reports whether the segment l passes through the inside of r
// (Liang–Barsky clipping): a segment that only touches r's edge does not.
func (l Line) Crosses(r Rect) bool {
	if r.W <= 0 || r.H <= 0 {
		return false
	}
	// Most lines a label is tested against are nowhere near it: their
	// bounding boxes miss (the ladder's label placement tests every label
	// against every line, and spends most of a layout here).
	if min(l.X0, l.X1) > r.X+r.W || max(l.X0, l.X1) < r.X || min(l.Y0, l.Y1) > r.Y+r.H || max(l.Y0, l.Y1) < r.Y {
		return false
	}
	dx, dy := l.X1-l.X0, l.Y1-l.Y0
	a, b := 0.0, 1.0
	for _, c := range [4][2]float64{{-dx, l.X0 - r.X}, {dx, r.X + r.W - l.X0}, {-dy, l.Y0 - r.Y}, {dy, r.Y + r.H - l.Y0}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q <= 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			a = max(a, t)
		} else {
			b = min(b, t)
		}
		if a >= b {
			return false
		}
	}
	return true
}
