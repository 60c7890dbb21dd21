//go:build linux

package twin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"connlab/engine"

	"golang.org/x/sys/unix"
)

// Result is one run of a scenario on real Linux sockets.
type Result struct {
	Trace    *engine.Trace  // the engine's run the programs replayed
	PCAP     []byte         // tcpdump's capture on the client's interface
	Packets  []Packet       // the capture, parsed
	Calls    []Call         // what each of the programs' socket calls did, in script order
	TimeWait int            // client sockets in TIME-WAIT when the run ended (ss state time-wait)
	States   map[int]string // engine socket -> its kernel socket's state when the run ended (ss), CLOSED if gone
	Relay    RelayStats
	Notes    []string // engine parameters the kernel cannot follow
}

// Call is what one socket call of the script did on the real kernel.
type Call struct {
	Kind  string // connect, accept, write, read, shutdown, close
	Sock  int    // the engine's socket (pseudo-sockets for connects that failed in the engine)
	Host  string // client or server
	Start time.Duration
	Done  time.Duration // since the run's start
	N     int           // bytes written or read
	Err   string        // the errno's name (ECONNRESET, EADDRNOTAVAIL, EPIPE...), "EOF" for an early end of file, or ""
	Want  string        // the engine's error for this call, if any
}

// Check reports whether scenario name with params can run on the twin:
// the engine accepts them and the scenario has a client and a server only.
// It needs no privileges.
func Check(name string, params map[string]string) error {
	t, err := engine.Run(name, params)
	if err != nil {
		return err
	}
	_, err = newScript(t)
	return err
}

// Run runs scenario name with params on the engine, then replays its
// socket calls on two network namespaces joined by the relay, and captures
// the client's interface with tcpdump.
func Run(name string, params map[string]string) (*Result, error) {
	if err := Preflight(); err != nil {
		return nil, err
	}
	t, err := engine.Run(name, params)
	if err != nil {
		return nil, err
	}
	sc, err := newScript(t)
	if err != nil {
		return nil, err
	}
	removeStale()
	defer gcPaused()()
	cfg := t.Config
	res := &Result{Trace: t, Notes: kernelNotes(cfg, params)}

	mtu := cfg.MSS + 40 // MSS = MTU - 20 (IPv4) - 20 (TCP), as the engine's
	cl, err := newHost("c", clientIP, mtu, cfg.InitialWindow)
	if err != nil {
		return nil, err
	}
	defer cl.close()
	sv, err := newHost("s", serverIP, mtu, cfg.InitialWindow)
	if err != nil {
		return nil, err
	}
	defer sv.close()
	if err := cl.sysctl("net.ipv4.ip_local_port_range", fmt.Sprintf("%d %d", cfg.PortLo, cfg.PortHi)); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "connlab-twin-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	capFile := filepath.Join(dir, "client.pcap")
	dump, err := startCapture(cl, capFile)
	if err != nil {
		return nil, err
	}
	defer dump.kill()

	rl := startRelay(cl.tun, sv.tun, linkModel{delay: time.Duration(cfg.RTT / 2), bw: cfg.Bandwidth})
	p := &programs{sc: sc, t: t, cl: cl, sv: sv, nodelay: cfg.NoDelay}
	if err := p.run(); err != nil {
		rl.stop()
		return nil, err
	}
	// Let the last segments (final ACKs, delayed ACKs) cross before the
	// capture stops, then look at the client's TIME-WAIT sockets before
	// anything is closed.
	time.Sleep(time.Duration(cfg.RTT) + 300*time.Millisecond)
	if err := dump.stop(); err != nil {
		rl.stop()
		return nil, err
	}
	if res.TimeWait, err = countTimeWait(cl); err != nil {
		rl.stop()
		return nil, err
	}
	if res.States, err = p.states(); err != nil {
		rl.stop()
		return nil, err
	}
	p.closeAll()
	res.Relay = rl.stop()
	res.Calls = p.calls
	if p.notRT || !res.Relay.RealTime {
		res.Notes = append(res.Notes, "no real-time priority (SCHED_FIFO) on this machine: the relay's and the programs' timing is less exact")
	}
	if res.PCAP, err = os.ReadFile(capFile); err != nil {
		return nil, err
	}
	if res.Packets, err = parsePCAP(res.PCAP); err != nil {
		return nil, err
	}
	return res, nil
}

