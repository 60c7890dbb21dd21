// Package judge checks the engine's output with tools we did not write: every
// scenario's pcap export is read by tshark (Wireshark's command-line
// analyzer), which must find it well-formed, with good checksums, no
// complaints beyond the ones the scenario is about, and the same HTTP
// messages the engine says it sent.
//
// The checks live in this package's tests; this file holds the plumbing that
// runs tshark and reads its output.
package judge

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"connlab/engine"
)

// Expert-info severities as tshark prints them (epan/proto.h PI_CHAT...).
const (
	sevChat  = 0x00200000
	sevNote  = 0x00400000
	sevWarn  = 0x00600000
	sevError = 0x00800000
)

// resetMessage is tshark's warning on every RST segment.
const resetMessage = "Connection reset (RST)"

// analysisFlags are tshark's per-segment TCP analysis results
// (tcp.analysis.*, each an FT_NONE field printed as 1 when present).
var analysisFlags = []string{
	"retransmission", "fast_retransmission", "spurious_retransmission",
	"out_of_order", "lost_segment", "ack_lost_segment", "duplicate_ack",
	"reused_ports", "window_update", "window_full", "zero_window",
	"zero_window_probe", "zero_window_probe_ack", "keep_alive", "keep_alive_ack",
}

// flagWarnings maps the expert warnings tshark gives with some analysis
// flags to the flag (the others come as notes).
var flagWarnings = map[string]string{
	"Previous segment(s) not captured (common at capture start)":   "lost_segment",
	"ACKed segment that wasn't captured (common at capture start)": "ack_lost_segment",
	"This frame is a (suspected) out-of-order segment":             "out_of_order",
	"D-SACK Sequence": "dsack", // not an analysis flag: a SACK option that reports a duplicate
}

// agg separates several values of one field in tshark's field output; it is
// a control character, so it never occurs in a message.
const agg = "\x1f"

// frame is what tshark says about one frame of a pcap.
type frame struct {
	num        int
	malformed  bool
	ipCk, tcCk string // checksum status: 1 = good, 0 = bad, 2 = unverified
	severities []int
	messages   []string
	flags      []string // tcp.analysis.* names present, plus "flags" if tcp.analysis.flags has none of them
	requests   []string // HTTP requests decoded in this frame: "GET /a.png"
	codes      []string // HTTP response status codes decoded in this frame: "200"
}

// tsharkArgs returns the common arguments: checksums checked, and every port
// the trace's servers and proxies listen on decoded as HTTP (as TLS when
// the run has TLS on).
func tsharkArgs(file string, tr *engine.Trace) []string {
	args := []string{"-r", file, "-n",
		"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"}
	seen := map[uint16]bool{}
	proto := "http"
	if tr.Config.TLS != "" && tr.Config.TLS != "none" {
		proto = "tls" // HTTPS: TLS records, their HTTP opaque without the keys
	}
	for _, s := range tr.Sockets {
		if !s.Active && !seen[s.Local.Port] {
			seen[s.Local.Port] = true
			args = append(args, "-d", fmt.Sprintf("tcp.port==%d,%s", s.Local.Port, proto))
		}
	}
	return args
}

