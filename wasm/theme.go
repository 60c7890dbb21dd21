//go:build js

package main

import (
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"connlab/engine"
	"connlab/internal/stage"
)

// Colours: a dark stage (good on projectors and beside the page's dark
// stage frame) with the packet colours every lesson uses, all light
// enough on the panels to read from the back of a classroom. The browser
// tests know the packet colours (internal/browsertest/tab_test.go).
var (
	colBG = rgb(0x0b1020)

	inks = func() []color.RGBA {
		c := make([]color.RGBA, int(stage.InkKind)+int(engine.PkRST)+1)
		c[stage.InkText] = rgb(0xf4f6fb)
		c[stage.InkDim] = rgb(0xb4bfd3)
		c[stage.InkNow] = rgb(0xffd84d)
		c[stage.InkHeld] = rgb(0xffd166)
		c[stage.InkTimer] = rgb(0x6ad1ff)
		c[stage.InkLost] = rgb(0xff4d4f)
		c[stage.InkSelect] = rgb(0xffffff)
		c[stage.InkBG] = colBG
		c[stage.InkPanel] = rgb(0x131b33)
		c[stage.InkBorder] = rgb(0x5a6d99)
		c[stage.InkGrid] = rgb(0x2c3757)
		c[stage.InkPointer] = rgb(0xff4fd8)
		c[stage.KindInk(engine.PkHandshake)] = rgb(0x4e9bff)
		c[stage.KindInk(engine.PkACK)] = rgb(0x9aa5b1)
		c[stage.KindInk(engine.PkRequest)] = rgb(0xffb020)
		c[stage.KindInk(engine.PkResponse)] = rgb(0x3ecf8e)
		c[stage.KindInk(engine.PkFIN)] = rgb(0xc77dff)
		c[stage.KindInk(engine.PkRST)] = rgb(0xff4d4f)
		return c
	}()
)

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

func ink(i stage.Ink) color.RGBA {
	if int(i) < len(inks) {
		return inks[i]
	}
	return inks[stage.InkText]
}

// fonts draws text with GoXFace over the faces stage.Fonts measures with
// (the Go fonts): far smaller in the wasm than GoTextFace's shaper, and
// canvas text is ASCII only.
type fonts struct {
	*stage.Fonts
	faces map[fontKey]*text.GoXFace
}

type fontKey struct {
	size int
	bold bool
}

func newFonts() *fonts {
	return &fonts{Fonts: stage.NewFonts(), faces: map[fontKey]*text.GoXFace{}}
}

// face returns the drawing face of size pixels, made on first use.
func (f *fonts) face(size float64, bold bool) *text.GoXFace {
	k := fontKey{int(math.Round(size)), bold}
	if fc, ok := f.faces[k]; ok {
		return fc
	}
	fc := text.NewGoXFace(f.Face(size, bold))
	f.faces[k] = fc
	return fc
}

// painter draws layers on an image.
type painter struct {
	dst   *ebiten.Image
	fonts *fonts
	// Vertices of the lines drawn so far, flushed in one call.
	vs []ebiten.Vertex
	is []uint16
}

// draw draws a layer's operations in order.
func (p *painter) draw(ly *stage.Layer) {
	for i := range ly.Ops {
		o := &ly.Ops[i]
		if o.Kind != stage.PaintLine {
			p.flush()
		}
		c := ink(o.Ink)
		switch o.Kind {
		case stage.PaintFill:
			vector.DrawFilledRect(p.dst, float32(o.R.X), float32(o.R.Y), float32(o.R.W), float32(o.R.H), c, false)
		case stage.PaintOutline:
			vector.StrokeRect(p.dst, float32(o.R.X), float32(o.R.Y), float32(o.R.W), float32(o.R.H), float32(o.Width), c, false)
		case stage.PaintLine:
			p.line(o.L, o.Width, c)
		case stage.PaintText:
			p.text(o.S, o.R.X, o.R.Y, o.Size, o.Bold, c)
		}
	}
	p.flush()
}

// text draws s with its top-left corner at (x, y).
func (p *painter) text(s string, x, y, size float64, bold bool, c color.Color) {
	op := &text.DrawOptions{}
	op.GeoM.Translate(math.Round(x), math.Round(y))
	op.ColorScale.ScaleWithColor(c)
	text.Draw(p.dst, s, p.fonts.face(size, bold), op)
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

// line queues l, width pixels wide, with soft edges; consecutive lines
// are drawn in one call.
func (p *painter) line(l stage.Line, width float64, c color.Color) {
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
	if len(p.vs)+4 > math.MaxUint16 {
		p.flush()
	}
	k := uint16(len(p.vs))
	p.vs = append(p.vs,
		v(l.X0+nx, l.Y0+ny, 0), v(l.X1+nx, l.Y1+ny, 0),
		v(l.X0-nx, l.Y0-ny, lineTexH), v(l.X1-nx, l.Y1-ny, lineTexH))
	p.is = append(p.is, k, k+1, k+2, k+1, k+2, k+3)
}

func (p *painter) flush() {
	if len(p.vs) == 0 {
		return
	}
	p.dst.DrawTriangles(p.vs, p.is, lineTex, &ebiten.DrawTrianglesOptions{Filter: ebiten.FilterLinear, Address: ebiten.AddressClampToZero})
	p.vs, p.is = p.vs[:0], p.is[:0]
}
