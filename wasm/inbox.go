//go:build js

package main

import (
	"sync"
	"sync/atomic"

	"connlab/engine"
	"connlab/wasm/internal/view"
)

// inbox is the only meeting point of the page's calls and the game loop.
// The bridge's callbacks put loads and commands in and read what Update
// last published; Update takes them out. Nothing here blocks for long.
type inbox struct {
	mu       sync.Mutex
	loads    []view.Load
	commands []view.Command
	errs     []string // bad commands, reported in state().error

	state view.State    // published by Update
	trace *engine.Trace // published by Update; never changed once published
	laid  *view.Frame   // published by Update; never changed once published

	frame atomic.Int64 // frames drawn
}

func (b *inbox) load(l view.Load) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.loads = append(b.loads, l)
}

func (b *inbox) command(c view.Command) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.commands = append(b.commands, c)
}

func (b *inbox) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, err.Error())
}

// take empties the queues.
func (b *inbox) take() (loads []view.Load, commands []view.Command, errs []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	loads, commands, errs = b.loads, b.commands, b.errs
	b.loads, b.commands, b.errs = nil, nil, nil
	return loads, commands, errs
}

func (b *inbox) publish(s view.State, t *engine.Trace, f *view.Frame) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state, b.trace, b.laid = s, t, f
}

// hits returns where the packets of the last frame laid out can be clicked.
func (b *inbox) hits() []view.Hit {
	b.mu.Lock()
	f := b.laid
	b.mu.Unlock()
	if f == nil {
		return []view.Hit{}
	}
	return f.Hits()
}

// published returns the last published state, with the frame count now.
func (b *inbox) published() (view.State, *engine.Trace) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.state
	s.Frame = b.frame.Load()
	return s, b.trace
}