// runTshark runs tshark and returns its standard output, or an error with
// its standard error.
func runTshark(tshark string, args ...string) (string, error) {
	cmd := exec.Command(tshark, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("tshark %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

// fieldLines runs tshark -T fields with fields and splits its output into
// one []string of values per line.
func fieldLines(tshark string, args []string, fields ...string) ([][]string, error) {
	args = append(args, "-T", "fields", "-E", "aggregator="+agg, "-E", "separator=/t")
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := runTshark(tshark, args...)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		row := strings.Split(line, "\t")
		if len(row) != len(fields) {
			return nil, fmt.Errorf("tshark printed %d fields, want %d: %q", len(row), len(fields), line)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func splitAgg(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, agg)
}

// frames reads every frame of file with tshark's default dissection (what a
// Wireshark user sees: TCP and HTTP reassembly on), checksum checks on.
func frames(tshark, file string, tr *engine.Trace) ([]frame, error) {
	fields := []string{"frame.number", "_ws.malformed", "ip.checksum.status", "tcp.checksum.status",
		"_ws.expert.severity", "_ws.expert.message", "http.request.method", "http.request.uri",
		"http.response.code", "tcp.analysis.flags"}
	for _, f := range analysisFlags {
		fields = append(fields, "tcp.analysis."+f)
	}
	rows, err := fieldLines(tshark, tsharkArgs(file, tr), fields...)
	if err != nil {
		return nil, err
	}
	var out []frame
	for _, r := range rows {
		n, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("frame number %q: %v", r[0], err)
		}
		f := frame{num: n, malformed: r[1] != "", ipCk: r[2], tcCk: r[3], messages: splitAgg(r[5])}
		for _, s := range splitAgg(r[4]) {
			v, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("frame %d: severity %q: %v", n, s, err)
			}
			f.severities = append(f.severities, v)
		}
		if len(f.severities) != len(f.messages) {
			return nil, fmt.Errorf("frame %d: %d severities for %d messages", n, len(f.severities), len(f.messages))
		}
		methods, uris := splitAgg(r[6]), splitAgg(r[7])
		if len(methods) != len(uris) {
			return nil, fmt.Errorf("frame %d: %d HTTP methods for %d URIs", n, len(methods), len(uris))
		}
		for i := range methods {
			f.requests = append(f.requests, methods[i]+" "+uris[i])
		}
		f.codes = splitAgg(r[8])
		for i, name := range analysisFlags {
			if r[10+i] != "" {
				f.flags = append(f.flags, name)
			}
		}
		if r[9] != "" && len(f.flags) == 0 {
			f.flags = append(f.flags, "flags")
		}
		out = append(out, f)
	}
	return out, nil
}

// pcapOrder returns the indexes of the packets the run's pcap holds, in
// its order: tshark's frame n is packet pcapOrder[n-1] (Packet.Frame = n).
func pcapOrder(tr *engine.Trace) []int {
	var order []int
	for i, p := range tr.Packets {
		if p.Frame == 0 {
			continue
		}
		for len(order) < p.Frame {
			order = append(order, -1)
		}
		order[p.Frame-1] = i
	}
	return order
}

// describe names frame n (1-based) by its engine packet and canonical line.
func describe(tr *engine.Trace, order []int, n int) string {
	if n < 1 || n > len(order) {
		return fmt.Sprintf("frame %d (no such packet: the trace has %d)", n, len(order))
	}
	p := order[n-1]
	line := ""
	if s := tr.Packets[p].SendStep; s >= 0 && s < len(tr.Events) {
		line = tr.Events[s].String()
	}
	return fmt.Sprintf("frame %d = packet %d (%s)", n, p, line)
}

// verdict is the outcome of judging one run.
type verdict struct {
	problems []string       // each one a failure
	flags    map[string]int // tcp.analysis flag -> frames carrying it
}

// judgeFrames checks tshark's frames against the trace: one frame per packet,
// nothing malformed, good checksums, no expert warning or error except one
// "Connection reset (RST)" on each RST segment, and no TCP analysis flag
// outside allowed.
func judgeFrames(tr *engine.Trace, fs []frame, allowed map[string]bool) verdict {
	v := verdict{flags: map[string]int{}}
	order := pcapOrder(tr)
	bad := func(n int, format string, args ...any) {
		v.problems = append(v.problems, describe(tr, order, n)+": "+fmt.Sprintf(format, args...))
	}
	if len(fs) != len(order) {
		v.problems = append(v.problems, fmt.Sprintf("tshark read %d frames; the capture point sees %d packets", len(fs), len(order)))
	}
	for _, f := range fs {
		isRST := f.num >= 1 && f.num <= len(order) && order[f.num-1] >= 0 && tr.Packets[order[f.num-1]].Seg.Flags&engine.RST != 0
		if f.malformed {
			bad(f.num, "tshark: malformed packet")
		}
		if f.ipCk != "1" {
			bad(f.num, "tshark: IPv4 header checksum status %q, want 1 (good)", f.ipCk)
		}
		if f.tcCk != "1" {
			bad(f.num, "tshark: TCP checksum status %q, want 1 (good)", f.tcCk)
		}
		resets := 0
		for i, sev := range f.severities {
			switch {
			case sev < sevWarn:
			case sev == sevWarn && f.messages[i] == resetMessage && isRST:
				resets++
			case sev == sevWarn && allowed[flagWarnings[f.messages[i]]]:
				// The warning that comes with an allowed analysis flag.
			default:
				bad(f.num, "tshark %s: %q", severityName(sev), f.messages[i])
			}
		}
		if isRST && resets != 1 {
			bad(f.num, "tshark gave %d %q warnings on this RST segment, want 1", resets, resetMessage)
		}
		for _, fl := range f.flags {
			v.flags[fl]++
			if !allowed[fl] {
				bad(f.num, "tshark: tcp.analysis.%s (%s)", fl, strings.Join(f.messages, "; "))
			}
		}
	}
	return v
}

func severityName(s int) string {
	switch {
	case s >= sevError:
		return "error"
	case s >= sevWarn:
		return "warning"
	case s >= sevNote:
		return "note"
	case s >= sevChat:
		return "chat"
	}
	return "comment"
}
