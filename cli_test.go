package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connlab/engine"
	"connlab/internal/twin"
)

// cli runs runCLI with args and returns what it wrote.
func cli(args ...string) (handled bool, code int, stdout, stderr string) {
	var o, e bytes.Buffer
	handled, code = runCLI(args, &o, &e)
	return handled, code, o.String(), e.String()
}

func TestCLINotHandled(t *testing.T) {
	for _, args := range [][]string{nil, {"-addr", "127.0.0.1:8080"}, {"-wasm", "build"}, {"serve"}} {
		if handled, code, out, errOut := cli(args...); handled || code != 0 || out != "" || errOut != "" {
			t.Errorf("runCLI(%q) = handled %v, code %d, stdout %q, stderr %q; want not handled and silent", args, handled, code, out, errOut)
		}
	}
}

func TestCLIScenarios(t *testing.T) {
	handled, code, out, errOut := cli("scenarios")
	want := strings.Join(engine.ScenarioNames(), "\n") + "\n"
	if !handled || code != 0 || out != want || errOut != "" {
		t.Errorf("scenarios: handled %v, code %d, stderr %q, stdout\n%s\nwant stdout\n%s", handled, code, errOut, out, want)
	}
	if len(engine.ScenarioNames()) == 0 {
		t.Error("engine.ScenarioNames() is empty")
	}
}

func TestCLITrace(t *testing.T) {
	for _, params := range []map[string]string{nil, {"rtt": "200ms", "profile": "book"}} {
		args := []string{"trace", "handshake"}
		for k, v := range params {
			args = append(args, k+"="+v)
		}
		tr, err := engine.Run("handshake", params)
		if err != nil {
			t.Fatalf("engine.Run(handshake, %v): %v", params, err)
		}
		handled, code, out, errOut := cli(args...)
		if !handled || code != 0 || errOut != "" {
			t.Errorf("runCLI(%q) = handled %v, code %d, stderr %q", args, handled, code, errOut)
		}
		if want := tr.String(); out != want {
			t.Errorf("runCLI(%q) printed\n%s\nwant\n%s", args, out, want)
		}
	}
}

func TestCLIPCAP(t *testing.T) {
	tr, err := engine.Run("handshake", map[string]string{"mss": "536"})
	if err != nil {
		t.Fatal(err)
	}
	want := tr.PCAP()
	dir := t.TempDir()
	for i, args := range [][]string{
		{"pcap", "handshake", "-o", "FILE", "mss=536"},
		{"pcap", "-o", "FILE", "handshake", "mss=536"},
		{"pcap", "mss=536", "handshake", "-o=FILE"},
	} {
		file := filepath.Join(dir, "run"+string(rune('0'+i))+".pcap")
		for j := range args {
			args[j] = strings.Replace(args[j], "FILE", file, 1)
		}
		handled, code, out, errOut := cli(args...)
		if !handled || code != 0 || out != "" || errOut != "" {
			t.Errorf("runCLI(%q) = handled %v, code %d, stdout %q, stderr %q", args, handled, code, out, errOut)
		}
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("runCLI(%q) wrote %d bytes (err %v); want the trace's %d-byte PCAP()", args, len(got), err, len(want))
		}
	}
	if _, code, out, _ := cli("pcap", "handshake", "-o", "-", "mss=536"); code != 0 || out != string(want) {
		t.Errorf("pcap -o -: code %d, %d bytes on stdout; want the %d-byte PCAP()", code, len(out), len(want))
	}
}

func TestCLIErrors(t *testing.T) {
	_, rttRange, _ := engine.ParamDoc("rtt")
	missing := filepath.Join(t.TempDir(), "no-such-dir", "x.pcap")
	for _, c := range []struct {
		args []string
		code int
		want []string // substrings of stderr
	}{
		{[]string{"trace", "no-such-scenario"}, 2, []string{`unknown scenario "no-such-scenario"`, "handshake"}},
		{[]string{"trace", "handshake", "colour=blue"}, 2, []string{`"colour"`, "rtt"}},
		{[]string{"trace", "handshake", "rtt=9s"}, 2, []string{"rtt=9s", rttRange}},
		{[]string{"trace", "handshake", "rtt=fast"}, 2, []string{"rtt=fast"}},
		{[]string{"trace", "handshake", "nodelay=maybe"}, 2, []string{"nodelay=maybe", "true, false"}},
		{[]string{"trace", "handshake", "rtt=10ms", "rtt=20ms"}, 2, []string{`"rtt" given twice`}},
		{[]string{"trace"}, 2, []string{"missing scenario name", "usage:"}},
		{[]string{"trace", "handshake", "extra"}, 2, []string{`"extra"`}},
		{[]string{"trace", "handshake", "-o", "x"}, 2, []string{`unknown flag "-o"`}},
		{[]string{"scenarios", "all"}, 2, []string{"no arguments"}},
		{[]string{"pcap", "handshake"}, 2, []string{"needs -o FILE"}},
		{[]string{"pcap", "handshake", "-o"}, 2, []string{"-o needs a file name"}},
		{[]string{"pcap", "nope", "-o", missing}, 2, []string{`unknown scenario "nope"`}},
		{[]string{"pcap", "handshake", "-o", missing}, 1, []string{missing}},
		// A run too large to record every packet is refused, not written empty.
		{[]string{"pcap", "time-wait", "ports=32768-33767", "rate=100", "connections=3000", "-o", missing}, 2, []string{"too large to record every packet", "at most 2000"}},
		{[]string{"pcap", "handshake", "capture=proxy", "-o", missing}, 2, []string{"no proxy host"}},
	} {
		handled, code, out, errOut := cli(c.args...)
		if !handled || code != c.code || out != "" {
			t.Errorf("runCLI(%q) = handled %v, code %d, stdout %q; want handled, code %d, no output", c.args, handled, code, out, c.code)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("runCLI(%q) stderr = %q; want it to mention %q", c.args, errOut, w)
			}
		}
	}
}

