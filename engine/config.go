package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Profile selects a set of defaults: the book's picture of TCP (교과서) or
// what Linux and Chrome do today (오늘날).
type Profile uint8

const (
	// Book is the picture in HTTP: The Definitive Guide, ch. 4 (2002).
	Book Profile = iota
	// Today is a current Linux kernel talking to a current Chrome.
	Today
)

func (p Profile) String() string {
	if p == Book {
		return "book"
	}
	return "today"
}

// ParseProfile reads "book" or "today" (also 교과서 and 오늘날).
func ParseProfile(s string) (Profile, error) {
	switch s {
	case "book", "교과서":
		return Book, nil
	case "today", "오늘날":
		return Today, nil
	}
	return 0, fmt.Errorf("profile=%s is not known: allowed book, today", s)
}

// Config holds every parameter of a run. Each field's default and its source
// are given in DefaultConfig; each can be changed with Set.
type Config struct {
	Profile Profile

	// Network.
	RTT       Time  // round-trip propagation delay client<->server (one-way = RTT/2 per link direction)
	Bandwidth int64 // link bandwidth, bits per second; serialization delay = bytes*8/Bandwidth
	MSS       int   // maximum segment size announced in the SYN (bytes of payload per segment)
	RecvWnd   int   // receive space: the window first offered (quantized to the MSS in today's profile), bytes

	// TCP options and window management (RFC 7323, RFC 2018).
	WindowScale   int  // window scale shift offered in the SYN; -1 = no option
	Timestamps    bool // timestamps option in the SYN and, if both offer it, every segment
	SACKPermitted bool // SACK-permitted option in the SYN (then ACKs carry SACK blocks for data out of order, tcp_rtx.go)
	RecvBufMax    int  // receive-buffer autotuning's ceiling, bytes (the window is half of it); 0 = a fixed window
	MinRTO        Time // lower bound of the retransmission timeout
	InitialRTO    Time // the retransmission timeout before any RTT sample: the first SYN's timeout
	// SlowStartAfterIdle: a sender that has sent nothing for longer than
	// the RTO starts again from the initial window (RFC 5681 §4.1).
	SlowStartAfterIdle bool

	// TCP.
	InitialWindow int  // initial congestion window, in segments
	DelayedACK    Time // delayed-ACK timer
	QuickAcks     int  // segments ACKed immediately at connection start (Linux quick-ACK mode)
	NoDelay       bool // TCP_NODELAY on every socket (Nagle off)
	TimeWait      Time // how long TIME-WAIT holds a closed connection (2*MSL)
	PortLo        int  // ephemeral port range, first port
	PortHi        int  // ephemeral port range, last port

	// Stack behaviour that differs between the book's era and Linux today.
	DataOnHandshakeACK bool   // the write made when connect() returns rides on the handshake's final ACK
	RSTExactSeq        bool   // an RST resets only if SEG.SEQ = RCV.NXT; other in-window RSTs get a challenge ACK
	RSTUnread          string // what an arriving RST does to received bytes not yet read: keep or discard

	// Loss and queues (loss.go). Drop lists chosen segments to lose,
	// "client:1,server:3" (role:n, the n-th segment a host of that role
	// sends, counted from 1, retransmissions included); LossPPM is a random
	// loss rate in parts per million, drawn from a generator seeded with
	// Seed; Queue bounds each link direction's drop-tail queue, in packets
	// (QueueBytes false) or bytes.
	Drop       string
	LossPPM    int
	Seed       int
	Queue      int
	QueueBytes bool

	// Capture is where the pcap export listens: the interfaces of the
	// hosts with this role (client, server or proxy).
	Capture string

	// HTTP.
	ConnsPerHost     int  // browser's parallel connection limit per host
	KeepAliveTimeout Time // server closes an idle persistent connection after this long
	KeepAliveMax     int  // server closes a persistent connection after this many requests
	Think            Time // server's processing time per request
	DNS              Time // DNS lookup time before the first connection (0 = cached)
	// TLS is the TLS version the browser and the server speak over each
	// connection: none (plain HTTP on port 80), 1.2 or 1.3 (port 443).
	TLS string
	// Qdisc is how a link's sender queues packets waiting for the wire:
	// fifo (one drop-tail queue, first come first served) or fq (a queue
	// per flow, served in turn by deficit round robin, as Linux's fq_codel).
	Qdisc string

	// Page and load.
	PageSize  int // bytes of the HTML page's body
	Images    int // images embedded in the page
	ImageSize int // bytes of each image's body
	Size      int // bytes of a single large response (slow start)
	Conns     int // connections a load generator opens (time-wait)
	Rate      int // connections per second the load generator opens
}

