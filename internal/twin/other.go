//go:build !linux

package twin

import "errors"

// Result is a run on real sockets; off Linux there are none.
type Result struct {
	PCAP  []byte
	Notes []string
}

// Check reports that the twin needs Linux.
func Check(name string, params map[string]string) error { return errLinux }

var errLinux = errors.New("twin: the Linux twin needs Linux (network namespaces, TUN devices, tcpdump)")

// Run reports that the twin needs Linux.
func Run(name string, params map[string]string) (*Result, error) {
	return nil, errLinux
}
