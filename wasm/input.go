//go:build js

package main

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"connlab/internal/stage"
)

// keyOps are the keys the stage handles itself when it has focus (a
// presentation clicker sends PageDown/PageUp). The page handles them when
// it has focus; the stage's changes reach it through connlabStageChanged.
var keyOps = []struct {
	key ebiten.Key
	op  stage.Op
}{
	{ebiten.KeyArrowRight, stage.OpNext},
	{ebiten.KeyPageDown, stage.OpNext},
	{ebiten.KeyArrowLeft, stage.OpPrev},
	{ebiten.KeyPageUp, stage.OpPrev},
	{ebiten.KeySpace, stage.OpToggle},
	{ebiten.KeyHome, stage.OpHome},
	{ebiten.KeyEnd, stage.OpEnd},
}

// intents turns this tick's key presses and clicks into commands. A click
// selects the packet under it, or clears the selection.
func intents(f *stage.Frame) []stage.Command {
	var out []stage.Command
	for _, k := range keyOps {
		if inpututil.IsKeyJustPressed(k.key) {
			out = append(out, stage.Command{Op: k.op})
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
		out = append(out, stage.Command{Op: stage.OpSelect, Packet: f.PacketAt(float64(c[0]), float64(c[1]))})
	}
	return out
}
