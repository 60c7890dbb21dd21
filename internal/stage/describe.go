package stage

import (
	"fmt"
	"strconv"
	"strings"

	"connlab/engine"
)

// Korean words of the stage, in the glossary's terms
// (/work/shared/glossary.ko.md is mirrored in lessons' wording).

// roleKo names a host by its role.
var roleKo = map[engine.Role]string{
	engine.RoleClient: "클라이언트",
	engine.RoleServer: "서버",
	engine.RoleProxy:  "프락시",
}

// laneKo names the runs compare puts side by side.
var laneKo = map[string]string{
	"serial":     "순차",
	"parallel":   "병렬",
	"persistent": "지속",
	"pipelined":  "파이프라인",
}

// HostKo is host h's Korean name: 클라이언트, 서버, 프락시.
func HostKo(t *engine.Trace, h int) string {
	if h < 0 || h >= len(t.Hosts) {
		return "?"
	}
	if s, ok := roleKo[t.Hosts[h].Role]; ok {
		return s
	}
	return t.Hosts[h].Name
}

// LaneKo is the Korean name of lane i of a comparison, or "".
func LaneKo(t *engine.Trace, i int) string {
	if i < 0 || i >= len(t.Lanes) {
		return ""
	}
	if s, ok := laneKo[t.Lanes[i]]; ok {
		return s
	}
	return t.Lanes[i]
}

// stateKo explains each TCP state in a few Korean words.
var stateKo = [...]string{
	engine.Closed:      "닫힘",
	engine.Listen:      "커넥션 기다림",
	engine.SynSent:     "SYN 보냄",
	engine.SynReceived: "SYN 받음",
	engine.Established: "커넥션 수립",
	engine.FinWait1:    "FIN 보냄",
	engine.FinWait2:    "상대 FIN 기다림",
	engine.CloseWait:   "상대가 끊음",
	engine.Closing:     "양쪽이 끊는 중",
	engine.LastAck:     "마지막 ACK 기다림",
	engine.TimeWait:    "시간 대기",
}

// StateKo is the Korean explanation of TCP state s.
func StateKo(s engine.State) string {
	if int(s) < len(stateKo) {
		return stateKo[s]
	}
	return s.String()
}

// timerKo names the engine's timers.
var timerKo = map[string]string{
	"delack":    "확인응답 지연 타이머",
	"keepalive": "keep-alive 타이머",
	"timewait":  "TIME-WAIT 타이머",
	"rto":       "재전송 타이머",
}

// Describe is a Korean sentence telling what step of t does, for the
// stage's header, the page's event log and screen readers. The canonical
// English line (Event.String) stays what logs and golden files use.
func Describe(t *engine.Trace, step int) string {
	if step < 0 || step >= t.Len() {
		return ""
	}
	e := t.Events[step]
	who := subject(t, e)
	var s string
	switch e.Kind {
	case engine.EvSend, engine.EvRecv:
		s = describePacket(t, e)
	case engine.EvState:
		s = fmt.Sprintf("%s 상태가 %s에서 %s(%s)로 바뀝니다.", who, e.From, e.To, StateKo(e.To))
	case engine.EvTimer:
		s = describeTimer(who, e)
	case engine.EvCwnd:
		if e.Fact != nil {
			s = fmt.Sprintf("%s의 혼잡 윈도가 세그먼트 %d개가 됩니다.", who, e.Fact.N) + cwndWhyKo(e.Fact.Why)
		}
	case engine.EvCall:
		s = describeCall(t, who, e.Fact)
	case engine.EvHTTP:
		s = describeHTTP(who, e.Fact)
	case engine.EvApp:
		s = describeApp(t, e, who)
	case engine.EvTLS:
		s = describeTLS(who, e.Fact)
	case engine.EvDrop:
		s = describeDrop(t, e)
	}
	if s == "" {
		return e.String()
	}
	return s
}

