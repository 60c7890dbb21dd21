package stage

import (
	"testing"

	"connlab/engine"
)

// BenchmarkFramePlaying lays out one frame of lesson 6's slow start
// playing at 1x, as the stage does each animation frame (game.Update):
// the step's plan is reused, the moving packets are laid out anew. Per
// page size; in the browser it runs as wasm, so compare natively and with
//
//	GOOS=js GOARCH=wasm go test -c -o /tmp/stage.wasm ./internal/stage
//	$(go env GOROOT)/lib/wasm/go_js_wasm_exec /tmp/stage.wasm -test.run '^$' -test.bench FramePlaying
func BenchmarkFramePlaying(b *testing.B) {
	tr, err := engine.Run("slow-start", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, sz := range PageSizes {
		b.Run(sz.Name, func(b *testing.B) {
			p := NewPlayer(tr, nil)
			sc := NewScale(sz.W, sz.H, 1, sz.Projector)
			var st Stage
			var snap engine.Snapshot
			p.Play()
			for i := 0; i < b.N; i++ {
				if !p.Playing {
					p.Play()
				}
				p.Advance(1.0 / 60)
				if snap.Step != p.Step || snap.Sockets == nil {
					snap = tr.At(p.Step)
				}
				st.Frame(p, &snap, sz.W, sz.H, sc, measure)
			}
		})
	}
}