var (
	gcMu      sync.Mutex
	gcRuns    int // runs under way
	gcPercent int // the setting before the first of them
)

// gcPaused stops the garbage collector until the returned function is
// called (by the last of several runs at once). A collection stops every
// goroutine for a moment, the relay's too, and on a loaded machine that
// moment can last milliseconds; a run allocates only a few megabytes.
func gcPaused() func() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcRuns == 0 {
		gcPercent = debug.SetGCPercent(-1)
	}
	gcRuns++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcRuns--; gcRuns == 0 {
			debug.SetGCPercent(gcPercent)
		}
	}
}

// kernelNotes lists the run's parameters a Linux kernel cannot take.
func kernelNotes(cfg engine.Config, params map[string]string) []string {
	var notes []string
	if cfg.DelayedACK != 40*engine.Millisecond {
		notes = append(notes, fmt.Sprintf("delack=%v: Linux's delayed-ACK timer starts at TCP_DELACK_MIN (40 ms) and adapts; it cannot be set", cfg.DelayedACK))
	}
	if cfg.QuickAcks != 16 {
		notes = append(notes, fmt.Sprintf("quickack=%d: Linux quick-ACKs up to TCP_MAX_QUICKACKS (16) segments after start or idle; it cannot be set", cfg.QuickAcks))
	}
	if cfg.TimeWait != 60*engine.Second {
		notes = append(notes, fmt.Sprintf("timewait=%v: Linux's TIME-WAIT lasts TCP_TIMEWAIT_LEN (60 s); it cannot be set", cfg.TimeWait))
	}
	if _, ok := params["rwnd"]; ok {
		notes = append(notes, "rwnd: Linux's receive window follows net.ipv4.tcp_rmem with autotuning and window scaling; it is not set")
	}
	return notes
}

// capture is a tcpdump on a host's tun0.
type capture struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

// startCapture starts tcpdump on h's tun0 writing file, and returns once it
// listens. Nanosecond timestamps, the kernel's own (taken as the packet
// passes the device), written out packet by packet.
func startCapture(h *host, file string) (*capture, error) {
	cmd := exec.Command("ip", "netns", "exec", h.ns, "tcpdump", "-i", "tun0", "-n", "-s", "160", "-U", "--immediate-mode",
		"--time-stamp-precision=nano", "-Z", "root", "-w", file, "tcp")
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("tcpdump: %w", err)
	}
	pw.Close()
	c := &capture{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	ready := make(chan bool, 1)
	var mu sync.Mutex
	go func() {
		sc := bufio.NewScanner(pr)
		signalled := false
		for sc.Scan() {
			mu.Lock()
			c.stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if !signalled && strings.Contains(sc.Text(), "listening on") {
				signalled = true
				ready <- true
			}
		}
		if !signalled {
			ready <- false
		}
		c.done <- cmd.Wait()
	}()
	select {
	case ok := <-ready:
		if ok {
			return c, nil
		}
	case <-time.After(10 * time.Second):
	}
	c.kill()
	mu.Lock()
	defer mu.Unlock()
	return nil, fmt.Errorf("tcpdump on %s did not start: %s", h.ns, strings.TrimSpace(c.stderr.String()))
}

// stop ends the capture (SIGINT: tcpdump writes out what it holds).
func (c *capture) stop() error {
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("tcpdump: %w", err)
	}
	select {
	case <-c.done:
		return nil
	case <-time.After(5 * time.Second):
		c.kill()
		return errors.New("tcpdump did not stop within 5 s of SIGINT")
	}
}

func (c *capture) kill() {
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Kill()
	}
}

// countTimeWait counts the sockets in TIME-WAIT in h's namespace.
func countTimeWait(h *host) (int, error) {
	out, err := exec.Command("ip", "netns", "exec", h.ns, "ss", "-H", "-tan", "state", "time-wait").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("ss -tan state time-wait in %s: %v: %s", h.ns, err, out)
	}
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n, nil
}

// socketStates lists h's TCP sockets as ss -tan shows them: state, local
// port and remote port (listeners included).
func socketStates(h *host) ([][3]string, error) {
	out, err := exec.Command("ip", "netns", "exec", h.ns, "ss", "-H", "-tan").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("ss -tan in %s: %v: %s", h.ns, err, out)
	}
	var rows [][3]string
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		port := func(a string) string { return a[strings.LastIndexByte(a, ':')+1:] }
		rows = append(rows, [3]string{f[0], port(f[3]), port(f[4])})
	}
	return rows, nil
}

