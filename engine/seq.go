package engine

// Seq is a TCP sequence number. Comparisons wrap around as RFC 9293 §3.4
// requires (the same trick as gVisor's seqnum package).
type Seq uint32

// LessThan reports whether s comes before v in sequence space.
func (s Seq) LessThan(v Seq) bool { return int32(s-v) < 0 }

// LessThanEq reports whether s comes before or is v.
func (s Seq) LessThanEq(v Seq) bool { return s == v || s.LessThan(v) }

// Add returns s advanced by n bytes.
func (s Seq) Add(n int) Seq { return s + Seq(uint32(n)) }

// Size returns the number of bytes from s up to v.
func (s Seq) Size(v Seq) int { return int(int32(v - s)) }
