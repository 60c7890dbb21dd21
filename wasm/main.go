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
	in := newInbox()
	pg := startBridge(in)
	ebiten.SetWindowTitle("Connection Lab stage")
	ebiten.SetWindowSize(1280, 720)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	// A frame is drawn only when something on it changed (game.Draw); the
	// screen keeps the last one meanwhile.
	ebiten.SetScreenClearedEveryFrame(false)
	// One Update per frame: playback follows the wall clock, so catching
	// up with extra Updates when frames are slow would only cost time.
	ebiten.SetTPS(ebiten.SyncWithFPS)
	if err := ebiten.RunGame(newGame(in, pg)); err != nil {
		log.Fatal(err)
	}
}
