//go:build js

package main

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/hajimehoshi/ebiten/v2"

	"connlab/engine"
	"connlab/internal/stage"
)

// inbox is the only meeting point of the page's calls and the game loop.
// The bridge's callbacks put loads and commands in and read what Update
// last published; Update takes them out. Nothing here blocks for long.
// Whatever is put in schedules a frame, so that an idle stage (main.go's
// FPSModeVsyncOffMinimum) answers it at the next animation frame.
type inbox struct {
	mu       sync.Mutex
	loads    []stage.Load
	commands []stage.Command
	errs     []string // bad commands, reported in state().error

	state stage.State   // published by Update
	trace *engine.Trace // published by Update; never changed once published
	laid  *stage.Frame  // published by Update; never changed once published

	frame     atomic.Int64  // frames drawn
	lastFrame atomic.Uint64 // performance.now() of the last frame drawn, as float64 bits
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
	ebiten.ScheduleFrame()
}

func (b *inbox) command(c stage.Command) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.commands = append(b.commands, c)
	ebiten.ScheduleFrame()
}

func (b *inbox) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, err.Error())
	ebiten.ScheduleFrame()
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
