// Command wasm is Connection Lab's stage: built for GOOS=js GOARCH=wasm, it
// runs the engine in the browser and draws the trace with Ebiten, driven by
// the lesson page through the connlab functions on its window (bridge_js.go).
package main

import (
	"log"

	"github.com/hajimehoshi/ebiten/v2"
)

func main() {
	in := &inbox{}
	pg := startBridge(in)
	ebiten.SetWindowTitle("Connection Lab stage")
	ebiten.SetWindowSize(1280, 720)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	if err := ebiten.RunGame(newGame(in, pg)); err != nil {
		log.Fatal(err)
	}
}