// describeTLS tells a TLS event (Event.Fact). The messages keep the
// names a packet analyzer gives them.
func describeTLS(who string, f *engine.Fact) string {
	if f == nil {
		return ""
	}
	switch f.Op {
	case engine.OpTLSSent:
		info := Thousands(int64(f.N)) + "바이트"
		if f.Note != "" {
			info = f.Note + ", " + info
		}
		return fmt.Sprintf("%s가 TLS 메시지를 보냅니다: %s (%s).", who, f.Msg, info)
	case engine.OpTLSReceived:
		return fmt.Sprintf("%s가 TLS 메시지를 받습니다: %s.", who, f.Msg)
	case engine.OpTLSDone:
		return fmt.Sprintf("%s의 TLS 핸드셰이크가 끝났습니다 (%s).", who, f.Note)
	}
	return ""
}

// subject names who an event is about: "클라이언트(:32768)" for a socket
// (a particle after it reads on from the name),
// "서버" for a host, with the lane first in a comparison ("병렬 클라이언트").
func subject(t *engine.Trace, e engine.Event) string { return named(t, e.Host, e.Sock) }

// named is subject's name of host h, or of its socket sock (-1: none).
func named(t *engine.Trace, h, sock int) string {
	name := HostKo(t, h)
	if h >= 0 && h < len(t.Hosts) && len(t.Lanes) > 1 {
		name = LaneKo(t, t.Hosts[h].Lane) + " " + name
	}
	if sock >= 0 && sock < len(t.Sockets) {
		name += "(:" + strconv.Itoa(int(t.Sockets[sock].Local.Port)) + ")"
	}
	return name
}

func describePacket(t *engine.Trace, e engine.Event) string {
	if e.Packet < 0 || e.Packet >= len(t.Packets) {
		return ""
	}
	pk := &t.Packets[e.Packet]
	seg := &pk.Seg
	info := PacketSeqs(t, e.Packet)
	if n := len(seg.Payload); n > 0 {
		info += fmt.Sprintf(", %d바이트", n)
	}
	from, to := HostKo(t, pk.From), HostKo(t, pk.To)
	if e.Kind == engine.EvSend && pk.Retransmit {
		return fmt.Sprintf("%s가 %s 세그먼트를 %s에 다시 보냅니다 (재전송, %s).", from, pk.Label, to, info)
	}
	if e.Kind == engine.EvSend {
		return fmt.Sprintf("%s가 %s 세그먼트를 %s에 보냅니다 (%s).", from, pk.Label, to, info)
	}
	return fmt.Sprintf("%s가 %s에서 온 %s 세그먼트를 받습니다 (%s).", to, from, pk.Label, info)
}

// PacketSeqs is packet i's relative sequence (and acknowledgement)
// numbers, as the inspector and a packet analyzer show them: "seq 1 ack 71".
func PacketSeqs(t *engine.Trace, i int) string {
	in := Inspect(t, i)
	s := "seq " + strconv.FormatUint(uint64(in.TCP.Seq), 10)
	if t.Packets[i].Seg.Flags&engine.ACK != 0 {
		s += " ack " + strconv.FormatUint(uint64(in.TCP.Ack), 10)
	}
	return s
}

// describeTimer tells a timer's set, cancel, fire or give-up (Event.Fact).
func describeTimer(who string, e engine.Event) string {
	f := e.Fact
	if f == nil {
		return ""
	}
	name, ok := timerKo[f.Timer]
	if !ok {
		return ""
	}
	switch f.Op {
	case engine.OpTimerSet:
		return fmt.Sprintf("%s가 %s를 겁니다 (%s 뒤에 끝남).", who, name, durKo(f.Until-e.At))
	case engine.OpTimerFired:
		return fmt.Sprintf("%s의 %s가 끝났습니다.", who, name)
	case engine.OpTimerCancelled:
		return fmt.Sprintf("%s가 %s를 취소합니다.", who, name)
	case engine.OpTimerGaveUp:
		return rtoGaveUp(who)
	}
	return ""
}

