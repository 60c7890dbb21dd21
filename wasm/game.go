//go:build js

package main

import (
	"fmt"

	"github.com/hajimehoshi/ebiten/v2"

	"connlab/engine"
	"connlab/wasm/internal/view"
)

// page is what the stage tells the page it lives in.
type page interface {
	changed() // the state changed: step, playing, selection, error...
	ready()   // the stage is running and has made its first load
}

// game is the Ebiten game: Update turns loads, commands and input into
// state and a Plan; Draw only draws the Plan.
type game struct {
	in     *inbox
	page   page
	fonts  *fonts
	player *view.Player // nil until a load succeeds
	snap   engine.Snapshot
	plan   *view.Plan
	err    string

	projector bool
	speed     float64 // kept across loads, like reduced motion
	reduced   bool
	w, h, dpr float64

	started bool
	lastSig signature
}

// signature is the part of the state whose change the page is told about.
type signature struct {
	ready, playing bool
	scenario, err  string
	step, caption  int
	selected, n    int
	speed          float64
}

func newGame(in *inbox, pg page) *game {
	return &game{in: in, page: pg, fonts: newFonts(), speed: 1, w: 1280, h: 720, dpr: 1}
}

// Layout makes the canvas as many pixels as the device has, so text is crisp.
func (g *game) Layout(outsideW, outsideH int) (int, int) {
	g.dpr = ebiten.Monitor().DeviceScaleFactor()
	g.w, g.h = float64(outsideW)*g.dpr, float64(outsideH)*g.dpr
	return int(g.w), int(g.h)
}

// Update applies what came in, moves playback on by one tick and lays out
// the frame.
func (g *game) Update() error {
	loads, cmds, errs := g.in.take()
	for _, l := range loads {
		g.load(l)
	}
	for _, e := range errs {
		g.err = e
	}
	cmds = append(cmds, intents(g.plan)...)
	for _, c := range cmds {
		g.apply(c)
	}
	if g.player != nil {
		g.player.Advance(1 / float64(ebiten.TPS()))
		if g.snap.Step != g.player.Step || g.snap.Sockets == nil {
			g.snap = g.player.Trace.At(g.player.Step)
		}
		sc := view.NewScale(g.w, g.h, g.dpr, g.projector)
		g.plan = view.Layout(g.player, &g.snap, g.w, g.h, sc, g.fonts.measure)
	}
	g.publish()
	return nil
}

// load runs the engine for l. A failure keeps what was on stage and reports
// the error, which names the parameter and its allowed range.
func (g *game) load(l view.Load) {
	t, err := run(l)
	if err != nil {
		g.err = err.Error()
		return
	}
	p := view.NewPlayer(t, l.Captions)
	p.SetSpeed(g.speed)
	p.ReducedMotion = g.reduced
	p.Seek(l.Step)
	g.player, g.err = p, ""
	g.snap = engine.Snapshot{}
}

// run runs the engine, turning a panic (an engine bug) into an error so the
// stage survives to show it.
func run(l view.Load) (t *engine.Trace, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("engine failed on scenario %q: %v", l.Scenario, r)
		}
	}()
	t, err = engine.Run(l.Scenario, l.Params)
	if err == nil && t.Len() == 0 {
		err = fmt.Errorf("scenario %q produced no events", l.Scenario)
	}
	return t, err
}

func (g *game) apply(c view.Command) {
	switch c.Op {
	case view.OpTheme:
		g.projector = c.Theme == "projector"
		return
	case view.OpSpeed:
		g.speed = c.Speed
	case view.OpReducedMotion:
		g.reduced = c.On
	}
	if g.player != nil {
		g.player.Apply(c)
	}
}

// publish hands the state to the bridge and tells the page when it changed.
func (g *game) publish() {
	var s view.State
	var t *engine.Trace
	if g.player != nil {
		s, t = g.player.StateWith(&g.snap), g.player.Trace
	} else {
		s = (*view.Player)(nil).State()
	}
	s.Ready = true
	s.Error = g.err
	g.in.publish(s, t)
	sig := signature{ready: true, playing: s.Playing, scenario: s.Scenario, err: s.Error,
		step: s.Step, caption: s.Caption, selected: -1, n: s.Steps, speed: s.Speed}
	if s.Selected != nil {
		sig.selected = s.Selected.Index
	}
	if !g.started {
		g.started = true
		g.lastSig = sig
		g.page.ready()
		return
	}
	if sig != g.lastSig {
		g.lastSig = sig
		g.page.changed()
	}
}

// Draw draws the plan of the last Update.
func (g *game) Draw(screen *ebiten.Image) {
	g.in.frame.Add(1)
	screen.Fill(colBG)
	pt := &painter{dst: screen, fonts: g.fonts, sc: view.NewScale(g.w, g.h, g.dpr, g.projector)}
	if g.plan == nil {
		msg := "loading..."
		if g.err != "" {
			msg = g.err
		}
		pt.text(msg, pt.sc.U, pt.sc.U, pt.sc.U, false, colText)
		return
	}
	drawHeader(pt, g.plan, g.player)
	drawNet(pt, g.plan, g.player.Selected)
	if g.plan.Ladder != nil {
		drawLadder(pt, g.plan, g.player)
	}
	drawPlot(pt, g.plan, g.player)
	if g.err != "" {
		drawError(pt, g.plan, g.err)
	}
}
