//go:build js

package main

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"connlab/engine"
	"connlab/internal/stage"
)

// page is what the stage tells the page it lives in.
type page interface {
	changed() // the state changed: step, playing, selection, error...
	ready()   // the stage is running and has made its first load
}

// game is the Ebiten game: Update turns loads, commands and input into
// state and a Frame; Draw only draws the Frame: its Plan's static layer
// from an offscreen image drawn again only when the Plan changes, and the
// moving layer over it.
type game struct {
	in     *inbox
	page   page
	fonts  *fonts
	player *stage.Player // nil until a load succeeds
	snap   engine.Snapshot
	stage  stage.Stage
	frame  *stage.Frame
	err    string
	errKo  string // err told in Korean, when the engine has it (a run over stage.PageBudget)
	loads  int    // loads completed, failed ones included
	loaded bool   // a load completed since the page was last told

	projector bool
	speed     float64 // kept across loads, like reduced motion
	reduced   bool
	w, h, dpr float64

	static  *ebiten.Image // the static layer of drawn
	drawn   *stage.Plan
	started bool
	lastSig signature

	last    time.Time // when the last Update ran, for playback in real time
	moving  bool      // playback or a caption run went on after the last Update
	laidKey frameKey  // what the last frame was laid out for
	dirty   bool      // the frame changed since it was last drawn
}

// frameKey is what a frame's layout depends on: when none of it changes,
// Update lays nothing out and Draw draws nothing (the canvas keeps the last
// frame, as the screen is not cleared), so an idle stage costs next to no
// CPU.
type frameKey struct {
	player    *stage.Player
	step      int
	at        engine.Time
	selected  int
	pointer   string
	zoom      float64
	w, h      float64
	projector bool
	err       string
}

// signature is the part of the state whose change the page is told about.
type signature struct {
	ready, playing bool
	scenario, err  string
	step, caption  int
	selected, n    int
	speed, zoom    float64
	animating      bool
	pointer        string
}

func newGame(in *inbox, pg page) *game {
	return &game{in: in, page: pg, fonts: newFonts(), speed: 1, w: 1280, h: 720, dpr: 1}
}

// Layout makes the canvas as many pixels as the device has, so text is crisp.
func (g *game) Layout(outsideW, outsideH int) (int, int) {
	g.dpr = ebiten.Monitor().DeviceScaleFactor()
	g.w, g.h = math.Round(float64(outsideW)*g.dpr), math.Round(float64(outsideH)*g.dpr)
	return int(g.w), int(g.h)
}

// Update applies what came in, moves playback on by the real time since
// the last Update (whatever the frame rate) and lays out the frame when
// anything it shows changed: only what moves, unless the step, selection,
// ladder scroll, theme or size changed.
func (g *game) Update() error {
	now := time.Now()
	dt := 0.0
	if g.moving {
		// A hidden tab stops the loop: do not jump on by the pause. After
		// an idle spell (no Updates at all) nothing moves by it either.
		dt = min(now.Sub(g.last).Seconds(), maxFrameGap)
	}
	g.last = now
	loads, cmds, errs := g.in.take()
	for _, l := range loads {
		g.load(l)
	}
	for _, e := range errs {
		g.err = e
	}
	cmds = append(cmds, intents(g.frame)...)
	for _, c := range cmds {
		g.apply(c)
	}
	key := frameKey{w: g.w, h: g.h, projector: g.projector, err: g.err}
	if p := g.player; p != nil {
		p.Advance(dt)
		key.player, key.step, key.at, key.selected, key.pointer, key.zoom = p, p.Step, p.Time, p.Selected, p.Pointer, p.Zoom
	}
	g.moving = g.player != nil && g.player.Moving()
	if key == g.laidKey && len(loads)+len(cmds)+len(errs) == 0 {
		if !g.moving && !g.dirty {
			// Nothing moves and the last frame is on screen: wait for
			// something to happen before Ebiten asks for another frame.
			// Input that wakes this is read by the next Update, one
			// animation frame later.
			g.in.sleep()
		}
		return nil
	}
	g.laidKey, g.dirty = key, true
	if p := g.player; p != nil {
		if g.snap.Step != p.Step || g.snap.Sockets == nil {
			g.snap = p.Trace.At(p.Step)
		}
		sc := stage.NewScale(g.w, g.h, g.dpr, g.projector)
		g.frame, _ = g.stage.Frame(p, &g.snap, g.w, g.h, sc, g.fonts.Measure)
	}
	g.publish()
	return nil
}

// maxFrameGap is the most real time, in seconds, one Update moves
// playback on by.
const maxFrameGap = 0.25

