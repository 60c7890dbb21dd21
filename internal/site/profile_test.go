package site

import (
	"os"
	"slices"
	"strconv"
	"testing"

	"connlab/engine"
	"connlab/internal/stage"
)

// profileOnly lists the captions that tell a scene only one profile has,
// so that under the other the page leaves their buttons disabled (a caption
// whose event never comes). Everything else must bind under both: a caption
// that names a connection names it by order ({{port:client#1}}), never by a
// port number, which differs between the profiles.
var profileOnly = []struct {
	file, scenario, without string
	captions                []int
	why                     string
}{
	{"lessons/04-handshake.md", "handshake", "book", []int{6},
		"교과서's stack puts the request on the handshake's last ACK; only Linux sends that ACK alone (tcp_rcv_synsent_state_process)"},
	{"lessons/06-slow-start.md", "slow-start", "today", []int{5, 6},
		"오늘날 starts from 10 segments (RFC 6928), so the window never is 2 or 8 segments"},
}

// TestEveryProfileBinds runs every real lesson that offers the profile
// switch, and every variant of it, under both profiles, as the page's
// 교과서 / 오늘날 switch does, and checks that every caption binds to an
// event of that run, except profileOnly's, which must not.
func TestEveryProfileBinds(t *testing.T) {
	lessons, err := LoadLessons(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		scenario string
		params   map[string]string
		steps    []Step
	}
	used := make([]bool, len(profileOnly))
	for _, l := range lessons {
		if l.Scenario == "" || !slices.Contains(l.Controls, "profile") {
			continue
		}
		runs := []run{{l.Scenario, l.RunParams(), l.Steps}}
		for i, v := range l.Variants {
			runs = append(runs, run{v.Scenario, l.VariantParams(i), v.Steps})
		}
		for _, r := range runs {
			sc, ok := engine.LookupScenario(r.scenario)
			if !ok {
				t.Fatalf("%s: unknown scenario %s", l.File, r.scenario)
			}
			for _, profile := range []string{"book", "today"} {
				params := map[string]string{}
				for k, v := range r.params {
					params[k] = v
				}
				params["profile"] = profile
				cfg, err := sc.Config(params)
				if err != nil {
					t.Errorf("%s %s profile=%s: %v", l.File, r.scenario, profile, err)
					continue
				}
				var only []int
				for i, o := range profileOnly {
					if o.file == l.File && o.scenario == r.scenario && o.without == profile {
						only = o.captions
						used[i] = true
					}
				}
				ats, when := make([]string, len(r.steps)), make([]string, len(r.steps))
				for i, s := range r.steps {
					ats[i], when[i] = s.At, s.When
				}
				tr, err := sc.Run(cfg)
				if err != nil {
					t.Fatalf("%s %s profile=%s: %v", l.File, r.scenario, profile, err)
				}
				bound := stage.BindWhen(tr, ats, when)
				on := stage.CaptionConditions(tr, when, len(ats))
				for i, s := range bound {
					switch listed := slices.Contains(only, i+1); {
					case s < 0 && on[i] && !listed:
						t.Errorf("%s %s profile=%s: caption %d (at %q) binds to nothing", l.File, r.scenario, profile, i+1, r.steps[i].At)
					case s >= 0 && listed:
						t.Errorf("%s %s profile=%s: caption %d (at %q) binds, but profileOnly says it cannot: remove it there", l.File, r.scenario, profile, i+1, r.steps[i].At)
					}
				}
			}
		}
	}
	for i, o := range profileOnly {
		if !used[i] {
			t.Errorf("profileOnly[%d] (%s %s) names no run of a lesson with the profile switch", i, o.file, o.scenario)
		}
	}
}

// TestConnPortMatch checks the {{port:HOST#N}} of a caption's at: the same
// caption finds the same connection's event under both profiles, whose
// ports differ, and a host or connection the run lacks binds to nothing.
func TestConnPortMatch(t *testing.T) {
	sc, _ := engine.LookupScenario("time-wait")
	var ports [2]int
	for i, profile := range []string{"book", "today"} {
		cfg, err := sc.Config(map[string]string{"profile": profile, "ports": "32768-32777", "connections": "14"})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := sc.Run(cfg)
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		p, err := tr.ConnPort("client", 2)
		if err != nil {
			t.Fatalf("%s: ConnPort(client, 2): %v", profile, err)
		}
		ports[i] = p
		s := tr.Find("connect(server:80) = port {{port:client#2}}", 0)
		if s < 0 || tr.Events[s].Text != "call client connect(server:80) = port "+strconv.Itoa(p) {
			t.Errorf("%s: {{port:client#2}} found step %d; want the second connect, port %d", profile, s, p)
		}
		for _, bad := range []string{"{{port:nobody#1}}", "{{port:client#99}}", "{{port:client#0}}", "{{other}}"} {
			if s := tr.Find(bad, 0); s >= 0 {
				t.Errorf("%s: Find(%q) = %d; want -1", profile, bad, s)
			}
			if _, err := tr.ExpandMatch(bad); err == nil {
				t.Errorf("%s: ExpandMatch(%q) gave no error", profile, bad)
			}
		}
	}
	if ports[0] == ports[1] {
		t.Errorf("client#2 has port %d under both profiles; the test needs profiles whose ports differ", ports[0])
	}
}