// DefaultConfig returns the defaults of profile p. Every number names its
// source; lessons quote these numbers and a test keeps them in agreement.
func DefaultConfig(p Profile) Config {
	c := Config{
		Profile:   p,
		RTT:       100 * Millisecond, // a continental round trip; the lessons' reference
		Bandwidth: 10_000_000,        // 10 Mbit/s: slow enough that serialization shows
		MSS:       1460,              // Ethernet MTU 1500 - 20 (IPv4) - 20 (TCP), RFC 9293 §3.7.1
		// Linux: tcp_rmem[1] = 131072 bytes of receive buffer, of which the
		// window may use the share payload takes of each buffer
		// (tcp_win_from_space with the scaling_ratio tcp_measure_rcv_mss
		// measures as skb->len/truesize, net/ipv4/tcp_input.c): a 1448-byte
		// segment in a 2304-byte buffer, 160/256, so 81920 bytes. The SYN
		// offers at most 65535, rounded down to the MSS, 64240
		// (tcp_select_initial_window, net/ipv4/tcp_output.c), a SYN+ACK
		// rounded to MSS-12, 65160.
		RecvWnd: 81920,
		// tcp_select_initial_window: ilog2(max(tcp_rmem[2] = 6 MB, rmem_max)) - 15 = 7.
		WindowScale:   7,
		Timestamps:    true,              // net.ipv4.tcp_timestamps = 1 (RFC 7323 §3)
		SACKPermitted: true,              // net.ipv4.tcp_sack = 1 (RFC 2018)
		RecvBufMax:    6 << 20,           // tcp_rmem[2]; tcp_rcv_space_adjust grows the buffer up to it
		MinRTO:        200 * Millisecond, // Linux TCP_RTO_MIN (RFC 6298 §2.4 asks for 1 s)
		// RFC 6298 §2.1 and Linux TCP_TIMEOUT_INIT: 1 s, so a lost SYN is
		// sent again after 1, 3, 7, 15, 31 and 63 s (tcp_syn_retries = 6).
		InitialRTO: Second,
		// net.ipv4.tcp_slow_start_after_idle = 1: tcp_cwnd_restart halves
		// cwnd per RTO of idleness, down to min(initial window, cwnd).
		SlowStartAfterIdle: true,

		InitialWindow:    10,               // RFC 6928; Linux TCP_INIT_CWND = 10
		DelayedACK:       40 * Millisecond, // Linux TCP_DELACK_MIN (RFC 9293 §3.8.6.3: under 500 ms)
		QuickAcks:        16,               // Linux TCP_MAX_QUICKACKS: quick-ACK mode at connection start
		NoDelay:          true,             // Chrome, Go's net package and nginx (tcp_nodelay on) set TCP_NODELAY
		TimeWait:         60 * Second,      // Linux TCP_TIMEWAIT_LEN, fixed at 60 s
		PortLo:           32768,            // Linux net.ipv4.ip_local_port_range default
		PortHi:           60999,            // same
		ConnsPerHost:     6,                // Chrome and Firefox: 6 connections per host
		KeepAliveTimeout: 5 * Second,       // Apache KeepAliveTimeout default; Keep-Alive: timeout=5
		KeepAliveMax:     100,              // Apache MaxKeepAliveRequests default; Keep-Alive: max=100
		Think:            0,                // the chapter: server processing is short next to TCP delays
		DNS:              0,                // a cached name
		TLS:              "none",           // the chapter's plain HTTP; lessons turn TLS on
		// Linux's default qdisc on most distributions is fq_codel
		// (net.core.default_qdisc, set by systemd's sysctl.d/50-default.conf;
		// net/sched/sch_fq_codel.c): flows share the link by DRR.
		Qdisc: "fq",

		// Linux answers a SYN+ACK with a pure ACK at once
		// (net/ipv4/tcp_input.c, tcp_rcv_synsent_state_process calls
		// tcp_send_ack); the request follows in its own segment.
		DataOnHandshakeACK: false,
		// RFC 5961 §3.2, which Linux follows (tcp_validate_incoming in
		// net/ipv4/tcp_input.c): reset only on an exact match, answer
		// other in-window RSTs with a challenge ACK, drop the rest.
		RSTExactSeq: true,
		// Linux keeps received bytes readable after an RST: read() returns
		// them, then ECONNRESET (tcp_reset in net/ipv4/tcp_input.c purges
		// only the write queue; tcp_recvmsg reports sk_err once the receive
		// queue is empty). Windows discards them: use rstunread=discard.
		RSTUnread: "keep",
		// What Wireshark beside the browser sees: the client's interface,
		// sent packets stamped as they leave, received ones as they arrive.
		// capture=server or proxy listens elsewhere; "all" is every packet
		// stamped as it leaves its sender, which no real tap sees.
		Capture: "client",

		// The queue stands for the path's bottleneck buffer (here, each
		// link direction's). 1000 packets, Linux's default transmit queue
		// (txqueuelen, DEFAULT_TX_QUEUE_LEN in include/linux/netdevice.h),
		// in both profiles: no lesson's run at its default settings queues
		// more than a few hundred packets, so nothing is lost unless a
		// lesson asks (queue=, drop=, loss=).
		Queue: 1000,
		Seed:  1,

		PageSize:  2000,
		Images:    3, // the chapter's example page: one HTML page and three images (§4.3.2)
		ImageSize: 10000,
		Size:      100000,
		Conns:     60000,
		Rate:      1000,
	}
	if p == Book {
		c.InitialWindow = 1              // RFC 5681 era (RFC 2001): one segment, doubling each RTT
		c.DelayedACK = 200 * Millisecond // the book: 100-200 ms; BSD's 200 ms timer
		c.QuickAcks = 0                  // the book's stacks always delay
		c.NoDelay = false                // the book: Nagle is on unless an application turns it off
		c.TimeWait = 120 * Second        // the book: 2MSL, "usually 2 minutes"
		c.ConnsPerHost = 4               // the book: "most browsers allow 4"
		// The book (§4.2.3): "modern TCP stacks let the client send data in
		// this acknowledgment packet"; RFC 793 §3.9 (SYN-SENT): "Data or
		// controls which were queued for transmission may be included".
		c.DataOnHandshakeACK = true
		// RFC 793 §3.9 (p. 37): "A reset is valid if its sequence number is
		// in the window"; and on a reset "all segment queues should be
		// flushed", which the book (§4.7.4) describes: response data not
		// yet read is lost.
		c.RSTExactSeq = false
		c.RSTUnread = "discard"
		// Plain 20-byte headers with only the MSS option, as in the book's
		// figures: RFC 1323's window scaling and timestamps were optional
		// and off by default in the Windows clients of 2002 (Tcp1323Opts
		// = 0), so windows stop at 65,535 bytes.
		c.RecvWnd = 65535
		c.WindowScale = -1
		c.Timestamps = false
		c.SACKPermitted = false
		c.RecvBufMax = 0
		c.MinRTO = Second // RFC 2988 §2.4 (2000): at least 1 s
		// RFC 1122 §4.2.3.1 and RFC 2988 §2.1: 3 s, so a lost SYN is sent
		// again after 3, 9 and 21 s.
		c.InitialRTO = 3 * Second
		// RFC 2581 §4.1 (1999) and 4.4BSD's tcp_output: after an idle
		// RTO, back to the restart window at once, without halving.
		c.SlowStartAfterIdle = true
		// The book's era queued every packet in one FIFO (BSD's ifqueue,
		// Linux's pfifo_fast): a burst goes out whole before the next.
		c.Qdisc = "fifo"
	}
	return c
}

