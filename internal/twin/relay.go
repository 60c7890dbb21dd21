//go:build linux

package twin

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// The relay is the twin's wire: it reads each IP packet one host's kernel
// hands its TUN device and writes it, whole and in order, into the other
// host's TUN after the engine's link model (engine/host.go, transmit): a
// FIFO queue drained at the link's bandwidth (serialization of the whole IP
// packet, rounded up to the nanosecond), then the one-way delay. It never
// merges, splits or reorders packets, and drops only the packets the
// engine's drop= names (relay_drop.go).
//
// Each direction is one OS thread with real-time priority (SCHED_FIFO,
// sched(7)) that waits in ppoll(2) for the next packet or the next due
// time, so neither Go's scheduler nor the machine's other work delays a
// packet by more than the kernel's wake-up latency.

// linkModel is one direction of a link.
type linkModel struct {
	delay time.Duration
	bw    int64 // bit/s
}

// serialization is how long n bytes take at bw, rounded up as in engine/host.go.
func serialization(n int, bw int64) time.Duration {
	return time.Duration((int64(n)*8*int64(time.Second) + bw - 1) / bw)
}

// RelayStats says how closely the relay kept to the link model: for every
// TCP packet, how much later than its due time (queueing + serialization +
// delay after it was read) it was written to the far TUN.
type RelayStats struct {
	Packets   int
	MeanLate  time.Duration
	P99Late   time.Duration
	MaxLate   time.Duration
	WriteErrs int
	RealTime  bool // both threads got SCHED_FIFO
}

// direction carries packets from one TUN to another.
type direction struct {
	from, to int
	link     linkModel
	drop     *dropper // the sending host's chosen losses, or nil
	lates    []time.Duration
	errs     int
	rt       bool
}

type queued struct {
	pkt []byte
	due time.Time
	tcp bool // counted in the statistics (warmUp's datagrams are not)
}

// relay runs two directions until stop.
type relay struct {
	dirs []*direction
	wg   sync.WaitGroup
	quit atomic.Bool
}

// add starts carrying packets between the TUN descriptors a and b, each
// way over link, losing the packets of dropA (host a's) and dropB.
func (r *relay) add(a, b int, link linkModel, dropA, dropB *dropper) {
	for _, d := range []struct {
		from, to int
		drop     *dropper
	}{{a, b, dropA}, {b, a, dropB}} {
		dir := &direction{from: d.from, to: d.to, link: link, drop: d.drop}
		r.dirs = append(r.dirs, dir)
		r.wg.Add(1)
		go func() { defer r.wg.Done(); dir.loop(&r.quit) }()
	}
}

// loop reads packets as the kernel hands them over, gives each its due
// time (the transmitter is busy until the previous packet's last bit is
// out; a packet waits for it, takes its own serialization time, then the
// propagation delay) and writes each out when it is due. The goroutine
// ends locked to its thread, so the real-time thread is not reused.
func (d *direction) loop(quit *atomic.Bool) {
	runtime.LockOSThread()
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_FIFO, Priority: 10}
	d.rt = unix.SchedSetAttr(0, &attr, 0) == nil
	fds := []unix.PollFd{{Fd: int32(d.from), Events: unix.POLLIN}}
	buf := make([]byte, 65536)
	var q []queued
	var busy time.Time
	for !quit.Load() {
		wait := 20 * time.Millisecond
		if len(q) > 0 {
			wait = min(wait, max(time.Until(q[0].due), 0))
		}
		ts := unix.NsecToTimespec(int64(wait))
		if n, _ := unix.Ppoll(fds, &ts, nil); n > 0 {
			for {
				n, err := unix.Read(d.from, buf)
				if err != nil || n <= 0 {
					break
				}
				start := time.Now()
				if busy.After(start) {
					start = busy
				}
				busy = start.Add(serialization(n, d.link.bw))
				if d.drop.drops(buf[:n]) {
					continue
				}
				q = append(q, queued{pkt: append([]byte(nil), buf[:n]...), due: busy.Add(d.link.delay), tcp: n >= 20 && buf[9] == unix.IPPROTO_TCP})
			}
		}
		for len(q) > 0 && !time.Now().Before(q[0].due) {
			late := time.Since(q[0].due)
			if _, err := unix.Write(d.to, q[0].pkt); err != nil {
				d.errs++
			}
			if q[0].tcp {
				d.lates = append(d.lates, late)
			}
			q = q[1:]
		}
	}
}

// stop ends the relay and returns its statistics.
func (r *relay) stop() RelayStats {
	r.quit.Store(true)
	r.wg.Wait()
	var all []time.Duration
	st := RelayStats{RealTime: true}
	for _, d := range r.dirs {
		all = append(all, d.lates...)
		st.WriteErrs += d.errs
		st.RealTime = st.RealTime && d.rt
	}
	st.Packets = len(all)
	if len(all) == 0 {
		return st
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	var sum time.Duration
	for _, l := range all {
		sum += l
	}
	st.MeanLate = sum / time.Duration(len(all))
	st.P99Late = all[len(all)*99/100]
	st.MaxLate = all[len(all)-1]
	return st
}

// warmUp sends one UDP datagram from a to b over the relay and one back,
// and waits for both. The first packets of a run took the cold path
// (the relay's threads and queues, the TUN devices, the programs' first
// system calls): in CI the first connection of time-wait rate=10 came out
// 8-11 ms late in three runs out of three while every later one kept to
// the model. The datagrams cross before the capture starts, are neither
// counted by a dropper (TCP only) nor in the relay's statistics.
func warmUp(a, b *host) error {
	socket := func(h *host) (int, error) {
		var fd int
		err := h.do(func() error {
			var err error
			if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0); err != nil {
				return err
			}
			if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 2}); err != nil {
				return err
			}
			return unix.Bind(fd, &unix.SockaddrInet4{Addr: h.ip})
		})
		if err != nil {
			return -1, fmt.Errorf("%s: warm-up socket: %w", h.ns, err)
		}
		return fd, nil
	}
	fa, err := socket(a)
	if err != nil {
		return err
	}
	defer unix.Close(fa)
	fb, err := socket(b)
	if err != nil {
		return err
	}
	defer unix.Close(fb)
	buf := make([]byte, 16)
	for _, w := range []struct {
		from, to int
		src, dst *host
	}{{fa, fb, a, b}, {fb, fa, b, a}} {
		to, err := unix.Getsockname(w.to)
		if err != nil {
			return err
		}
		if err := unix.Sendto(w.from, []byte("connlab warm-up"), 0, to); err != nil {
			return fmt.Errorf("warm-up datagram %s -> %s: %w", w.src.ns, w.dst.ns, err)
		}
		// A socket with SO_RCVTIMEO is not restarted after a signal (the
		// Go runtime's preemption signals among them): EINTR, try again.
		for {
			_, _, err := unix.Recvfrom(w.to, buf, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("warm-up datagram %s -> %s did not cross the relay in 2 s: %w", w.src.ns, w.dst.ns, err)
			}
			break
		}
	}
	return nil
}
