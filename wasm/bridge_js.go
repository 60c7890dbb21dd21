//go:build js

package main

import (
	"encoding/json"
	"fmt"

	"syscall/js"

	"connlab/internal/pcapnote"
	"connlab/internal/stage"
)

// jsPage is the stage's view of the page around it: its own window and the
// parent (the lesson page, or itself when the stage runs standalone).
type jsPage struct {
	win, parent js.Value
}

// startBridge sets window.connlab = {load, command, state, lines, pcap, hits, exercise},
// and queues the scenario named in the stage's own URL so that /stage/
// works by itself. The functions only enqueue or read what Update
// published; none of them waits for the game loop.
func startBridge(in *inbox) page {
	win := js.Global()
	api := js.Global().Get("Object").New()
	api.Set("load", js.FuncOf(func(_ js.Value, args []js.Value) any {
		l, err := stage.ParseLoad(argString(args, 0))
		if err != nil {
			in.fail(err)
			return nil
		}
		in.load(l)
		return nil
	}))
	api.Set("command", js.FuncOf(func(_ js.Value, args []js.Value) any {
		c, err := stage.ParseCommand(argString(args, 0))
		if err != nil {
			in.fail(err)
			return nil
		}
		in.command(c)
		return nil
	}))
	api.Set("state", js.FuncOf(func(js.Value, []js.Value) any {
		s, _ := in.published()
		return s.JSON()
	}))
	// lines(from, to): the steps from..to-1 as
	// [{"step":N,"text":canonical English line,"ko":Korean sentence}].
	api.Set("lines", js.FuncOf(func(_ js.Value, args []js.Value) any {
		_, t := in.published()
		lines := []logLine{}
		if t != nil {
			from, to := argInt(args, 0, 0), argInt(args, 1, t.Len())
			from, to = max(from, 0), min(to, t.Len())
			for i := from; i < to; i++ {
				lines = append(lines, logLine{Step: i, Text: t.Events[i].String(), Ko: stage.Describe(t, i)})
			}
		}
		b, _ := json.Marshal(lines)
		return string(b)
	}))
	api.Set("pcap", js.FuncOf(func(js.Value, []js.Value) any {
		_, t := in.published()
		if t == nil {
			return js.Null()
		}
		if msg := pcapnote.Problem(t); msg != "" {
			return msg // the page shows why instead of saving an empty file
		}
		b := t.PCAP()
		arr := js.Global().Get("Uint8Array").New(len(b))
		js.CopyBytesToJS(arr, b)
		return arr
	}))
	// hits: where the packets and hosts drawn now are, in the iframe's
	// CSS pixels: [{"kind":"packet"|"host","index":N,"packet":N or -1,
	// "x":..,"y":..,"w":..,"h":..}]; clicking the middle of a packet's box
	// selects it.
	api.Set("hits", js.FuncOf(func(js.Value, []js.Value) any {
		b, _ := json.Marshal(in.hits())
		return string(b)
	}))
	// exercise: connlab.exercise(JSON) solves and grades an exercise or
	// tries a challenge (internal/stage/exercise.go). It only computes: a
	// run of the engine, not a wait for the game loop.
	api.Set("exercise", js.FuncOf(func(_ js.Value, args []js.Value) any {
		return stage.RunExercise(argString(args, 0))
	}))
	win.Set("connlab", api)
	// Events Ebiten reads input or size from wake an idle Update (inbox.sleep).
	wake := js.FuncOf(func(js.Value, []js.Value) any {
		in.poke()
		return nil
	})
	opts := js.Global().Get("Object").New()
	opts.Set("capture", true)
	opts.Set("passive", true)
	for _, ev := range []string{"keydown", "keyup", "mousedown", "mouseup", "wheel",
		"touchstart", "touchend", "touchcancel", "resize", "focus", "blur", "visibilitychange"} {
		win.Call("addEventListener", ev, wake, opts)
	}

	parent := win.Get("parent")
	if parent.IsUndefined() || parent.IsNull() {
		parent = win
	}
	pg := &jsPage{win: win, parent: parent}
	// A lesson page loads its scene, with its captions, as soon as the
	// stage says it is ready (connlabStageReady): running the address's
	// scenario first would cost a run and a frame before it.
	if !pg.has("connlabStageReady") {
		if l, err := stage.LoadFromQuery(win.Get("location").Get("search").String()); err != nil {
			in.fail(err)
		} else {
			in.load(l)
		}
	}
	return pg
}

// logLine is one step as connlab.lines gives it.
type logLine struct {
	Step int    `json:"step"`
	Text string `json:"text"`
	Ko   string `json:"ko"`
}

// performanceNow is the page's performance clock, in milliseconds.
func performanceNow() float64 {
	return js.Global().Get("performance").Call("now").Float()
}

func argString(args []js.Value, i int) string {
	if i >= len(args) || args[i].Type() != js.TypeString {
		return ""
	}
	return args[i].String()
}

func argInt(args []js.Value, i, def int) int {
	if i >= len(args) || args[i].Type() != js.TypeNumber {
		return def
	}
	return args[i].Int()
}

// call calls the parent's function name if it has one. The parent may be
// on another origin, where touching it throws: the stage then runs alone.
func (p *jsPage) call(name string) {
	defer func() {
		if r := recover(); r != nil {
			js.Global().Get("console").Call("warn", fmt.Sprintf("connlab: %s: %v", name, r))
		}
	}()
	if f := p.parent.Get(name); f.Type() == js.TypeFunction {
		f.Invoke()
	}
}

// has reports whether the parent has a function name; on another origin,
// where touching it throws, it has none.
func (p *jsPage) has(name string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return !p.parent.Equal(p.win) && p.parent.Get(name).Type() == js.TypeFunction
}

func (p *jsPage) changed() { p.call("connlabStageChanged") }

func (p *jsPage) ready() {
	p.win.Set("connlabReady", true)
	p.call("connlabStageReady")
}