// ssStates maps ss's short state names to RFC 9293's, as the engine prints them.
var ssStates = map[string]string{
	"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN-SENT", "SYN-RECV": "SYN-RECEIVED", "FIN-WAIT-1": "FIN-WAIT-1",
	"FIN-WAIT-2": "FIN-WAIT-2", "TIME-WAIT": "TIME-WAIT", "CLOSE-WAIT": "CLOSE-WAIT", "LAST-ACK": "LAST-ACK",
	"CLOSING": "CLOSING", "UNCONN": "CLOSED", "LISTEN": "LISTEN",
}

// states gives every engine socket its kernel socket's state now: the
// client's by its own port, the server's by its client's port.
func (p *programs) states() (map[int]string, error) {
	out := map[int]string{}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.portSock {
		out[k] = "CLOSED"
		if j, ok := p.sc.peer[k]; ok {
			out[j] = "CLOSED"
		}
	}
	for _, side := range []struct {
		h     *host
		local bool // the client's port is the local one
	}{{p.cl, true}, {p.sv, false}} {
		rows, err := socketStates(side.h)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			port := r[2]
			if side.local {
				port = r[1]
			}
			var n uint16
			if _, err := fmt.Sscan(port, &n); err != nil {
				continue
			}
			k, ok := p.portSock[n]
			if !ok {
				continue
			}
			if !side.local {
				if k, ok = p.sc.peer[k]; !ok {
					continue
				}
			}
			st, ok := ssStates[r[0]]
			if !ok {
				st = r[0]
			}
			out[k] = st
		}
	}
	return out, nil
}

// programs runs the script: one goroutine per socket, each making that
// socket's calls in order on real, blocking sockets.
type programs struct {
	sc      *script
	t       *engine.Trace
	cl, sv  *host
	nodelay bool

	start    time.Time
	deadline time.Time
	doneAt   []time.Time     // when each action returned
	doneCh   []chan struct{} // closed when it did
	calls    []Call

	mu        sync.Mutex
	cond      *sync.Cond
	portSock  map[uint16]int   // the client's real ephemeral port -> engine socket
	fds       map[int]int      // engine socket -> file descriptor
	accepted  map[int]chan int // engine server socket -> its accepted descriptor
	listeners []int            // listening descriptors
	closed    map[int]bool     // engine sockets whose descriptor the script closed
	notRT     bool             // a program's thread could not get real-time priority
	stopped   bool
}

func (p *programs) run() error {
	n := len(p.sc.actions)
	p.doneAt = make([]time.Time, n)
	p.doneCh = make([]chan struct{}, n)
	for i := range p.doneCh {
		p.doneCh[i] = make(chan struct{})
	}
	p.calls = make([]Call, n)
	p.cond = sync.NewCond(&p.mu)
	p.portSock, p.fds, p.accepted, p.closed = map[uint16]int{}, map[int]int{}, map[int]chan int{}, map[int]bool{}
	for _, a := range p.sc.actions {
		if a.kind == actAccept {
			p.accepted[a.sock] = make(chan int, 1)
		}
	}
	for _, port := range p.sc.listen {
		fd, err := p.listen(port)
		if err != nil {
			return err
		}
		p.listeners = append(p.listeners, fd)
	}
	p.start = time.Now()
	p.deadline = p.start.Add(time.Duration(p.sc.end) + 3*time.Second)
	var acc sync.WaitGroup
	for _, l := range p.listeners {
		acc.Add(1)
		go func() {
			defer acc.Done()
			if err := p.realTime(p.sv, progPriority); err != nil {
				return
			}
			p.acceptLoop(l)
		}()
	}
	var wg sync.WaitGroup
	for _, list := range p.sc.bySocket() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := p.cl
			if p.sc.actions[list[0]].host == p.sc.server {
				h = p.sv
			}
			err := p.realTime(h, progPriority)
			for _, i := range list {
				if err != nil {
					p.fail(i, err)
					continue
				}
				p.do(i)
			}
		}()
	}
	wg.Wait()
	p.mu.Lock()
	p.stopped = true
	p.cond.Broadcast()
	p.mu.Unlock()
	for _, l := range p.listeners {
		unix.Shutdown(l, unix.SHUT_RDWR) // wakes the blocked accept
	}
	acc.Wait()
	return nil
}

