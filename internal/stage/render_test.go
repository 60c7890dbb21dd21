package stage

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"connlab/engine"
)

// testInks approximates the stage's palette (wasm/theme.go) for the
// pictures the tests write with -shots.
var testInks = map[Ink]uint32{
	InkText: 0xf4f6fb, InkDim: 0xb4bfd3, InkNow: 0xffd84d, InkHeld: 0xffd166,
	InkTimer: 0x6ad1ff, InkLost: 0xff4d4f, InkSelect: 0xffffff, InkBG: 0x0b1020,
	InkPanel: 0x131b33, InkBorder: 0x5a6d99, InkGrid: 0x2c3757, InkPointer: 0xff4fd8,
	KindInk(engine.PkHandshake): 0x4e9bff, KindInk(engine.PkACK): 0x9aa5b1,
	KindInk(engine.PkRequest): 0xffb020, KindInk(engine.PkResponse): 0x3ecf8e,
	KindInk(engine.PkFIN): 0xc77dff, KindInk(engine.PkRST): 0xff4d4f,
}

func testInk(i Ink) color.RGBA {
	v, ok := testInks[i]
	if !ok {
		v = 0xf4f6fb
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// WritePNGForTest rasterizes f (static layer, then the moving one) to a
// PNG file, so that a person can look at what the layout tests check.
func WritePNGForTest(f *Frame, path string) error {
	img := image.NewRGBA(image.Rect(0, 0, int(f.W), int(f.H)))
	draw.Draw(img, img.Bounds(), image.NewUniform(testInk(InkBG)), image.Point{}, draw.Src)
	for _, ly := range []*Layer{&f.Static, &f.Dynamic} {
		for _, o := range ly.Ops {
			c := image.NewUniform(testInk(o.Ink))
			switch o.Kind {
			case PaintFill:
				draw.Draw(img, rectOf(o.R), c, image.Point{}, draw.Over)
			case PaintOutline:
				r, w := o.R, math.Max(o.Width, 1)
				for _, e := range []Rect{{r.X, r.Y, r.W, w}, {r.X, r.Y + r.H - w, r.W, w}, {r.X, r.Y, w, r.H}, {r.X + r.W - w, r.Y, w, r.H}} {
					draw.Draw(img, rectOf(e), c, image.Point{}, draw.Over)
				}
			case PaintLine:
				l := o.L
				n := math.Max(math.Hypot(l.X1-l.X0, l.Y1-l.Y0), 1)
				hw := math.Max(o.Width/2, 0.5)
				for k := 0.0; k <= n; k += 0.5 {
					x, y := l.Lerp(k / n)
					draw.Draw(img, rectOf(Rect{x - hw, y - hw, 2 * hw, 2 * hw}), c, image.Point{}, draw.Over)
				}
			case PaintText:
				face := testFonts.Face(o.Size, o.Bold)
				d := font.Drawer{Dst: img, Src: c, Face: face,
					Dot: fixed.P(int(math.Round(o.R.X)), int(math.Round(o.R.Y))+face.Metrics().Ascent.Round())}
				d.DrawString(o.S)
			}
		}
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(out, img); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func rectOf(r Rect) image.Rectangle {
	return image.Rect(int(math.Round(r.X)), int(math.Round(r.Y)), int(math.Round(r.X+r.W)), int(math.Round(r.Y+r.H)))
}