// param describes one key=value parameter.
type param struct {
	key  string
	doc  string
	kind paramKind
	min  int64 // inclusive, in the field's own unit (ns for durations, bit/s, bytes...)
	max  int64
	ptr  func(c *Config) any // *Time, *int, *int64, *bool or *string
	// choices are the allowed values of a kindChoice parameter.
	choices []string
}

type paramKind uint8

const (
	kindDuration paramKind = iota
	kindInt
	kindBandwidth
	kindBool
	kindPorts
	kindChoice
	kindDrops   // drop=client:1,server:3
	kindPercent // loss=1% or 0.5%
	kindQueue   // queue=100 (packets) or queue=64KB / 65536B (bytes)
)

var params = []param{
	{"rtt", "왕복 시간 (round-trip time)", kindDuration, int64(Millisecond), int64(2 * Second), func(c *Config) any { return &c.RTT }, nil},
	{"bandwidth", "대역폭 (bandwidth)", kindBandwidth, 56_000, 10_000_000_000, func(c *Config) any { return &c.Bandwidth }, nil},
	{"mss", "최대 세그먼트 크기 (MSS)", kindInt, 88, 8960, func(c *Config) any { return &c.MSS }, nil},
	{"rwnd", "수신 윈도 (처음 광고하는 크기), bytes; 윈도 크기 조정(window scale)이 없으면 65535까지", kindInt, 1460, 1 << 20, func(c *Config) any { return &c.RecvWnd }, nil},
	{"slowstartidle", "유휴 뒤 느린 시작 다시 하기 (tcp_slow_start_after_idle)", kindBool, 0, 1, func(c *Config) any { return &c.SlowStartAfterIdle }, nil},
	{"rmemmax", "수신 버퍼 자동 조정 상한, bytes (0 = 고정된 수신 윈도)", kindInt, 0, 64 << 20, func(c *Config) any { return &c.RecvBufMax }, nil},
	{"rtoinit", "처음 재전송 타임아웃 (왕복 시간을 재기 전, SYN의 타임아웃)", kindDuration, int64(200 * Millisecond), int64(60 * Second), func(c *Config) any { return &c.InitialRTO }, nil},
	{"iw", "초기 혼잡 윈도 (initial window), segments", kindInt, 1, 100, func(c *Config) any { return &c.InitialWindow }, nil},
	{"delack", "확인응답 지연 타이머 (delayed-ACK timer)", kindDuration, int64(Millisecond), int64(500 * Millisecond), func(c *Config) any { return &c.DelayedACK }, nil},
	{"quickack", "처음에 바로 확인응답하는 세그먼트 수 (quick-ACK)", kindInt, 0, 16, func(c *Config) any { return &c.QuickAcks }, nil},
	{"nodelay", "TCP_NODELAY (네이글 끄기)", kindBool, 0, 1, func(c *Config) any { return &c.NoDelay }, nil},
	{"timewait", "TIME-WAIT 유지 시간 (2MSL)", kindDuration, int64(Second), int64(240 * Second), func(c *Config) any { return &c.TimeWait }, nil},
	{"ports", "임시 포트 범위 (ephemeral ports), lo-hi", kindPorts, 1024, 65535, nil, nil},
	{"capture", "pcap을 받아 적는 자리: client, server, proxy의 네트워크 인터페이스 (all = 모든 패킷)", kindChoice, 0, 0, func(c *Config) any { return &c.Capture }, []string{"all", "client", "server", "proxy"}},
	{"rstunread", "RST를 받았을 때 아직 읽지 않은 바이트: keep(Linux), discard(Windows)", kindChoice, 0, 0, func(c *Config) any { return &c.RSTUnread }, []string{"keep", "discard"}},
	{"drop", "잃어버릴 세그먼트: 역할:번호를 쉼표로 (server:5 = 서버가 보내는 다섯째 세그먼트)", kindDrops, 1, maxDropIndex, func(c *Config) any { return &c.Drop }, nil},
	{"loss", "무작위 손실률 (seed로 정해지는 결정적 손실)", kindPercent, 0, 500_000, func(c *Config) any { return &c.LossPPM }, nil},
	{"seed", "무작위 손실의 씨앗(seed)", kindInt, 0, 1 << 31, func(c *Config) any { return &c.Seed }, nil},
	{"queue", "링크 방향마다의 큐 크기: 패킷 수(100) 또는 바이트(64 KB, 65536 B)", kindQueue, 1, 1 << 30, func(c *Config) any { return &c.Queue }, nil},
	{"tls", "TLS 버전: none(평문 HTTP, 80번 포트), 1.2, 1.3(443번 포트)", kindChoice, 0, 0, func(c *Config) any { return &c.TLS }, []string{"none", "1.2", "1.3"}},
	{"qdisc", "링크 큐 방식: fifo(먼저 온 순서), fq(흐름마다 큐를 두고 번갈아 보냄, 리눅스 fq_codel)", kindChoice, 0, 0, func(c *Config) any { return &c.Qdisc }, []string{"fifo", "fq"}},
	{"conns", "호스트당 최대 커넥션 수", kindInt, 1, 16, func(c *Config) any { return &c.ConnsPerHost }, nil},
	{"keepalive", "keep-alive 유휴 타임아웃", kindDuration, int64(Second), int64(300 * Second), func(c *Config) any { return &c.KeepAliveTimeout }, nil},
	{"max", "커넥션당 최대 요청 수", kindInt, 1, 1000, func(c *Config) any { return &c.KeepAliveMax }, nil},
	{"think", "서버 처리 시간", kindDuration, 0, int64(5 * Second), func(c *Config) any { return &c.Think }, nil},
	{"dns", "DNS 조회 시간 (0 = 캐시됨)", kindDuration, 0, int64(10 * Second), func(c *Config) any { return &c.DNS }, nil},
	{"pagesize", "HTML 본문 크기, bytes", kindInt, 100, 1_000_000, func(c *Config) any { return &c.PageSize }, nil},
	{"images", "이미지 수", kindInt, 0, 20, func(c *Config) any { return &c.Images }, nil},
	{"imagesize", "이미지 하나의 크기, bytes", kindInt, 100, 1_000_000, func(c *Config) any { return &c.ImageSize }, nil},
	{"size", "큰 응답의 크기, bytes", kindInt, 1000, 10_000_000, func(c *Config) any { return &c.Size }, nil},
	{"connections", "부하 생성기가 여는 커넥션 수", kindInt, 1, 200_000, func(c *Config) any { return &c.Conns }, nil},
	{"rate", "초당 새 커넥션 수", kindInt, 1, 100_000, func(c *Config) any { return &c.Rate }, nil},
}

