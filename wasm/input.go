//go:build js

package main

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"connlab/internal/stage"
)

// keyOps are the keys the stage handles itself when it has focus (a
// presentation clicker sends PageDown/PageUp): arrows and PageDown/PageUp
// move by caption, with Shift by one engine event; + and - zoom the
// ladder, 0 fits it to the story. The page handles them when it has
// focus; the stage's changes reach it through connlabStageChanged.
var keyOps = []struct {
	key   ebiten.Key
	shift bool
	cmd   stage.Command
}{
	{ebiten.KeyArrowRight, false, stage.Command{Op: stage.OpNextCaption}},
	{ebiten.KeyPageDown, false, stage.Command{Op: stage.OpNextCaption}},
	{ebiten.KeyArrowLeft, false, stage.Command{Op: stage.OpPrevCaption}},
	{ebiten.KeyPageUp, false, stage.Command{Op: stage.OpPrevCaption}},
	{ebiten.KeyArrowRight, true, stage.Command{Op: stage.OpNext}},
	{ebiten.KeyArrowLeft, true, stage.Command{Op: stage.OpPrev}},
	{ebiten.KeySpace, false, stage.Command{Op: stage.OpToggle}},
	{ebiten.KeyHome, false, stage.Command{Op: stage.OpHome}},
	{ebiten.KeyEnd, false, stage.Command{Op: stage.OpEnd}},
	{ebiten.KeyEqual, false, zoomIn},
	{ebiten.KeyEqual, true, zoomIn},
	{ebiten.KeyNumpadAdd, false, zoomIn},
	{ebiten.KeyMinus, false, zoomOut},
	{ebiten.KeyNumpadSubtract, false, zoomOut},
	{ebiten.Key0, false, stage.Command{Op: stage.OpZoom}},
}

var (
	zoomIn  = stage.Command{Op: stage.OpZoom, Zoom: 2}
	zoomOut = stage.Command{Op: stage.OpZoom, Zoom: 0.5}
)

// intents turns this tick's key presses, wheel turns and clicks into
// commands. A click selects the packet under it, or clears the selection.
func intents(f *stage.Frame) []stage.Command {
	var out []stage.Command
	shift := ebiten.IsKeyPressed(ebiten.KeyShift)
	for _, k := range keyOps {
		if inpututil.IsKeyJustPressed(k.key) && k.shift == shift {
			out = append(out, k.cmd)
		}
	}
	// A wheel turn zooms by a quarter, whatever the wheel's resolution.
	if _, dy := ebiten.Wheel(); dy > 0 {
		out = append(out, stage.Command{Op: stage.OpZoom, Zoom: 1.25})
	} else if dy < 0 {
		out = append(out, stage.Command{Op: stage.OpZoom, Zoom: 0.8})
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
