package stage

import (
	"encoding/json"
	"fmt"
	"strings"

	"connlab/engine"
)

// State is what connlab.state() returns (contract 3), as JSON.
type State struct {
	Ready        bool      `json:"ready"`
	Error        string    `json:"error"`
	ErrorKo      string    `json:"errorKo"` // the error told to a student, when the engine has a Korean one (a run over PageBudget)
	Scenario     string    `json:"scenario"`
	Steps        int       `json:"steps"`
	Step         int       `json:"step"`
	Time         string    `json:"time"`
	Playing      bool      `json:"playing"`
	Speed        float64   `json:"speed"`
	Frame        int64     `json:"frame"`
	Loads        int       `json:"loads"` // loads completed, failed ones included
	Caption      int       `json:"caption"`
	CaptionStep  int       `json:"captionStep"` // the caption at or before the step (= caption), -1 before the first
	CaptionSteps []int     `json:"captionSteps"`
	CaptionTexts []string  `json:"captionTexts"` // the load's texts with this run's numbers (caption.go)
	EndStep      int       `json:"endStep"`      // the story's last step: the last caption's
	Animating    bool      `json:"animating"`    // a nextCaption run is in progress
	LastFrameMs  float64   `json:"lastFrameMs"`  // performance.now() of the last frame drawn
	Pointer      string    `json:"pointer"`      // the pointer's target: "packet:12", "host:1" or ""
	Zoom         float64   `json:"zoom"`         // the ladder's zoom: 1 fits the story
	Line         string    `json:"line"`         // the step's canonical line
	LineKo       string    `json:"lineKo"`       // the step told in Korean (Describe)
	Metrics      Metrics   `json:"metrics"`
	Selected     *Selected `json:"selected"`
}

// Metrics are the numbers beside the stage.
type Metrics struct {
	Elapsed    string  `json:"elapsed"`
	RoundTrips float64 `json:"roundTrips"`
	Conns      int     `json:"conns"`
	Bytes      int64   `json:"bytes"`
	Packets    int     `json:"packets"`
}

