// Package twin is the engine's judge on real Linux: it runs a scenario's
// socket calls on kernel sockets in two network namespaces joined by a
// userspace relay over TUN devices that applies the scenario's delay and
// bandwidth as the engine's link does, captures the client's interface with
// tcpdump, and compares that capture with the engine's trace (Compare).
//
// It needs Linux, root (CAP_NET_ADMIN), /dev/net/tun, ip and ss (iproute2)
// and tcpdump; Preflight says what is missing and how to get it.
package twin
