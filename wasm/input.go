//go:build js

package main

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"connlab/wasm/internal/view"
)

// keyOps are the keys the stage handles itself when it has focus (a
// presentation clicker sends PageDown/PageUp). The page handles them when
// it has focus; the stage's changes reach it through connlabStageChanged.
var keyOps = []struct {
	key ebiten.Key
	op  view.Op
}{
	{ebiten.KeyArrowRight, view.OpNext},
	{ebiten.KeyPageDown, view.OpNext},
	{ebiten.KeyArrowLeft, view.OpPrev},
	{ebiten.KeyPageUp, view.OpPrev},
	{ebiten.KeySpace, view.OpToggle},
	{ebiten.KeyHome, view.OpHome},
	{ebiten.KeyEnd, view.OpEnd},
}

// intents turns this tick's key presses and clicks into commands. A click
// selects the packet under it, or clears the selection.
func intents(f *view.Frame) []view.Command {
	var out []view.Command
	for _, k := range keyOps {
		if inpututil.IsKeyJustPressed(k.key) {
			out = append(out, view.Command{Op: k.op})
		}
	}
	if f == nil {
		return out
	}
	var clicks [][2]int
	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) {
		x, y := ebiten.CursorPosition()
		clicks = append(clicks, [2]int{x, y})
	}
	for _, id := range inpututil.AppendJustPressedTouchIDs(nil) {
		x, y := ebiten.TouchPosition(id)
		clicks = append(clicks, [2]int{x, y})
	}
	for _, c := range clicks {
		out = append(out, view.Command{Op: view.OpSelect, Packet: f.PacketAt(float64(c[0]), float64(c[1]))})
	}
	return out
}
