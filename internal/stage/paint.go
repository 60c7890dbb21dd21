package stage

import (
	_ "embed"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"

	"connlab/engine"
)

// Ink names a colour of the stage's palette; the Ebiten program maps inks
// to colours, so the layout here stays free of drawing.
type Ink uint8

// Inks. Packet kinds have an ink each, from InkKind on (KindInk).
const (
	InkText    Ink = iota // main text
	InkDim                // secondary text: ticks, closed sockets
	InkNow                // the current time and event
	InkHeld               // bytes Nagle holds back
	InkTimer              // a running timer
	InkLost               // bytes lost to a reset, failed objects
	InkSelect             // the selected packet's outline
	InkBG                 // the stage's background, text on a coloured label
	InkPanel              // panels: header, boxes, ladder, plot
	InkBorder             // box outlines, links, host lines
	InkGrid               // grid lines, skipped time
	InkPointer            // the teacher's pointer ring
	InkKind               // first packet kind; KindInk(k) = InkKind + k
)

// KindInk is the ink of a packet of kind k.
func KindInk(k engine.PacketKind) Ink { return InkKind + Ink(k) }

// ToneInk is the ink of a host box line of tone t.
func ToneInk(t Tone) Ink {
	switch t {
	case ToneDim:
		return InkDim
	case ToneHeld:
		return InkHeld
	case ToneTimer:
		return InkTimer
	case ToneLost:
		return InkLost
	}
	return InkText
}

// PaintKind says what a Paint draws.
type PaintKind uint8

// Drawing operations.
const (
	PaintFill    PaintKind = iota // fill R
	PaintOutline                  // outline R, Width wide
	PaintLine                     // line L, Width wide
	PaintText                     // text S at R's top-left
)

// Paint is one drawing operation in device pixels.
type Paint struct {
	Kind  PaintKind
	Ink   Ink
	R     Rect // fill, outline, or the box a text occupies
	L     Line
	Width float64
	S     string
	Size  float64
	Bold  bool
	Area  Rect // the region a text belongs to and must stay inside
}

// Layer is a list of drawing operations, drawn in order.
type Layer struct{ Ops []Paint }

func (ly *Layer) fill(r Rect, ink Ink) {
	if r.W > 0 && r.H > 0 {
		ly.Ops = append(ly.Ops, Paint{Kind: PaintFill, Ink: ink, R: r})
	}
}

func (ly *Layer) outline(r Rect, width float64, ink Ink) {
	ly.Ops = append(ly.Ops, Paint{Kind: PaintOutline, Ink: ink, R: r, Width: width})
}

func (ly *Layer) line(l Line, width float64, ink Ink) {
	ly.Ops = append(ly.Ops, Paint{Kind: PaintLine, Ink: ink, L: l, Width: width})
}

// text adds a text already measured and placed: t.R is its box.
func (ly *Layer) text(t Paint) {
	t.Kind = PaintText
	ly.Ops = append(ly.Ops, t)
}

// Texts returns the layer's texts.
func (ly *Layer) Texts() []Paint {
	var out []Paint
	for _, o := range ly.Ops {
		if o.Kind == PaintText {
			out = append(out, o)
		}
	}
	return out
}

// lineHeight is the height of a line of text of size s: Noto Sans CJK's
// ascent and descent are 1.16 em, and a little room between lines.
func lineHeight(s float64) float64 { return math.Ceil(s * 1.25) }

// The stage's fonts: Noto Sans CJK KR (SIL Open Font License 1.1, from
// Debian's fonts-noto-cjk), cut down to the runes the stage draws.
// Regenerate them after adding text to the stage with go generate.
//
//go:generate go test -run ^TestFontCoversStage$ -update-font .
var (
	//go:embed fonts/regular.otf
	regularOTF []byte
	//go:embed fonts/bold.otf
	boldOTF []byte
)

// Fonts measures text in the stage's fonts, the faces it draws with, so
// that what the layout measures is what is drawn.
type Fonts struct {
	regular, bold *opentype.Font
	faces         map[faceKey]font.Face
	widths        map[widthKey]float64 // measured strings, forgotten when full
}

type widthKey struct {
	s    string
	size float64
	bold bool
}

// maxWidths bounds the memo of measured strings.
const maxWidths = 4096

type faceKey struct {
	size int
	bold bool
}

// NewFonts parses the embedded fonts.
func NewFonts() *Fonts {
	r, err := opentype.Parse(regularOTF)
	if err != nil {
		panic(err) // the embedded font is fixed and tested: cannot fail
	}
	b, err := opentype.Parse(boldOTF)
	if err != nil {
		panic(err)
	}
	return &Fonts{regular: r, bold: b, faces: map[faceKey]font.Face{}, widths: map[widthKey]float64{}}
}

// Face returns the face of size pixels (rounded), made on first use.
func (f *Fonts) Face(size float64, bold bool) font.Face {
	k := faceKey{int(math.Round(size)), bold}
	if fc, ok := f.faces[k]; ok {
		return fc
	}
	src := f.regular
	if bold {
		src = f.bold
	}
	fc, err := opentype.NewFace(src, &opentype.FaceOptions{Size: float64(k.size), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // only for a bad size, which Round rules out
	}
	f.faces[k] = fc
	return fc
}

// Measure is a Measure over these fonts. The layout measures the same
// labels step after step, so widths are remembered.
func (f *Fonts) Measure(s string, size float64, bold bool) float64 {
	k := widthKey{s, size, bold}
	if w, ok := f.widths[k]; ok {
		return w
	}
	if len(f.widths) >= maxWidths {
		clear(f.widths)
	}
	w := float64(font.MeasureString(f.Face(size, bold), s)) / 64
	f.widths[k] = w
	return w
}
