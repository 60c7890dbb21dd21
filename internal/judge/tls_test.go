package judge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"connlab/engine"
)

// TestTLSDissection: tshark dissects every TLS run as TLS, with each
// record the engine wrote seen with its content type, in order, the
// plaintext handshake messages decoded in the protocol's order (RFC 5246
// §7.3, RFC 8446 §2), and nothing malformed or flagged by its expert
// system (TestTshark judges the rest of each frame).
func TestTLSDissection(t *testing.T) {
	tshark := tsharkPath(t)
	want := map[string][]string{
		// Client Hello; Server Hello, Certificate, Server Key Exchange,
		// Server Hello Done; Client Key Exchange; New Session Ticket.
		"1.2": {"1", "2", "11", "12", "14", "16", "4"},
		// Client Hello, Server Hello: the rest is encrypted.
		"1.3": {"1", "2"},
	}
	for _, tls := range []string{"1.2", "1.3"} {
		for _, profile := range []string{"today", "book"} {
			for _, name := range []string{"handshake", "compare"} {
				t.Run(fmt.Sprintf("%s/tls=%s/%s", name, tls, profile), func(t *testing.T) {
					tr, err := engine.Run(name, map[string]string{"tls": tls, "profile": profile})
					if err != nil {
						t.Fatal(err)
					}
					file := writePCAP(t, tr, tr.PCAP())
					args := append(tsharkArgs(file, tr), "-Y", "tls")
					rows, err := fieldLines(tshark, args, "frame.number", "tcp.stream", "tls.record.content_type", "tls.handshake.type", "_ws.malformed", "_ws.expert.severity", "tls.record.opaque_type")
					if err != nil {
						t.Fatal(err)
					}
					if len(rows) == 0 {
						t.Fatal("tshark -Y tls shows no frame")
					}
					types := map[string][]string{} // by TCP stream
					var hsTypes []string
					streams := 0
					for _, r := range rows {
						if r[4] != "" {
							t.Errorf("frame %s: malformed", r[0])
						}
						for _, sev := range splitAgg(r[5]) {
							if n, err := strconv.Atoi(sev); err != nil || n >= sevWarn {
								t.Errorf("frame %s: expert severity %s", r[0], sev)
							}
						}
						if _, ok := types[r[1]]; !ok {
							streams++
						}
						// TLS 1.3's encrypted records have an opaque type (RFC 8446 §5.2).
						types[r[1]] = append(types[r[1]], append(splitAgg(r[2]), splitAgg(r[6])...)...)
						if r[1] == "0" {
							hsTypes = append(hsTypes, splitAgg(r[3])...)
						}
					}
					if !slices.Equal(hsTypes, want[tls]) {
						t.Errorf("first connection's handshake types %q, want %q", hsTypes, want[tls])
					}
					// The engine's records of every connection, both
					// directions merged in the order tshark shows them is
					// not fixed; compare the counts of each content type.
					engineTypes := map[string]int{}
					for _, r := range tr.TLS {
						engineTypes[fmt.Sprint(r.Type)]++
					}
					tsharkTypes := map[string]int{}
					for _, ts := range types {
						for _, ty := range ts {
							tsharkTypes[ty]++
						}
					}
					if fmt.Sprint(engineTypes) != fmt.Sprint(tsharkTypes) {
						t.Errorf("record content types: tshark %v, engine %v", tsharkTypes, engineTypes)
					}
					conns := 0
					for _, s := range tr.Sockets {
						if s.Active {
							conns++
						}
					}
					if streams != conns {
						t.Errorf("tshark found TLS on %d TCP streams; the run opened %d connections", streams, conns)
					}
					if tr.Config.TLS == "1.3" && !strings.Contains(strings.Join(types["0"], ","), "23") {
						t.Errorf("TLS 1.3: no application_data record on the first connection: %q", types["0"])
					}
				})
			}
		}
	}
}

// TestJudgeCatchesTLS: the judge notices a record the trace describes
// wrongly, and HTTP inside TLS that is not what the engine says it sent.
func TestJudgeCatchesTLS(t *testing.T) {
	tshark := tsharkPath(t)
	tr, err := engine.Run("handshake", map[string]string{"tls": "1.3"})
	if err != nil {
		t.Fatal(err)
	}
	good := tr.PCAP()
	if v := judge(t, tshark, tr, good, nil); len(v.problems) != 0 {
		t.Fatalf("good capture: problems %q", v.problems)
	}
	wrongType := *tr
	wrongType.TLS = slices.Clone(tr.TLS)
	wrongType.TLS[0].Type = 23
	wrongLine := *tr
	wrongLine.TLS = slices.Clone(tr.TLS)
	for i, r := range wrongLine.TLS {
		if r.Plain != nil {
			wrongLine.TLS[i].Plain = []byte(strings.Replace(string(r.Plain), "GET / ", "GET /x ", 1))
			break
		}
	}
	for _, c := range []struct {
		name string
		tr   *engine.Trace
		want string
	}{
		{"record type", &wrongType, "record Client Hello at 0: type 22"},
		{"HTTP inside", &wrongLine, `HTTP heads beginning in its payload: ["GET /x HTTP/1.0"]`},
	} {
		v := judge(t, tshark, c.tr, good, nil)
		if all := strings.Join(v.problems, "\n"); !strings.Contains(all, c.want) {
			t.Errorf("%s: problems\n%s\nwant one mentioning %q", c.name, all, c.want)
		}
	}
}
