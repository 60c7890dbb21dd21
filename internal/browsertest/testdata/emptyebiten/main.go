//go:build js

// Command emptyebiten is the smallest Ebiten program: it fills its
// canvas and says so (window.emptyDrawn). The budget benchmark
// (budget_test.go) times navigation to its first frame against the
// lesson page's first drawn scenario, on the same machine in the same run.
package main

import (
	"image/color"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

type game struct{ drawn bool }

func (g *game) Update() error { return nil }

func (g *game) Draw(screen *ebiten.Image) {
	screen.Fill(color.RGBA{0x0b, 0x10, 0x20, 0xff})
	if !g.drawn {
		g.drawn = true
		js.Global().Set("emptyDrawn", true)
	}
}

func (g *game) Layout(w, h int) (int, int) { return w, h }

func main() {
	if err := ebiten.RunGame(&game{}); err != nil {
		panic(err)
	}
}
