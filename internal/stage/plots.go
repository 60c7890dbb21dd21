package stage

import "connlab/engine"

// CwndPoint is the congestion window after one change.
type CwndPoint struct {
	Step     int
	At       engine.Time
	Cwnd     int // bytes
	Ssthresh int // bytes; 0 until a loss sets it
}

// CwndSeries follows the congestion window of the server's socket that
// changes it most: the one sending the large response in slow start.
func CwndSeries(t *engine.Trace) []CwndPoint {
	count := map[int]int{}
	best := -1
	for _, e := range t.Events {
		if e.Kind != engine.EvCwnd || e.Sock < 0 || t.Hosts[t.Sockets[e.Sock].Host].Role != engine.RoleServer {
			continue
		}
		count[e.Sock]++
		if best < 0 || count[e.Sock] > count[best] {
			best = e.Sock
		}
	}
	var out []CwndPoint
	for i, e := range t.Events {
		if e.Kind == engine.EvCwnd && e.Sock == best {
			st := t.At(i).Sockets[best]
			out = append(out, CwndPoint{Step: i, At: e.At, Cwnd: st.Cwnd, Ssthresh: st.Ssthresh})
		}
	}
	return out
}

// PortPoint is the ephemeral port pool at one time.
type PortPoint struct {
	At              engine.Time
	InUse, TimeWait int
}

// PortSeries samples the port pool of the client that uses it most at n+1
// evenly spaced times from 0 to its last sample at or before until (the
// story's end), so the plot costs the same however many connections the
// run opened. It also returns the pool's size.
func PortSeries(t *engine.Trace, n int, until engine.Time) (pts []PortPoint, size int) {
	count := map[int]int{}
	host := -1
	for _, ps := range t.Ports {
		count[ps.Host]++
		if host < 0 || count[ps.Host] > count[host] {
			host = ps.Host
		}
	}
	var samples []engine.PortSample
	for _, ps := range t.Ports {
		if ps.Host == host && ps.At <= until {
			samples = append(samples, ps)
		}
	}
	if len(samples) == 0 || n <= 0 {
		return nil, 0
	}
	end := samples[len(samples)-1].At
	j := 0
	var cur engine.PortSample
	for k := 0; k <= n; k++ {
		at := end * engine.Time(k) / engine.Time(n)
		for j < len(samples) && samples[j].At <= at {
			cur = samples[j]
			j++
		}
		pts = append(pts, PortPoint{At: at, InUse: cur.InUse, TimeWait: cur.TimeWait})
		size = max(size, cur.Size)
	}
	return pts, size
}
