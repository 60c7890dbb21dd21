//go:build linux

package twin

import (
	"strings"
	"testing"
)

// The judge: each case runs a scenario on the engine and on real Linux
// sockets (two network namespaces, the relay, tcpdump at the client) and
// fails on every difference Compare finds.
var cases = []struct {
	name   string
	params map[string]string
}{
	{"handshake", nil},
	{"delayed-ack", map[string]string{"profile": "today"}},
	{"slow-start", map[string]string{"profile": "today"}},
	{"nagle", map[string]string{"profile": "today", "nodelay": "false"}},
	{"nagle", map[string]string{"profile": "today", "nodelay": "true"}},
	{"keep-alive", map[string]string{"profile": "today", "keepalive": "1s"}},
	{"graceful-close", nil},
	{"reset", nil},
	{"time-wait", nil},
}

func caseName(name string, params map[string]string) string {
	var kv []string
	for k, v := range params {
		kv = append(kv, k+"="+v)
	}
	return strings.Join(append([]string{name}, kv...), " ")
}

func TestTwin(t *testing.T) {
	if err := Preflight(); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(caseName(c.name, c.params), func(t *testing.T) {
			r, err := Run(c.name, c.params)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("relay: %d packets, late by %v on average, %v at the 99th percentile, %v at most (real-time threads: %v)", r.Relay.Packets, r.Relay.MeanLate, r.Relay.P99Late, r.Relay.MaxLate, r.Relay.RealTime)
			diffs := Compare(r)
			for _, d := range diffs {
				t.Error(d)
			}
			if len(diffs) > 0 {
				t.Log(Summary(r))
			}
		})
	}
}
