//go:build js

package main

import (
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"

	"connlab/engine"
	"connlab/wasm/internal/view"
)

// Colours: a dark stage (good on projectors and beside the page's dark
// stage frame) with the packet colours every lesson uses.
var (
	colBG     = rgb(0x0b1020)
	colPanel  = rgb(0x131b33)
	colBorder = rgb(0x3a4a70)
	colGrid   = rgb(0x27314d)
	colText   = rgb(0xeef2f8)
	colDim    = rgb(0x8f9ab0)
	colNow    = rgb(0xffd84d)
	colHeld   = rgb(0xffd166)
	colTimer  = rgb(0x6ad1ff)
	colLost   = rgb(0xff4d4f)
	colSelect = rgb(0xffffff)

	kindColours = [...]color.RGBA{
		engine.PkHandshake: rgb(0x4e9bff),
		engine.PkACK:       rgb(0x9aa5b1),
		engine.PkRequest:   rgb(0xffb020),
		engine.PkResponse:  rgb(0x3ecf8e),
		engine.PkFIN:       rgb(0xc77dff),
		engine.PkRST:       rgb(0xff4d4f),
	}
)

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

func kindColour(k engine.PacketKind) color.RGBA {
	if int(k) < len(kindColours) {
		return kindColours[k]
	}
	return colText
}

func toneColour(t view.Tone) color.RGBA {
	switch t {
	case view.ToneDim:
		return colDim
	case view.ToneHeld:
		return colHeld
	case view.ToneTimer:
		return colTimer
	case view.ToneLost:
		return colLost
	}
	return colText
}

// fonts holds text faces by pixel size. Text is drawn with GoXFace over the
// Go fonts (golang.org/x/image/font/gofont): far smaller in the wasm than
// GoTextFace's shaper, and canvas text is ASCII only.
type fonts struct {
	regular, bold *opentype.Font
	faces         map[fontKey]*text.GoXFace
}

type fontKey struct {
	size int
	bold bool
}

func newFonts() *fonts {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic(err) // the embedded font is fixed: cannot fail
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		panic(err)
	}
	return &fonts{regular: r, bold: b, faces: map[fontKey]*text.GoXFace{}}
}

// face returns the face of size pixels, made on first use.
func (f *fonts) face(size float64, bold bool) *text.GoXFace {
	k := fontKey{int(math.Round(size)), bold}
	if fc, ok := f.faces[k]; ok {
		return fc
	}
	src := f.regular
	if bold {
		src = f.bold
	}
	ff, err := opentype.NewFace(src, &opentype.FaceOptions{Size: float64(k.size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err)
	}
	fc := text.NewGoXFace(ff)
	f.faces[k] = fc
	return fc
}

// measure is a view.Measure over the regular face.
func (f *fonts) measure(s string, size float64) float64 {
	return text.Advance(s, f.face(size, false))
}

// painter draws on one frame's screen with the plan's sizes.
type painter struct {
	dst   *ebiten.Image
	fonts *fonts
	sc    view.Scale
}

// text draws s with its top-left corner at (x, y).
func (p *painter) text(s string, x, y, size float64, bold bool, c color.Color) {
	op := &text.DrawOptions{}
	op.GeoM.Translate(math.Round(x), math.Round(y))
	op.ColorScale.ScaleWithColor(c)
	text.Draw(p.dst, s, p.fonts.face(size, bold), op)
}

// textRight draws s ending at x.
func (p *painter) textRight(s string, x, y, size float64, bold bool, c color.Color) {
	p.text(s, x-p.fonts.measure(s, size), y, size, bold, c)
}

// fit shortens s with "..." to fit in room pixels; "" if nothing fits.
func (p *painter) fit(s string, room, size float64) string {
	if p.fonts.measure(s, size) <= room {
		return s
	}
	for len(s) > 0 && p.fonts.measure(s+"...", size) > room {
		s = s[:len(s)-1]
	}
	if s == "" {
		return ""
	}
	return s + "..."
}

// lineTex is a column of texels, clear at both ends and opaque between:
// drawn across a line's width with linear filtering it gives the line soft
// edges. Ebiten's own antialiased vector drawing renders every call
// offscreen and is far too slow on a software GPU.
var lineTex = func() *ebiten.Image {
	img := ebiten.NewImageWithOptions(image.Rect(0, 0, 1, lineTexH), &ebiten.NewImageOptions{Unmanaged: true})
	pix := make([]byte, 4*lineTexH)
	for i := 1; i < lineTexH-1; i++ {
		copy(pix[4*i:], []byte{0xff, 0xff, 0xff, 0xff})
	}
	img.WritePixels(pix)
	return img
}()

const lineTexH = 8

// line draws l, width pixels wide, with soft edges.
func (p *painter) line(l view.Line, width float64, c color.Color) {
	dx, dy := l.X1-l.X0, l.Y1-l.Y0
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	// Half the width plus a pixel of feathering, across the line.
	h := (width + 2) / 2
	nx, ny := -dy/n*h, dx/n*h
	r, g, b, a := c.RGBA()
	cr, cg, cb, ca := float32(r)/0xffff, float32(g)/0xffff, float32(b)/0xffff, float32(a)/0xffff
	v := func(x, y, sy float64) ebiten.Vertex {
		return ebiten.Vertex{DstX: float32(x), DstY: float32(y), SrcX: 0.5, SrcY: float32(sy), ColorR: cr, ColorG: cg, ColorB: cb, ColorA: ca}
	}
	vs := []ebiten.Vertex{
		v(l.X0+nx, l.Y0+ny, 0), v(l.X1+nx, l.Y1+ny, 0),
		v(l.X0-nx, l.Y0-ny, lineTexH), v(l.X1-nx, l.Y1-ny, lineTexH),
	}
	p.dst.DrawTriangles(vs, []uint16{0, 1, 2, 1, 2, 3}, lineTex, &ebiten.DrawTrianglesOptions{Filter: ebiten.FilterLinear, Address: ebiten.AddressClampToZero})
}

func (p *painter) fill(r view.Rect, c color.Color) {
	vector.DrawFilledRect(p.dst, float32(r.X), float32(r.Y), float32(r.W), float32(r.H), c, false)
}

func (p *painter) stroke(r view.Rect, width float64, c color.Color) {
	vector.StrokeRect(p.dst, float32(r.X), float32(r.Y), float32(r.W), float32(r.H), float32(width), c, false)
}

// bar draws a timer's remaining fraction as a bar that shrinks to the left.
func (p *painter) bar(r view.Rect, frac float64, c color.Color) {
	p.stroke(r, math.Max(1, p.sc.Line/2), c)
	p.fill(view.Rect{X: r.X, Y: r.Y, W: r.W * frac, H: r.H}, c)
}