// timeout is a socket option value running to the run's deadline.
func (p *programs) timeout() *unix.Timeval {
	tv := unix.NsecToTimeval(max(int64(time.Until(p.deadline)), int64(time.Millisecond)))
	return &tv
}

func (p *programs) listen(port uint16) (int, error) {
	var fd int
	err := p.sv.do(func() error {
		var err error
		if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return err
		}
		// Accepted sockets inherit a congestion control set on the listener.
		if err := unix.SetsockoptString(fd, unix.IPPROTO_TCP, unix.TCP_CONGESTION, congestion); err != nil {
			return fmt.Errorf("setsockopt TCP_CONGESTION %s: %w", congestion, err)
		}
		if err := unix.Bind(fd, &unix.SockaddrInet4{Port: int(port), Addr: serverIP}); err != nil {
			return err
		}
		return unix.Listen(fd, 128)
	})
	if err != nil {
		return -1, fmt.Errorf("server listen(%d): %w", port, err)
	}
	return fd, nil
}

// acceptLoop hands each accepted connection to the engine socket it is:
// the server end of the client socket whose port it comes from.
func (p *programs) acceptLoop(l int) {
	for {
		fd, sa, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return
		}
		port := uint16(sa.(*unix.SockaddrInet4).Port)
		p.mu.Lock()
		k, ok := p.portSock[port]
		for !ok && !p.stopped && time.Now().Before(p.deadline) {
			p.cond.Wait()
			k, ok = p.portSock[port]
		}
		p.mu.Unlock()
		ch, known := p.accepted[p.sc.peer[k]]
		if !ok || !known {
			unix.Close(fd) // a connection the engine's client never made (its connect failed there)
			continue
		}
		ch <- fd
	}
}

// progPriority is the programs' real-time priority, below the relay's: a
// program waking up must not delay a packet.
const progPriority = 5

// realTime locks the calling goroutine to its OS thread, moves the thread
// into h's namespace (sockets it makes are h's) and gives it real-time
// priority if the machine allows, so the programs' think times and
// reactions are as punctual as the relay (p.rt says whether all got it).
// The goroutine must end locked: the thread then ends with it.
func (p *programs) realTime(h *host, prio int) error {
	runtime.LockOSThread()
	if err := unix.Setns(h.nsfd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns %s: %w", h.ns, err)
	}
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_FIFO, Priority: uint32(prio)}
	if unix.SchedSetAttr(0, &attr, 0) != nil {
		p.mu.Lock()
		p.notRT = true
		p.mu.Unlock()
	}
	return nil
}

// fail records that action i could not be made.
func (p *programs) fail(i int, err error) {
	c := &p.calls[i]
	a := p.sc.actions[i]
	c.Kind, c.Sock, c.Want, c.Err = a.kind.String(), a.sock, a.wantErr, err.Error()
	p.doneAt[i] = time.Now()
	close(p.doneCh[i])
}

// do performs action i when its cause allows.
func (p *programs) do(i int) {
	a := p.sc.actions[i]
	c := &p.calls[i]
	c.Kind, c.Sock, c.Want = a.kind.String(), a.sock, a.wantErr
	c.Host = "client"
	if a.host == p.sc.server {
		c.Host = "server"
	}
	defer func() {
		p.doneAt[i] = time.Now()
		c.Done = p.doneAt[i].Sub(p.start)
		close(p.doneCh[i])
	}()
	if a.kind != actRead && a.kind != actAccept {
		base := p.start
		if a.cause >= 0 {
			<-p.doneCh[a.cause]
			base = p.doneAt[a.cause]
		}
		sleepUntil(base.Add(time.Duration(a.delay)))
	}
	c.Start = time.Since(p.start)
	p.mu.Lock()
	fd, have := p.fds[a.sock]
	p.mu.Unlock()
	if !have && a.kind != actConnect && a.kind != actAccept {
		c.Err = "no socket"
		return
	}
	var err error
	switch a.kind {
	case actConnect:
		_, err = p.connect(a)
	case actAccept:
		select {
		case fd = <-p.accepted[a.sock]:
			err = p.setup(fd)
			p.mu.Lock()
			p.fds[a.sock] = fd
			p.mu.Unlock()
		case <-time.After(time.Until(p.deadline)):
			err = unix.ETIMEDOUT
		}
	case actWrite:
		for off := 0; off < len(a.data) && err == nil; {
			var n int
			n, err = unix.SendmsgN(fd, a.data[off:], nil, nil, unix.MSG_NOSIGNAL)
			off += n
			c.N = off
		}
	case actRead:
		c.N, err = p.read(fd, a)
	case actShutdown:
		err = unix.Shutdown(fd, unix.SHUT_WR)
	case actClose:
		p.mu.Lock()
		p.closed[a.sock] = true
		p.mu.Unlock()
		err = unix.Close(fd)
	}
	if err != nil {
		c.Err = errName(err)
	}
}

