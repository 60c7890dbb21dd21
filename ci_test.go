package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMachineCheckNamesWhatIsMissing runs .ci/machine with a PATH that
// holds no Go: it must fail, name Go and say how to install it.
func TestMachineCheckNamesWhatIsMissing(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"sh", "id", "ip", "tail"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			continue // .ci/machine copes without ip; sh and id are in every Debian
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(filepath.Join(bin, "sh"), ".ci/machine")
	cmd.Env = []string{"PATH=" + bin}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf(".ci/machine passed on a machine without Go:\n%s", out)
	}
	for _, want := range []string{"Go is not installed", "fix: install Go 1.26 into /usr/local/go"} {
		if !strings.Contains(string(out), want) {
			t.Errorf(".ci/machine without Go does not say %q:\n%s", want, out)
		}
	}
	if os.Geteuid() != 0 && !strings.Contains(string(out), "sudo make test") {
		t.Errorf(".ci/machine as a user does not say to run as root:\n%s", out)
	}
}
