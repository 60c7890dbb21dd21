//go:build js

// Command wasm is Connection Lab's stage: built for GOOS=js GOARCH=wasm, it
// runs the engine in the browser and draws the trace with Ebiten, driven by
// the lesson page through the connlab functions on its window (bridge_js.go).
//
// Every file here builds for js only: natively Ebiten needs cgo and X11
// headers, which `go vet ./...` must not depend on. What can be tested
// without a browser (playback, layout, hit-testing, the bridge's JSON)
// lives in internal/stage.
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
	// Every frame covers the whole screen with the static layer.
	ebiten.SetScreenClearedEveryFrame(false)
	if err := ebiten.RunGame(newGame(in, pg)); err != nil {
		log.Fatal(err)
	}
}
