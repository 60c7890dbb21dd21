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
// allows, plus the move to CLOSED on a reset or abort from any state.
var legalTransitions = map[[2]State]bool{
	{Closed, SynSent}:          true, // active OPEN, send SYN
	{Closed, Listen}:           true, // passive OPEN
	{Listen, SynReceived}:      true, // rcv SYN, send SYN+ACK
	{Closed, SynReceived}:      true, // a socket spawned from a listener by a SYN
	{SynSent, Established}:     true, // rcv SYN+ACK, send ACK
	{SynReceived, Established}: true, // rcv ACK of SYN
	{Established, FinWait1}:    true, // CLOSE, send FIN
	{Established, CloseWait}:   true, // rcv FIN, send ACK
	{FinWait1, FinWait2}:       true, // rcv ACK of FIN
	{FinWait1, Closing}:        true, // rcv FIN, send ACK
	{FinWait1, TimeWait}:       true, // rcv FIN+ACK of our FIN
	{FinWait2, TimeWait}:       true, // rcv FIN, send ACK
	{Closing, TimeWait}:        true, // rcv ACK of FIN
	{CloseWait, LastAck}:       true, // CLOSE, send FIN
	{LastAck, Closed}:          true, // rcv ACK of FIN
	{TimeWait, Closed}:         true, // 2MSL timeout
	{SynReceived, FinWait1}:    true, // CLOSE before the handshake ends
}

// LegalTransition reports whether from -> to is allowed by RFC 9293's state
// diagram, counting a reset or abort (any state -> CLOSED) as legal.
func LegalTransition(from, to State) bool {
	return to == Closed || legalTransitions[[2]State{from, to}]
}
