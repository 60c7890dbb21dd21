package pcapnote

import (
	"strings"
	"testing"

	"connlab/engine"
)

func TestProblemSaysWhyInKorean(t *testing.T) {
	ok, err := engine.Run("handshake", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := Problem(ok); p != "" {
		t.Fatalf("handshake: %q; want no problem", p)
	}
	bulk, err := engine.Run("time-wait", map[string]string{"ports": "32768-33767", "rate": "100", "connections": "3000"})
	if err != nil {
		t.Fatal(err)
	}
	if p := Problem(bulk); !strings.Contains(p, "3,000개") || !strings.Contains(p, "2,000개 이하") {
		t.Fatalf("bulk run: %q; want the connection count and the limit", p)
	}
	noProxy, err := engine.Run("handshake", map[string]string{"capture": "proxy"})
	if err != nil {
		t.Fatal(err)
	}
	if p := Problem(noProxy); !strings.Contains(p, "캡처 지점 proxy") {
		t.Fatalf("capture=proxy without a proxy: %q; want the capture point named", p)
	}
}