// describeCall tells a socket call (Event.Fact).
func describeCall(t *engine.Trace, who string, f *engine.Fact) string {
	if f == nil {
		return ""
	}
	switch f.Op {
	case engine.OpSocket:
		return who + "가 socket()으로 소켓을 만듭니다."
	case engine.OpListen:
		return fmt.Sprintf("%s가 %d번 포트에서 listen()으로 커넥션을 기다립니다.", who, f.Port)
	case engine.OpConnectFailed:
		return fmt.Sprintf("%s의 connect()가 실패합니다: 임시 포트가 모두 쓰이고 있습니다 (EADDRNOTAVAIL).", who)
	case engine.OpConnect:
		return fmt.Sprintf("%s가 connect()로 %s에 커넥션을 엽니다 (임시 포트 %d).", who, peerKo(t, f), f.N)
	case engine.OpAccept:
		return fmt.Sprintf("%s가 accept()로 %s의 커넥션을 받아들입니다.", who, peerKo(t, f))
	case engine.OpRead:
		if f.N == 0 {
			return who + "의 read()가 0을 돌려줍니다: 상대가 더 보낼 것이 없습니다(FIN)."
		}
		return fmt.Sprintf("%s가 read()로 %d바이트를 읽습니다.", who, f.N)
	case engine.OpWrite:
		return fmt.Sprintf("%s가 write()로 %d바이트를 씁니다.", who, f.N)
	case engine.OpAbort:
		return fmt.Sprintf("%s가 읽지 않은 데이터를 남긴 채 close()합니다.", who)
	case engine.OpClose:
		return who + "가 close()로 커넥션을 끊습니다 (전체 끊기)."
	case engine.OpShutdown:
		return who + "가 shutdown()으로 보내는 쪽만 닫습니다 (절반 끊기)."
	}
	return ""
}

// peerKo names a call's peer in Korean with its port: "서버(:80)".
func peerKo(t *engine.Trace, f *engine.Fact) string {
	return HostKo(t, f.Peer) + "(:" + strconv.Itoa(f.Port) + ")"
}

// describeHTTP tells an HTTP message's sending or arrival (Event.Fact).
func describeHTTP(who string, f *engine.Fact) string {
	if f == nil {
		return ""
	}
	switch f.Op {
	case engine.OpHTTPSent:
		return fmt.Sprintf("%s가 HTTP 메시지를 보냅니다: %s", who, f.Msg)
	case engine.OpHTTPForwarded:
		return fmt.Sprintf("%s가 받은 헤더를 하나도 빼지 않고 그대로 전달합니다: %s", who, f.Msg)
	case engine.OpHTTPTruncated:
		return fmt.Sprintf("%s가 받은 응답이 Content-Length보다 짧게 끝났습니다: %s", who, f.Msg)
	case engine.OpHTTPResponse:
		return fmt.Sprintf("%s가 HTTP 메시지를 다 받았습니다: %s (본문 %d바이트)", who, f.Msg, f.N)
	case engine.OpHTTPReceived, engine.OpHTTPInterim:
		return fmt.Sprintf("%s가 HTTP 메시지를 받았습니다: %s", who, f.Msg)
	case engine.OpHTTPRelayed:
		return fmt.Sprintf("%s가 메시지를 그대로 전달합니다: %s", who, f.Msg)
	}
	return ""
}