// ParamKeys lists every key Set accepts, "profile" first.
func ParamKeys() []string {
	keys := []string{"profile"}
	for _, p := range params {
		keys = append(keys, p.key)
	}
	return keys
}

// ParamDoc returns a short Korean description of key and its allowed range.
func ParamDoc(key string) (doc, allowed string, ok bool) {
	if key == "profile" {
		return "프로필 (교과서/오늘날)", "book, today", true
	}
	for _, p := range params {
		if p.key == key {
			return p.doc, p.allowed(), true
		}
	}
	return "", "", false
}

func (p param) allowed() string {
	switch p.kind {
	case kindDuration:
		return FormatDuration(Time(p.min)) + ".." + FormatDuration(Time(p.max))
	case kindBandwidth:
		return formatBandwidth(p.min) + ".." + formatBandwidth(p.max)
	case kindBool:
		return "true, false"
	case kindPorts:
		return fmt.Sprintf("lo-hi within %d-%d", p.min, p.max)
	case kindChoice:
		return strings.Join(p.choices, ", ")
	case kindDrops:
		return fmt.Sprintf("none, or role:n[,role:n...] with role client, server or proxy and n in 1..%d", p.max)
	case kindPercent:
		return "0%..50%"
	case kindQueue:
		return "1..10000 packets, or 1500B..64MB of bytes (B, KB, MB)"
	}
	return fmt.Sprintf("%d..%d", p.min, p.max)
}