// connect opens a client socket in the client's namespace and connects it.
func (p *programs) connect(a *action) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0) // in the client's namespace (realTime)
	if err != nil {
		return -1, err
	}
	if err := p.setup(fd); err != nil {
		unix.Close(fd)
		return -1, err
	}
	port := 80
	if len(p.sc.listen) > 0 {
		port = int(p.sc.listen[0])
	}
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: serverIP}); err != nil {
		unix.Close(fd)
		return -1, err
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	p.mu.Lock()
	p.fds[a.sock] = fd
	p.portSock[uint16(sa.(*unix.SockaddrInet4).Port)] = a.sock
	p.cond.Broadcast()
	p.mu.Unlock()
	return fd, nil
}

// congestion is the congestion control every socket of the twin uses. A
// new namespace takes the machine's default, and some machines (this
// project's CI among them) run BBR, which paces every flight; the engine
// models Linux's default, CUBIC (net/ipv4/Kconfig: DEFAULT_TCP_CONG is
// "cubic" unless configured otherwise). A namespace other than the first
// may not change its default to it (EPERM), a socket of root's may.
const congestion = "cubic"

// setup gives a socket the twin's congestion control, the run's Nagle
// setting and timeouts at the deadline.
func (p *programs) setup(fd int) error {
	if err := unix.SetsockoptString(fd, unix.IPPROTO_TCP, unix.TCP_CONGESTION, congestion); err != nil {
		return fmt.Errorf("setsockopt TCP_CONGESTION %s: %w (is the tcp_%s module there?)", congestion, err, congestion)
	}
	if p.nodelay {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			return err
		}
	}
	for _, opt := range []int{unix.SO_RCVTIMEO, unix.SO_SNDTIMEO} {
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, opt, p.timeout()); err != nil {
			return err
		}
	}
	return nil
}

// read waits for data, then as long as the engine's application was busy,
// then reads exactly a.n bytes, and then end of file if a.eof.
func (p *programs) read(fd int, a *action) (int, error) {
	if a.busy > 0 {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			ms := int(time.Until(p.deadline) / time.Millisecond)
			if ms <= 0 {
				return 0, unix.ETIMEDOUT
			}
			if _, err := unix.Poll(fds, ms); err != unix.EINTR {
				break
			}
		}
		sleepUntil(time.Now().Add(time.Duration(a.busy)))
	}
	buf := make([]byte, max(a.n, 4096))
	got := 0
	for got < a.n {
		n, err := unix.Read(fd, buf[:a.n-got])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return got, err
		}
		if n == 0 {
			return got, errEOF
		}
		got += n
	}
	if !a.eof {
		return got, nil
	}
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return got, err
		}
		if n == 0 {
			return got, nil
		}
		got += n // bytes the engine's application never got
	}
}

var errEOF = errors.New("EOF")

// errName names an error by its errno, as the engine's lines do.
func errName(err error) string {
	var en unix.Errno
	if errors.As(err, &en) {
		if name := unix.ErrnoName(en); name != "" {
			return name
		}
	}
	return err.Error()
}

// closeAll closes every descriptor the script left open.
func (p *programs) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, fd := range p.fds {
		if !p.closed[k] {
			unix.Close(fd)
			p.closed[k] = true
		}
	}
	for _, l := range p.listeners {
		unix.Close(l)
	}
}

// sleepUntil sleeps until t (at once if t has passed) in nanosleep(2), on
// the calling thread: on a real-time thread it wakes on time, where Go's
// timers would wait for a scheduler thread of ordinary priority.
func sleepUntil(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := unix.NsecToTimespec(int64(d))
		if unix.Nanosleep(&ts, nil) == nil {
			return
		}
	}
}
