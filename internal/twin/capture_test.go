//go:build linux

package twin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// What tshark says of a real capture at the server's interface when a
// segment of an already reassembled response is sent again: the judge
// (internal/judge, overlapMessage) allows the engine's capture the same
// error only because Linux's capture of the same run shows it.
func TestServerCaptureOverlap(t *testing.T) {
	if err := Preflight(); err != nil {
		t.Fatal(err)
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Fatal("tshark is needed (make deps installs it): ", err)
	}
	r, err := Run("pipelining-loss", map[string]string{"capture": "server"})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "server.pcap")
	if err := os.WriteFile(file, r.Capture, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tshark, "-r", file, "-T", "fields", "-E", "separator=|",
		"-e", "frame.number", "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.fast_retransmission", "-e", "_ws.expert.message").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var overlaps []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) == 4 && strings.Contains(f[3], "New fragment overlaps old data") {
			overlaps = append(overlaps, line)
			if f[1] == "" && f[2] == "" {
				t.Errorf("frame %s: the overlap is on a frame tshark does not call a retransmission: %s", f[0], line)
			}
		}
	}
	if len(overlaps) != 1 {
		t.Errorf("the real server-side capture has %d frames with the overlap error, want 1 (the resent segment): %q", len(overlaps), overlaps)
	}
}
