package engine

// Scenarios with losses, for the lessons' loss variants: the same builds
// as their lossless originals, with the loss chosen in Defaults so that a
// student's controls still apply.
func init() {
	for _, sc := range []*Scenario{
		{Name: "lost-syn", Summary: "잃어버린 SYN: 재전송 타이머가 끝나야 다시 보낸다", Profile: Today,
			Keys: []string{"profile", "rtt", "rtoinit"}, Defaults: map[string]string{"images": "0", "pagesize": "500", "drop": "client:1"},
			build: func(s *Sim) { s.simplePage(mode10, 1, false) }},
		{Name: "lost-last-ack", Summary: "마지막 ACK를 잃으면 상대가 FIN을 다시 보내고, TIME-WAIT가 답한다", Profile: Today,
			Keys: []string{"profile", "rtt", "timewait"}, Defaults: map[string]string{"images": "0", "pagesize": "500"},
			// The server's last ACK: after SYN+ACK, its ACK of the request
			// (today only), the response and its FIN.
			ProfileDefaults: map[Profile]map[string]string{Today: {"drop": "server:5"}, Book: {"drop": "server:4"}},
			build:           func(s *Sim) { s.simplePage(mode10, 1, false) }},
		{Name: "slow-start-loss", Summary: "손실 하나가 느린 시작을 끝내고 혼잡 회피로 넘어가게 한다", Profile: Book, Plot: PlotCwnd,
			Keys: []string{"profile", "size", "rtt", "drop"}, Defaults: map[string]string{"size": "300000", "drop": "server:20"},
			build: buildSlowStart},
		{Name: "parallel-queue", Summary: "좁은 링크의 큐를 넘친 병렬 커넥션들이 서로의 세그먼트를 잃게 한다", Profile: Today, Plot: PlotWaterfall,
			Keys:     []string{"profile", "bandwidth", "queue", "conns"},
			Defaults: map[string]string{"bandwidth": "1Mbps", "queue": "8", "imagesize": "30000", "images": "6"},
			build:    func(s *Sim) { s.simplePage(mode10, s.cfg.ConnsPerHost, false) }},
		{Name: "pipelining-loss", Summary: "파이프라인에서 세그먼트 하나를 잃으면 뒤의 응답이 모두 기다린다", Profile: Book, Plot: PlotWaterfall,
			Keys: []string{"profile", "max", "rtt", "drop"}, Defaults: map[string]string{"max": "3"},
			// The last segment of the /a.png response, with /b.png's first
			// segments behind it.
			ProfileDefaults: map[Profile]map[string]string{Today: {"drop": "server:12"}, Book: {"drop": "server:10"}},
			build:           buildPipelining},
	} {
		register(sc)
	}
}