// Set changes one parameter from its text form. It refuses unknown keys and
// values outside the allowed range with an error naming both.
func (c *Config) Set(key, value string) error {
	if key == "profile" {
		p, err := ParseProfile(value)
		if err != nil {
			return err
		}
		c.Profile = p
		return nil
	}
	var p *param
	for i := range params {
		if params[i].key == key {
			p = &params[i]
		}
	}
	if p == nil {
		return fmt.Errorf("unknown parameter %q (known: %s)", key, strings.Join(ParamKeys(), ", "))
	}
	bad := func() error {
		return fmt.Errorf("%s=%s is out of range: allowed %s", key, value, p.allowed())
	}
	var n int64
	switch p.kind {
	case kindDuration:
		d, err := ParseDuration(value)
		if err != nil {
			return fmt.Errorf("%s=%s: %v", key, value, err)
		}
		n = int64(d)
	case kindBandwidth:
		b, err := ParseBandwidth(value)
		if err != nil {
			return fmt.Errorf("%s=%s: %v", key, value, err)
		}
		n = b
	case kindBool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%s=%s: allowed true, false", key, value)
		}
		*p.ptr(c).(*bool) = b
		return nil
	case kindPorts:
		lo, hi, ok := strings.Cut(value, "-")
		l, ok1 := wholeNumber(lo)
		h, ok2 := wholeNumber(hi)
		if !ok || !ok1 || !ok2 || l > h || l < p.min || h > p.max {
			return bad()
		}
		c.PortLo, c.PortHi = int(l), int(h)
		return nil
	case kindDrops:
		if _, err := parseDrops(value); err != nil {
			return fmt.Errorf("%s=%s: %v (allowed %s)", key, value, err, p.allowed())
		}
		if value == "none" {
			value = ""
		}
		c.Drop = value
		return nil
	case kindPercent:
		ppm, err := parsePercent(value)
		if err != nil {
			return fmt.Errorf("%s=%s: %v", key, value, err)
		}
		if ppm < p.min || ppm > p.max {
			return bad()
		}
		c.LossPPM = int(ppm)
		return nil
	case kindQueue:
		n, inBytes, err := parseQueue(value)
		if err != nil {
			return fmt.Errorf("%s=%s: %v (allowed %s)", key, value, err, p.allowed())
		}
		c.Queue, c.QueueBytes = n, inBytes
		return nil
	case kindChoice:
		for _, ch := range p.choices {
			if value == ch {
				*p.ptr(c).(*string) = value
				return nil
			}
		}
		return bad()
	case kindInt:
		v, ok := wholeNumber(value)
		if !ok {
			return fmt.Errorf("%s=%s: not a whole number (allowed %s)", key, value, p.allowed())
		}
		n = v
	}
	if n < p.min || n > p.max {
		return bad()
	}
	switch v := p.ptr(c).(type) {
	case *Time:
		*v = Time(n)
	case *int:
		*v = int(n)
	case *int64:
		*v = n
	}
	return nil
}

