//go:build js

package main

import (
	"math"
	"sync"
	"sync/atomic"

	"connlab/engine"
	"connlab/internal/stage"
)

// inbox is the only meeting point of the page's calls and the game loop.
// The bridge's callbacks put loads and commands in and read what Update
// last published; Update takes them out. Nothing here blocks for long.
// Whatever is put in wakes an idle Update (sleep).
type inbox struct {
	mu       sync.Mutex
	loads    []stage.Load
	commands []stage.Command
	errs     []string // bad commands, reported in state().error

	state stage.State   // published by Update
	trace *engine.Trace // published by Update; never changed once published
	laid  *stage.Frame  // published by Update; never changed once published

	wake chan struct{} // one token: something came in since Update slept

	frame     atomic.Int64  // frames drawn
	lastFrame atomic.Uint64 // performance.now() of the last frame drawn, as float64 bits
}

func newInbox() *inbox {
	return &inbox{wake: make(chan struct{}, 1)}
}

// poke wakes Update if it sleeps, or keeps it from sleeping next time.
func (b *inbox) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// sleep waits until something is poked: a load, command or error from the
// page, or an input, resize or visibility event (bridge_js.go). Update
// sleeps when nothing moves, so that Ebiten asks for no animation frame
// and an idle stage costs no CPU: Ebiten requests the next frame only
// after Update returns (internal/ui/ui_js.go, loopGame), and its own
// input and resize handlers only record the event or queue a forced
// update behind this one.
func (b *inbox) sleep() {
	<-b.wake
}

// drew counts a frame drawn now.
func (b *inbox) drew() {
	b.frame.Add(1)
	b.lastFrame.Store(math.Float64bits(performanceNow()))
}

func (b *inbox) load(l stage.Load) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.loads = append(b.loads, l)
	b.poke()
}

func (b *inbox) command(c stage.Command) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.commands = append(b.commands, c)
	b.poke()
}

func (b *inbox) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, err.Error())
	b.poke()
}

// take empties the queues.
func (b *inbox) take() (loads []stage.Load, commands []stage.Command, errs []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	loads, commands, errs = b.loads, b.commands, b.errs
	b.loads, b.commands, b.errs = nil, nil, nil
	return loads, commands, errs
}

func (b *inbox) publish(s stage.State, t *engine.Trace, f *stage.Frame) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state, b.trace, b.laid = s, t, f
}

// hits returns where the packets of the last frame laid out can be clicked.
func (b *inbox) hits() []stage.Hit {
	b.mu.Lock()
	f := b.laid
	b.mu.Unlock()
	if f == nil {
		return []stage.Hit{}
	}
	return f.Hits()
}

// published returns the last published state, with the frame count now.
func (b *inbox) published() (stage.State, *engine.Trace) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.state
	s.Frame = b.frame.Load()
	s.LastFrameMs = math.Float64frombits(b.lastFrame.Load())
	return s, b.trace
}