// fakeLab replaces the twin for a test: it records the run it was asked
// for and answers with res or err.
func fakeLab(t *testing.T, res *twin.Result, err error) *[]string {
	t.Helper()
	var runs []string
	old := labRun
	labRun = func(name string, params map[string]string) (*twin.Result, error) {
		runs = append(runs, fmt.Sprintf("%s %v", name, params))
		return res, err
	}
	t.Cleanup(func() { labRun = old })
	return &runs
}

func TestCLILab(t *testing.T) {
	capture := []byte("pcap bytes")
	runs := fakeLab(t, &twin.Result{PCAP: capture, Capture: capture, Notes: []string{"delack=200ms: cannot be set"}}, nil)
	file := filepath.Join(t.TempDir(), "real.pcap")
	for _, args := range [][]string{
		{"lab", "nagle", "-o", file, "nodelay=true"},
		{"lab", "-o=" + file, "nodelay=true", "nagle"},
	} {
		handled, code, out, errOut := cli(args...)
		if !handled || code != 0 || out != "" || !strings.Contains(errOut, "note: delack=200ms") {
			t.Errorf("runCLI(%q) = handled %v, code %d, stdout %q, stderr %q; want success with the note on stderr", args, handled, code, out, errOut)
		}
		if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, capture) {
			t.Errorf("runCLI(%q) wrote %q (err %v), want the capture", args, got, err)
		}
		os.Remove(file)
	}
	if _, code, out, _ := cli("lab", "handshake", "-o", "-"); code != 0 || out != string(capture) {
		t.Errorf("lab -o -: code %d, stdout %q; want the capture", code, out)
	}
	want := "nagle map[nodelay:true] nagle map[nodelay:true] handshake map[]"
	if got := strings.Join(*runs, " "); got != want {
		t.Errorf("the lab ran %q, want %q", got, want)
	}
}

func TestCLILabErrors(t *testing.T) {
	runs := fakeLab(t, &twin.Result{}, nil)
	missing := filepath.Join(t.TempDir(), "no-such-dir", "x.pcap")
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"lab", "handshake"}, 2, []string{"lab needs -o FILE", "usage:"}},
		{[]string{"lab"}, 2, []string{"missing scenario name"}},
		{[]string{"lab", "nope", "-o", "x"}, 2, []string{`unknown scenario "nope"`}},
		{[]string{"lab", "handshake", "-o", "x", "rtt=9s"}, 2, []string{"rtt=9s"}},
		{[]string{"lab", "compare", "-o", "x"}, 2, []string{"4 clients", "one client's interface"}},
		{[]string{"lab", "handshake", "-o", missing}, 1, []string{missing}},
	} {
		handled, code, out, errOut := cli(c.args...)
		if !handled || code != c.code || out != "" {
			t.Errorf("runCLI(%q) = handled %v, code %d, stdout %q; want handled, code %d, no output", c.args, handled, code, out, c.code)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("runCLI(%q) stderr = %q; want it to mention %q", c.args, errOut, w)
			}
		}
	}
	if len(*runs) != 1 {
		t.Errorf("the lab ran %d times (%q); want once, only for the good command line", len(*runs), *runs)
	}
	// A machine that cannot run the twin: exit 1 with the twin's reason.
	fakeLab(t, nil, errors.New("twin: this machine cannot run the Linux twin:\n  root: ..."))
	if _, code, _, errOut := cli("lab", "handshake", "-o", "x"); code != 1 || !strings.Contains(errOut, "cannot run the Linux twin") {
		t.Errorf("lab without root: code %d, stderr %q; want 1 and the reason", code, errOut)
	}
}