// describeApp tells an application's event (Event.Fact).
func describeApp(t *engine.Trace, e engine.Event, who string) string {
	f := e.Fact
	if f == nil {
		return ""
	}
	switch f.Op {
	case engine.OpDNSCached:
		return fmt.Sprintf("%s가 DNS 캐시에서 %s의 주소를 찾습니다.", who, f.Msg)
	case engine.OpDNSLookup:
		return fmt.Sprintf("%s가 %s의 주소를 DNS에 묻습니다.", who, f.Msg)
	case engine.OpDNSAnswer:
		if f.Peer < 0 || f.Peer >= len(t.Hosts) {
			return ""
		}
		ip := t.Hosts[f.Peer].IP
		return fmt.Sprintf("DNS가 답합니다: %s = %d.%d.%d.%d", f.Msg, ip[0], ip[1], ip[2], ip[3])
	case engine.OpRendered:
		return fmt.Sprintf("%s가 화면에 그립니다: %s", who, f.Msg)
	case engine.OpPageLoaded:
		if f.N < f.M {
			return fmt.Sprintf("페이지 불러오기가 끝났지만 객체 %d개 중 %d개만 받았습니다 (%s).", f.M, f.N, durKo(f.Dur))
		}
		return fmt.Sprintf("페이지를 다 불러왔습니다: 객체 %d개, %s.", f.M, durKo(f.Dur))
	case engine.OpIdleClose:
		return fmt.Sprintf("%s가 %s 동안 쉬던 커넥션을 끊습니다.", who, durKo(f.Dur))
	case engine.OpBusyRead:
		return fmt.Sprintf("%s가 바빠서 %s 뒤에야 받은 데이터를 읽습니다.", who, durKo(f.Dur))
	case engine.OpRetry:
		return fmt.Sprintf("%s가 새 커넥션으로 다시 요청합니다: %s", who, f.Msg)
	case engine.OpError:
		return describeError(who, f)
	case engine.OpConnError:
		return describeConnError(named(t, e.Host, f.Conn), f)
	case engine.OpPortsExhausted:
		return fmt.Sprintf("커넥션 %d번 실패: 임시 포트가 모두 쓰이고 있습니다 (TIME-WAIT %d개).", f.N, f.M)
	case engine.OpLoadDone:
		return fmt.Sprintf("부하 생성이 끝났습니다: 커넥션 %d개, 실패 %d개.", f.N, f.M)
	case engine.OpServerClosed:
		return "서버가 커넥션을 끊어 응답이 끝났습니다. 프락시도 클라이언트 쪽 커넥션을 끊습니다."
	case engine.OpHopByHop:
		return fmt.Sprintf("%s가 홉별 헤더를 지웁니다: %s", who, f.Note)
	case engine.OpIgnored:
		req, _, _ := strings.Cut(f.Msg, " HTTP/")
		return fmt.Sprintf("%s가 새 요청 %s를 처리하지 못합니다: 서버가 커넥션을 끊기를 아직 기다리는 중입니다.", who, req)
	case engine.OpStopsAfter:
		return fmt.Sprintf("%s가 본문을 %d바이트만 보내고 커넥션을 끊습니다.", who, f.N)
	}
	return ""
}

// describeError tells why the browser gave an object up.
func describeError(who string, f *engine.Fact) string {
	what := f.Msg
	if what == "" { // a reset with no request outstanding
		what = "커넥션"
	}
	switch f.Cause {
	case engine.CauseNotIdempotent:
		method, _, _ := strings.Cut(f.Msg, " ")
		return fmt.Sprintf("%s는 %s를 다시 보내지 않습니다: %s는 멱등이 아닙니다.", who, what, method)
	case engine.CauseGaveUp:
		return fmt.Sprintf("%s 실패: %d번 보내 보고 포기합니다.", what, f.N)
	case engine.CauseResetUnread:
		return fmt.Sprintf("%s 실패: 상대가 커넥션을 리셋해서, 받아 두고 읽지 않은 데이터를 잃었습니다.", what)
	case engine.CauseReset:
		return fmt.Sprintf("%s 실패: 상대가 커넥션을 리셋했습니다.", what)
	case engine.CauseTruncated:
		return fmt.Sprintf("%s 실패: 본문이 Content-Length보다 짧습니다.", what)
	case engine.CauseNoPort:
		return fmt.Sprintf("%s 실패: 임시 포트가 모두 쓰이고 있습니다 (EADDRNOTAVAIL).", what)
	case engine.CauseTLS:
		return fmt.Sprintf("%s 실패: TLS 처리에 실패했습니다.", what)
	}
	return fmt.Sprintf("%s 실패.", what)
}

// describeConnError tells why an application dropped a connection
// (conn: the connection's Korean name).
func describeConnError(conn string, f *engine.Fact) string {
	switch f.Cause {
	case engine.CauseTLS:
		return conn + "가 TLS 처리에 실패해 커넥션을 끊습니다."
	case engine.CauseBadResponse:
		return conn + "가 받은 응답을 처리하지 못해 커넥션을 끊습니다."
	case engine.CauseBadRequest:
		return conn + "가 받은 요청을 처리하지 못해 커넥션을 끊습니다."
	case engine.CauseReset:
		return conn + "의 커넥션을 상대가 리셋했습니다."
	case engine.CauseNoRequest:
		return conn + "가 보낸 적 없는 요청의 응답을 받습니다."
	}
	return ""
}

// durKo writes a duration the way a Korean sentence says it: "200 ms",
// "1.5초", "58초".
func durKo(d engine.Time) string {
	switch sec := d.Seconds(); {
	case sec < 1:
		return fmt.Sprintf("%.0f ms", d.Milliseconds())
	case sec < 10:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", sec), "0"), ".") + "초"
	default:
		return fmt.Sprintf("%.0f초", sec)
	}
}