// Selected is the packet inspector's data ("패킷 살펴보기").
type Selected struct {
	Index int `json:"index"`
	// Frame is the packet's frame number in the lesson's pcap download, as
	// Wireshark numbers it; 0 if that capture point does not see it.
	Frame    int     `json:"frame"`
	Label    string  `json:"label"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	SentAt   string  `json:"sentAt"`
	ArriveAt string  `json:"arriveAt"`
	IP       IPInfo  `json:"ip"`
	TCP      TCPInfo `json:"tcp"`
	HTTP     string  `json:"http"`
	// TLS names the TLS records starting in the packet as a packet
	// analyzer does ("TLSv1.3 Application Data (HTTP)"); with TLS, HTTP
	// is the plaintext inside them, opaque on the wire.
	TLS []string `json:"tls,omitempty"`
}

// IPInfo is the IPv4 header of a selected packet.
type IPInfo struct {
	Src   string `json:"src"`
	Dst   string `json:"dst"`
	Len   int    `json:"len"`
	TTL   int    `json:"ttl"`
	Proto string `json:"proto"`
}

// TCPInfo is the TCP header of a selected packet. Seq and Ack are relative
// to the connection's initial sequence numbers, as a packet analyzer shows
// them; SeqRaw and AckRaw are on the wire.
type TCPInfo struct {
	SrcPort   uint16 `json:"srcPort"`
	DstPort   uint16 `json:"dstPort"`
	Seq       uint32 `json:"seq"`
	Ack       uint32 `json:"ack"`
	SeqRaw    uint32 `json:"seqRaw"`
	AckRaw    uint32 `json:"ackRaw"`
	Flags     string `json:"flags"`
	Window    uint16 `json:"window"`
	Len       int    `json:"len"`
	HeaderLen int    `json:"headerLen"`
	Options   string `json:"options"`
}

// ipTTL is the TTL every simulated host sends with (Linux's default).
const ipTTL = 64

// State builds the bridge state of p at its current step. p may be nil
// before anything has loaded.
func (p *Player) State() State {
	if p == nil || p.Len() == 0 {
		return p.StateWith(nil)
	}
	snap := p.Trace.At(p.Step)
	return p.StateWith(&snap)
}

// StateWith is State with the current step's snapshot already at hand, so
// the game loop need not rebuild it every frame.
func (p *Player) StateWith(snap *engine.Snapshot) State {
	s := State{CaptionSteps: []int{}, CaptionTexts: []string{}, Caption: -1, CaptionStep: -1, EndStep: -1, Speed: 1, Zoom: 1, Time: engine.Time(0).String()}
	if p == nil {
		return s
	}
	t := p.Trace
	s.Scenario = t.Scenario
	s.Steps = t.Len()
	s.Step = p.Step
	s.Time = p.Time.String()
	s.Playing = p.Playing
	s.Speed = p.Speed
	s.Caption = p.Caption()
	s.CaptionStep = s.Caption
	s.CaptionSteps = p.CaptionSteps
	s.EndStep = p.EndStep
	s.Animating = p.Animating()
	s.Pointer = p.Pointer
	s.Zoom = p.Zoom
	if p.CaptionTexts != nil {
		s.CaptionTexts = p.CaptionTexts
	}
	if p.Step >= 0 && p.Step < t.Len() {
		s.Line = t.Events[p.Step].String()
		s.LineKo = Describe(t, p.Step)
	}
	if p.Selected >= 0 {
		s.Selected = Inspect(t, p.Selected)
	}
	if snap != nil {
		m := snap.Metrics
		s.Metrics = Metrics{Elapsed: m.Elapsed.String(), RoundTrips: m.RoundTrips, Conns: m.Conns, Bytes: m.Bytes, Packets: m.Packets}
	}
	return s
}

// JSON returns s as connlab.state() returns it.
func (s State) JSON() string {
	b, err := json.Marshal(s)
	if err != nil { // only plain values: cannot happen
		panic(err)
	}
	return string(b)
}

// Inspect returns the inspector's view of packet i.
func Inspect(t *engine.Trace, i int) *Selected {
	pk := &t.Packets[i]
	seg := &pk.Seg
	tcp := TCPInfo{
		SrcPort:   seg.Src.Port,
		DstPort:   seg.Dst.Port,
		SeqRaw:    uint32(seg.Seq),
		AckRaw:    uint32(seg.Ack),
		Seq:       uint32(seg.Seq - pk.SeqBase),
		Flags:     seg.Flags.String(),
		Window:    seg.Window,
		Len:       len(seg.Payload),
		HeaderLen: seg.HeaderLen(),
	}
	if seg.Flags&engine.ACK != 0 {
		tcp.Ack = uint32(seg.Ack - pk.AckBase)
	}
	tcp.Options = tcpOptions(seg)
	return &Selected{
		Index:    i,
		Frame:    pk.Frame,
		Label:    pk.Label,
		From:     t.Hosts[pk.From].Name,
		To:       t.Hosts[pk.To].Name,
		SentAt:   pk.SentAt.String(),
		ArriveAt: pk.ArriveAt.String(),
		IP:       IPInfo{Src: ipString(seg.Src.IP), Dst: ipString(seg.Dst.IP), Len: seg.WireLen(), TTL: ipTTL, Proto: "TCP"},
		TCP:      tcp,
		HTTP:     pk.HTTP,
		TLS:      t.PacketTLS(i),
	}
}

func ipString(ip [4]byte) string {
	return fmt.Sprintf("%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3])
}

// tcpOptions lists a segment's TCP options in the order they are on the
// wire, named as Wireshark names them: "MSS=1460, SACK_PERM, TSval=…
// TSecr=…, WS=128". Empty when the segment has none.
func tcpOptions(seg *engine.Segment) string {
	var opts []string
	if seg.MSS != 0 {
		opts = append(opts, fmt.Sprintf("MSS=%d", seg.MSS))
	}
	if seg.SACKPerm {
		opts = append(opts, "SACK_PERM")
	}
	if seg.HasTS {
		opts = append(opts, fmt.Sprintf("TSval=%d TSecr=%d", seg.TSval, seg.TSecr))
	}
	if seg.HasWScale {
		opts = append(opts, fmt.Sprintf("WS=%d", 1<<seg.WScale))
	}
	return strings.Join(opts, ", ")
}
