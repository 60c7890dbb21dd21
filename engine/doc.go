// Package engine is Connection Lab's model: a small, deterministic,
// discrete-event simulation of TCP and HTTP/1.x, honest enough that a
// packet analyzer accepts its traces and faithful enough to the RFCs and to
// Linux and browser defaults that a student can trust what it shows.
//
// # Time and events
//
// Virtual time is a Time value (nanoseconds); nothing reads a clock. The Sim
// keeps a queue of pending events ordered by (time, sequence number): a
// packet arriving, a socket timer expiring, an application waking up. Events
// are data, not closures, and run() processes them in order until none is
// left. There are no goroutines, no I/O and no unseeded randomness, so a run is a pure
// function of its scenario and Config and gives the same trace natively, in
// tests and in the browser (the wasm stage runs this package).
//
// # Hosts, links and TCP
//
// A Host has one IPv4 address, TCP sockets and an ephemeral port pool
// (Linux's 32768–60999 by default). Links join two hosts: each direction is
// a FIFO whose transmitter clocks bytes out at the link's bandwidth
// (serialization delay = bytes*8/bandwidth) and then delays them by the
// one-way propagation delay. Each direction's queue is bounded (queue=,
// drop-tail), and segments can be lost by choice (drop=server:5) or at a
// seeded random rate (loss=1%, seed=N); every loss is a "drop" event
// (loss.go).
//
// A Socket is one end of a connection, a state machine in RFC 9293's
// vocabulary (SndUna, SndNxt, RcvNxt; states SYN-SENT ... TIME-WAIT) fed
// segments and timer expiries. It implements the three-way handshake with
// the MSS option (data may ride on the final ACK), segmentation to the MSS,
// sending limited by min(cwnd, peer's window), slow start from an initial
// window (congestion.go), delayed ACKs with piggybacking and Linux's
// quick-ACK start (tcp_output.go), Nagle's algorithm and TCP_NODELAY, full
// and half close, TIME-WAIT for 2*MSL on the side that closed first, and
// resets: close() with unread data, or data arriving for a socket that will
// never read it, sends RST, and the receiver of a RST loses what it had not
// yet read. Every state change goes through setState, which refuses
// transitions RFC 9293's diagram does not allow.
//
// # HTTP
//
// On top, applications speak HTTP/1.x (http_message.go): a browser loads a
// page and its images within a per-host connection limit, serially, in
// parallel, over HTTP/1.0 keep-alive or HTTP/1.1 persistent connections, or
// pipelined; it retries idempotent requests when a connection dies, and
// never retries or pipelines a POST. A server answers with Content-Length,
// chunked or close-delimited bodies, keeps connections alive within a
// timeout and a request limit, and closes either fully or gracefully. Two
// proxies show the chapter's story: a dumb one that forwards Connection and
// waits for the server to close, and an HTTP/1.1 one that removes
// hop-by-hop fields (ForwardHeader) and keeps its own connections per side.
//
// # Profiles and parameters
//
// DefaultConfig gives two profiles: Book, the picture in HTTP: The
// Definitive Guide (initial window 1, 200 ms delayed ACK, 120 s TIME-WAIT,
// 4 connections per host, Nagle on), and Today, a current Linux talking to
// Chrome (initial window 10 per RFC 6928, 40 ms delayed ACK with quick-ACK,
// 60 s TIME-WAIT, 6 connections per host, TCP_NODELAY). Each default names
// its source. Config.Set takes key=value text and refuses values outside
// the allowed range with an error naming both.
//
// # Scenarios and traces
//
// A Scenario (scenarios.go) builds hosts and applications for one lesson's
// situation; Run returns its Trace: every segment sent and delivered, state
// change, timer, cwnd change, socket call, HTTP message and application
// event, each printed as one canonical line (Event.String), plus the packets
// with their wire timing, the objects a browser loaded (for waterfalls) and
// the port pool over time. Trace.At gives the full state at any step (socket
// states, buffers, timers, packets in flight, metrics) by binary search over
// recorded changes, so the stage can scrub backward and forward instantly.
// Trace.PCAP exports the run as a libpcap file.
package engine