// load runs the engine for l. A failure keeps what was on stage and reports
// the error, which names the parameter and its allowed range.
func (g *game) load(l stage.Load) {
	g.loads++
	g.loaded = true
	t, err := run(l)
	if err != nil {
		g.err, g.errKo = err.Error(), ""
		var be *engine.BudgetError
		if errors.As(err, &be) {
			g.errKo = be.Korean()
		}
		return
	}
	p := stage.NewPlayerWhen(t, l.Captions, l.When)
	p.SetCaptionTexts(l.Texts)
	p.SetSpeed(g.speed)
	p.ReducedMotion = g.reduced
	p.Seek(l.Step)
	g.player, g.err, g.errKo = p, "", ""
	g.snap = engine.Snapshot{}
}

// run runs the engine, turning a panic (an engine bug) into an error so the
// stage survives to show it.
func run(l stage.Load) (t *engine.Trace, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("engine failed on scenario %q: %v", l.Scenario, r)
		}
	}()
	t, err = engine.RunWithin(l.Scenario, l.Params, stage.PageBudget)
	if err == nil && t.Len() == 0 {
		err = fmt.Errorf("scenario %q produced no events", l.Scenario)
	}
	return t, err
}

func (g *game) apply(c stage.Command) {
	switch c.Op {
	case stage.OpTheme:
		g.projector = c.Theme == "projector"
		return
	case stage.OpSpeed:
		g.speed = c.Speed
	case stage.OpReducedMotion:
		g.reduced = c.On
	}
	if g.player != nil {
		g.player.Apply(c)
	}
}

// publish hands the state to the bridge and tells the page when it
// changed, and always after a load.
func (g *game) publish() {
	var s stage.State
	var t *engine.Trace
	if g.player != nil {
		s, t = g.player.StateWith(&g.snap), g.player.Trace
	} else {
		s = (*stage.Player)(nil).State()
	}
	s.Ready = true
	s.Error, s.ErrorKo = g.err, g.errKo
	s.Loads = g.loads
	g.in.publish(s, t, g.frame)
	sig := signature{ready: true, playing: s.Playing, scenario: s.Scenario, err: s.Error,
		step: s.Step, caption: s.Caption, selected: -1, n: s.Steps, speed: s.Speed,
		zoom: s.Zoom, animating: s.Animating, pointer: s.Pointer}
	if s.Selected != nil {
		sig.selected = s.Selected.Index
	}
	if !g.started {
		g.started, g.loaded = true, false
		g.lastSig = sig
		g.page.ready()
		return
	}
	if sig != g.lastSig || g.loaded {
		g.lastSig, g.loaded = sig, false
		g.page.changed()
	}
}

// Draw draws the frame of the last Update, if it changed since it was
// last drawn: otherwise the screen keeps it.
func (g *game) Draw(screen *ebiten.Image) {
	if !g.dirty {
		return
	}
	g.dirty = false
	g.in.drew()
	f := g.frame
	if f == nil || f.W != float64(screen.Bounds().Dx()) || f.H != float64(screen.Bounds().Dy()) {
		screen.Fill(colBG)
		sc := stage.NewScale(g.w, g.h, g.dpr, g.projector)
		msg := "불러오는 중…"
		if g.err != "" {
			msg = g.err
		}
		pt := &painter{dst: screen, fonts: g.fonts}
		pt.text(msg, sc.U, sc.U, sc.U, false, ink(stage.InkText))
		return
	}
	if g.static == nil || g.static.Bounds() != screen.Bounds() {
		if g.static != nil {
			g.static.Deallocate()
		}
		g.static = ebiten.NewImage(screen.Bounds().Dx(), screen.Bounds().Dy())
		g.drawn = nil
	}
	if g.drawn != f.Plan {
		g.static.Fill(colBG)
		(&painter{dst: g.static, fonts: g.fonts}).draw(&f.Static)
		g.drawn = f.Plan
	}
	screen.DrawImage(g.static, nil)
	pt := &painter{dst: screen, fonts: g.fonts}
	pt.draw(&f.Dynamic)
	if g.err != "" {
		g.drawError(pt, f)
	}
}

// drawError shows a load or command error across the bottom of the stage.
func (g *game) drawError(pt *painter, f *stage.Frame) {
	u := f.U
	h := math.Ceil(u * 1.8)
	vector.DrawFilledRect(pt.dst, 0, float32(f.H-h), float32(f.W), float32(h), ink(stage.InkLost), false)
	pt.text(g.err, u*0.5, f.H-h+(h-u*1.2)/2, u, true, colBG)
}