// Get returns the text form of key's current value, as Set accepts it.
func (c *Config) Get(key string) (string, bool) {
	if key == "profile" {
		return c.Profile.String(), true
	}
	for _, p := range params {
		if p.key != key {
			continue
		}
		switch p.kind {
		case kindPorts:
			return fmt.Sprintf("%d-%d", c.PortLo, c.PortHi), true
		case kindDrops:
			if c.Drop == "" {
				return "none", true
			}
			return c.Drop, true
		case kindPercent:
			return formatPercent(c.LossPPM), true
		case kindQueue:
			if c.QueueBytes {
				return strconv.Itoa(c.Queue) + "B", true
			}
			return strconv.Itoa(c.Queue), true
		}
		switch v := p.ptr(c).(type) {
		case *Time:
			return FormatDuration(*v), true
		case *int:
			return strconv.Itoa(*v), true
		case *int64:
			return formatBandwidth(*v), true
		case *bool:
			return strconv.FormatBool(*v), true
		case *string:
			return *v, true
		}
	}
	return "", false
}

// Apply sets every key of kv, in sorted order so errors are deterministic.
func (c *Config) Apply(kv map[string]string) error {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := c.Set(k, kv[k]); err != nil {
			return err
		}
	}
	return nil
}

// ParseBandwidth reads "10Mbps", "56kbps", "1Gbps" or a plain number of bit/s.
func ParseBandwidth(s string) (int64, error) {
	mult := int64(1)
	num := s
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"Gbps", 1e9}, {"Mbps", 1e6}, {"kbps", 1e3}, {"Kbps", 1e3}, {"bps", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	f, ok := plainDecimal(num)
	if !ok || f <= 0 {
		return 0, fmt.Errorf("%q is not a bandwidth (want e.g. 10Mbps, 56kbps)", s)
	}
	return scaled(f, mult), nil
}

func formatBandwidth(b int64) string {
	switch {
	case b%1_000_000_000 == 0:
		return fmt.Sprintf("%dGbps", b/1_000_000_000)
	case b%1_000_000 == 0:
		return fmt.Sprintf("%dMbps", b/1_000_000)
	case b%1000 == 0:
		return fmt.Sprintf("%dkbps", b/1000)
	}
	return fmt.Sprintf("%dbps", b)
}
