package engine

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// runSim runs a scenario and returns the simulator, so tests can look at
// every socket's counters.
func runSim(name string, c Config) *Sim {
	sc := scenarios[name]
	s := newSim(name, c, true)
	sc.build(s)
	s.run()
	s.finish()
	return s
}

// checkStreams verifies that every connection delivered its bytes complete
// and in order, unless a reset says otherwise.
func checkStreams(t *testing.T, s *Sim) {
	t.Helper()
	reset := map[[2]Addr]bool{}
	for _, p := range s.t.Packets {
		if p.Seg.Flags&RST != 0 {
			reset[[2]Addr{p.Seg.Src, p.Seg.Dst}] = true
			reset[[2]Addr{p.Seg.Dst, p.Seg.Src}] = true
		}
	}
	byAddr := map[[2]Addr]*Socket{}
	for _, k := range s.socks {
		byAddr[[2]Addr{k.local, k.remote}] = k
	}
	for _, a := range s.socks {
		b := byAddr[[2]Addr{a.remote, a.local}]
		if b == nil || reset[[2]Addr{a.local, a.remote}] {
			continue
		}
		if b.got+len(b.unread) != a.wrote-len(a.unsent) {
			t.Errorf("%s: %s wrote %d (%d unsent), %s received %d; bytes lost without a reset",
				s.t.Scenario, a.name(), a.wrote, len(a.unsent), b.name(), b.got+len(b.unread))
		}
		if len(b.unread) == 0 && len(a.unsent) == 0 && a.wroteHash != b.gotHash {
			t.Errorf("%s: %s read different bytes than %s wrote", s.t.Scenario, b.name(), a.name())
		}
	}
}

func TestStreamsCompleteInEveryScenario(t *testing.T) {
	for _, name := range ScenarioNames() {
		for _, p := range []Profile{Book, Today} {
			c, err := scenarios[name].Config(map[string]string{"profile": p.String()})
			if err != nil {
				t.Fatal(err)
			}
			checkStreams(t, runSim(name, c))
		}
	}
}

// FuzzScenarios runs scenarios with random parameters: no panic (an illegal
// state transition panics in setState), and every stream is delivered
// complete and in order unless reset.
func FuzzScenarios(f *testing.F) {
	f.Add(uint8(0), uint16(100), uint32(10000), uint16(1460), false, false, uint8(3))
	f.Add(uint8(5), uint16(20), uint32(56), uint16(536), true, true, uint8(0))
	f.Add(uint8(15), uint16(300), uint32(100000), uint16(8960), false, true, uint8(7))
	names := ScenarioNames()
	f.Fuzz(func(t *testing.T, which uint8, rttMs uint16, kbps uint32, mss uint16, book, nodelay bool, images uint8) {
		name := names[int(which)%len(names)]
		params := map[string]string{
			"rtt":       fmt.Sprintf("%dms", 1+int(rttMs)%2000),
			"bandwidth": fmt.Sprintf("%dkbps", 56+int(kbps)%1_000_000),
			"mss":       fmt.Sprint(88 + int(mss)%(8960-88)),
			"nodelay":   fmt.Sprint(nodelay),
			"images":    fmt.Sprint(int(images) % 8),
		}
		if book {
			params["profile"] = "book"
		}
		c, err := scenarios[name].Config(params)
		if err != nil {
			t.Fatalf("%v: %v", params, err)
		}
		checkStreams(t, runSim(name, c))
	})
}

func BenchmarkScenario(b *testing.B) {
	for _, name := range ScenarioNames() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(name, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTimeWait60k is the port-exhaustion load test at full size:
// 60,000 connections at 1,000/s over Linux's 28,232 ports.
func BenchmarkTimeWait60k(b *testing.B) {
	p := map[string]string{"connections": "60000", "rate": "1000", "ports": "32768-60999"}
	// Sample the heap while the engine runs (the test may use a goroutine;
	// the engine may not) to report the peak, garbage included.
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	for b.Loop() {
		tr, err := Run("time-wait", p)
		if err != nil {
			b.Fatal(err)
		}
		if tr.Find("failed: EADDRNOTAVAIL", 0) < 0 {
			b.Fatal("the ports never ran out")
		}
		// Under WebAssembly the sampler cannot run while the engine does:
		// count at least what is still held at the end.
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > peak.Load() {
			peak.Store(ms.HeapAlloc)
		}
	}
	close(done)
	b.ReportMetric(float64(peak.Load())/(1<<20), "MB-peak-heap")
}

// BenchmarkSeek measures the stage's scrubbing: the full state at a step.
func BenchmarkSeek(b *testing.B) {
	tr, _ := Run("compare", nil)
	i := 0
	for b.Loop() {
		tr.At(i % tr.Len())
		i += 7919
	}
}
