package engine

// State is a TCP connection state, named as in RFC 9293 §3.3.2.
type State uint8

// TCP states.
const (
	Closed State = iota
	Listen
	SynSent
	SynReceived
	Established
	FinWait1
	FinWait2
	CloseWait
	Closing
	LastAck
	TimeWait
)

var stateNames = [...]string{"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
	"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}

func (s State) String() string { return stateNames[s] }

// legalTransitions lists every state change RFC 9293's diagram (Figure 5)
// allows, plus the move to CLOSED on a reset or abort from any state: a
// table indexed by [from][to] (every state change passes here, 240,000
// in a load test, so not a map).
var legalTransitions = func() (t [TimeWait + 1][TimeWait + 1]bool) {
	for _, p := range [...][2]State{
		{Closed, SynSent},          // active OPEN, send SYN
		{Closed, Listen},           // passive OPEN
		{Listen, SynReceived},      // rcv SYN, send SYN+ACK
		{Closed, SynReceived},      // a socket spawned from a listener by a SYN
		{SynSent, Established},     // rcv SYN+ACK, send ACK
		{SynReceived, Established}, // rcv ACK of SYN
		{Established, FinWait1},    // CLOSE, send FIN
		{Established, CloseWait},   // rcv FIN, send ACK
		{FinWait1, FinWait2},       // rcv ACK of FIN
		{FinWait1, Closing},        // rcv FIN, send ACK
		{FinWait1, TimeWait},       // rcv FIN+ACK of our FIN
		{FinWait2, TimeWait},       // rcv FIN, send ACK
		{Closing, TimeWait},        // rcv ACK of FIN
		{CloseWait, LastAck},       // CLOSE, send FIN
		{LastAck, Closed},          // rcv ACK of FIN
		{TimeWait, Closed},         // 2MSL timeout
		{SynReceived, FinWait1},    // CLOSE before the handshake ends
	} {
		t[p[0]][p[1]] = true
	}
	return t
}()

// LegalTransition reports whether from -> to is allowed by RFC 9293's state
// diagram, counting a reset or abort (any state -> CLOSED) as legal.
func LegalTransition(from, to State) bool {
	return to == Closed || from <= TimeWait && to <= TimeWait && legalTransitions[from][to]
}
