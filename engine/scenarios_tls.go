package engine

// Scenarios that show TLS and fair queueing beside the chapter's own: the
// variants lessons 4, 11 and 18 show.

func init() {
	for _, sc := range []*Scenario{
		{Name: "handshake-tls12", Summary: "TCP 핸드셰이크 뒤에 TLS 1.2 핸드셰이크: 요청 전에 왕복 세 번", Profile: Today,
			Keys: []string{"profile", "rtt", "bandwidth", "iw"}, Defaults: map[string]string{"images": "0", "pagesize": "500", "tls": "1.2"},
			build: func(s *Sim) { s.simplePage(mode10, 1, false) }},
		{Name: "handshake-tls13", Summary: "TCP 핸드셰이크 뒤에 TLS 1.3 핸드셰이크: 요청 전에 왕복 두 번", Profile: Today,
			Keys: []string{"profile", "rtt", "bandwidth", "iw"}, Defaults: map[string]string{"images": "0", "pagesize": "500", "tls": "1.3"},
			build: func(s *Sim) { s.simplePage(mode10, 1, false) }},
		{Name: "parallel-fq", Summary: "좁은 링크에서 병렬 커넥션: 공정 큐(fq)가 흐름마다 번갈아 보낸다", Profile: Today, Plot: PlotWaterfall,
			Keys: []string{"profile", "bandwidth", "conns", "rtt", "images", "qdisc"}, Defaults: map[string]string{"bandwidth": "1Mbps", "qdisc": "fq"},
			build: func(s *Sim) { s.simplePage(mode10, s.cfg.ConnsPerHost, false) }},
		{Name: "parallel-fifo", Summary: "좁은 링크에서 병렬 커넥션: FIFO 큐에서는 먼저 쓴 응답이 통째로 먼저 나간다", Profile: Today, Plot: PlotWaterfall,
			Keys: []string{"profile", "bandwidth", "conns", "rtt", "images", "qdisc"}, Defaults: map[string]string{"bandwidth": "1Mbps", "qdisc": "fifo"},
			build: func(s *Sim) { s.simplePage(mode10, s.cfg.ConnsPerHost, false) }},
		{Name: "compare-tls", Summary: "TLS 1.3 위에서 같은 페이지: 요청마다 새 커넥션 vs 지속 커넥션 하나", Profile: Today, Plot: PlotWaterfall,
			Keys: []string{"profile", "rtt", "bandwidth", "images", "tls"}, Defaults: map[string]string{"tls": "1.3"},
			build: buildCompareTLS},
	} {
		register(sc)
	}
}

// buildCompareTLS: the page over a new connection per object (each with
// its own TLS handshake) and over one persistent connection (one TLS
// handshake), on one clock.
func buildCompareTLS(s *Sim) {
	buildLanes(s, []lane{{"serial", mode10, 1}, {"persistent", mode11, 1}})
}
