//go:build js

// Command emptyebiten is the smallest Ebiten program: it fills its
// canvas every frame and says so (window.emptyDrawn, and the frames drawn
// in window.emptyFrames). The budget benchmarks (budget_test.go) time
// navigation to its first frame against the lesson page's first drawn
// scenario, and its frame rate against the playing stage's at the same
// canvas size, on the same machine in the same run.
package main

import (
	"image/color"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

type game struct{ frames int }

func (g *game) Update() error { return nil }

func (g *game) Draw(screen *ebiten.Image) {
	screen.Fill(color.RGBA{0x0b, 0x10, 0x20, 0xff})
	g.frames++
	js.Global().Set("emptyFrames", g.frames)
	if g.frames == 1 {
		js.Global().Set("emptyDrawn", true)
	}
}

func (g *game) Layout(w, h int) (int, int) { return w, h }

func main() {
	if err := ebiten.RunGame(&game{}); err != nil {
		panic(err)
	}
}
