//go:build linux

package twin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/netip"
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
	Trace *engine.Trace // the engine's run the programs replayed
	PCAP  []byte        // tcpdump's capture on the client's interface
	// Capture is the capture the run's capture= asked for: PCAP for the
	// client's interface (the default), the server's interface for
	// capture=server.
	Capture  []byte
	Packets  []Packet       // the capture, parsed
	Calls    []Call         // what each of the programs' socket calls did, in script order
	TimeWait int            // client sockets in TIME-WAIT when the run ended (ss state time-wait)
	States   map[int]string // engine socket -> its kernel socket's state when the run ended (ss), CLOSED if gone
	Relay    RelayStats
	// ProgramsLate is how late the programs were at worst: a connect,
	// write, shutdown or close that the script makes a fixed time after the
	// call before it returned, begun that much later, or a connect that
	// returned that long after its SYN+ACK reached the client (the Go
	// scheduler or the machine held the program up, not the kernel).
	ProgramsLate time.Duration
	Notes        []string // engine parameters the kernel cannot follow
}

// Call is what one socket call of the script did on the real kernel.
type Call struct {
	Kind  string // connect, accept, write, read, shutdown, close
	Sock  int    // the engine's socket (pseudo-sockets for connects that failed in the engine)
	Host  string // client or server
	Start time.Duration
	Done  time.Duration // since the run's start
	N     int           // bytes written or read
	Port  uint16        // connect: the ephemeral port the kernel gave it
	Err   string        // the errno's name (ECONNRESET, EADDRNOTAVAIL, EPIPE...), "EOF" for an early end of file, or ""
	Want  string        // the engine's error for this call, if any
}

// Check reports whether scenario name with params can run on the twin:
// the engine accepts them and the scenario has one client, on one link.
// It needs no privileges.
func Check(name string, params map[string]string) error {
	t, err := engine.Run(name, params)
	if err != nil {
		return err
	}
	if _, err = newScript(t); err != nil {
		return err
	}
	return checkCapture(t)
}

// checkCapture refuses a capture= that no one real interface sees.
func checkCapture(t *engine.Trace) error {
	if _, ok := captureHost(t); !ok {
		return fmt.Errorf("scenario %s: the twin captures one real interface: capture=client or capture=server (its one server), not capture=%s", t.Scenario, t.Config.Capture)
	}
	return nil
}

// Run runs scenario name with params on the engine, then replays its
// socket calls on a network namespace per host joined by the relay, and
// captures the client's interface with tcpdump.
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
	if err := checkCapture(t); err != nil {
		return nil, err
	}
	removeStale()
	defer gcPaused()()
	cfg := t.Config
	res := &Result{Trace: t, Notes: kernelNotes(cfg, params)}

	// One namespace per host, with the engine's addresses; a pair of TUN
	// devices per link, joined by the relay with the link's delay and
	// bandwidth and warmed up; tcpdump on the client's device.
	hosts := make([]*host, len(t.Hosts))
	for i, hi := range t.Hosts {
		h, err := newHost(hi.Name, hi.IP)
		if err != nil {
			return nil, err
		}
		defer h.close()
		hosts[i] = h
		if err := h.sysctl("net.ipv4.ip_local_port_range", fmt.Sprintf("%d %d", cfg.PortLo, cfg.PortHi)); err != nil {
			return nil, err
		}
	}
	rl := &relay{}
	defer rl.stop()
	mtu := cfg.MSS + 40 // MSS = MTU - 20 (IPv4) - 20 (TCP), as the engine's
	capDev := ""
	devOf := map[int]string{} // a host's device on its last link
	var tuns [][2]int
	var models []linkModel
	for _, li := range linksOf(t, -1) {
		l := t.Links[li]
		a, b := hosts[l.From], hosts[l.To]
		devA, tunA, err := a.addLink(b.ip, mtu, cfg.InitialWindow)
		if err != nil {
			return nil, err
		}
		devB, tunB, err := b.addLink(a.ip, mtu, cfg.InitialWindow)
		if err != nil {
			return nil, err
		}
		devOf[l.From], devOf[l.To] = devA, devB
		switch sc.client {
		case l.From:
			capDev = devA
		case l.To:
			capDev = devB
		}
		tuns = append(tuns, [2]int{tunA, tunB})
		models = append(models, linkModel{delay: time.Duration(l.Delay), bw: l.Bandwidth})
	}
	drops := make([]*dropper, len(t.Hosts))
	for i := range t.Hosts {
		drops[i] = newDropper(linkDrops(t, i))
	}
	for i, tn := range tuns {
		l := t.Links[linksOf(t, -1)[i]]
		rl.add(tn[0], tn[1], models[i], drops[l.From], drops[l.To])
		if err := warmUp(hosts[l.From], hosts[l.To]); err != nil {
			return nil, err
		}
	}
	cl := hosts[sc.client]
	dir, err := os.MkdirTemp("", "connlab-twin-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	capFile := filepath.Join(dir, "client.pcap")
	dump, err := startCapture(cl, capDev, capFile)
	if err != nil {
		return nil, err
	}
	defer dump.kill()
	var other *capture
	otherFile := filepath.Join(dir, "asked.pcap")
	if h, ok := captureHost(t); ok && h != sc.client {
		if other, err = startCapture(hosts[h], devOf[h], otherFile); err != nil {
			return nil, err
		}
		defer other.kill()
	}
	p := &programs{sc: sc, t: t, hosts: hosts, nodelay: cfg.NoDelay}
	if err := p.run(); err != nil {
		return nil, err
	}
	// Let the last segments (final ACKs, delayed ACKs, a FIN sent again
	// after the programs returned) cross before the capture stops: until
	// the engine's last packet plus as long again, then look at the
	// client's TIME-WAIT sockets before anything is closed.
	settle := time.Duration(cfg.RTT) + 300*time.Millisecond
	time.Sleep(max(settle, time.Until(p.start.Add(time.Duration(sc.end)+settle))))
	if err := dump.stop(); err != nil {
		return nil, err
	}
	if other != nil {
		if err := other.stop(); err != nil {
			return nil, err
		}
	}
	if res.TimeWait, err = countTimeWait(cl); err != nil {
		return nil, err
	}
	if res.States, err = p.states(); err != nil {
		return nil, err
	}
	p.closeAll()
	res.Relay = rl.stop()
	res.Calls = p.calls
	res.ProgramsLate = programsLate(sc, p.calls)
	if p.notRT || !res.Relay.RealTime {
		res.Notes = append(res.Notes, "no real-time priority (SCHED_FIFO) on this machine: the relay's and the programs' timing is less exact")
	}
	if res.PCAP, err = os.ReadFile(capFile); err != nil {
		return nil, err
	}
	res.Capture = res.PCAP
	if other != nil {
		if res.Capture, err = os.ReadFile(otherFile); err != nil {
			return nil, err
		}
	}
	if res.Packets, err = parsePCAP(res.PCAP); err != nil {
		return nil, err
	}
	res.ProgramsLate = max(res.ProgramsLate, wakeLate(res.Calls, res.Packets, p.start))
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

// capture is a tcpdump on one of a host's devices.
type capture struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

// startCapture starts tcpdump on h's device dev writing file, and returns
// once it listens. Nanosecond timestamps, the kernel's own (taken as the packet
// passes the device), written out packet by packet.
func startCapture(h *host, dev, file string) (*capture, error) {
	cmd := exec.Command("ip", "netns", "exec", h.ns, "tcpdump", "-i", dev, "-n", "-s", "0", "-U", "--immediate-mode",
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
// address and remote address (listeners included).
func socketStates(h *host) ([][3]string, error) {
	out, err := exec.Command("ip", "netns", "exec", h.ns, "ss", "-H", "-tan").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("ss -tan in %s: %v: %s", h.ns, err, out)
	}
	var rows [][3]string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) >= 5 {
			rows = append(rows, [3]string{f[0], f[3], f[4]})
		}
	}
	return rows, nil
}

// parseAddr reads ss's "10.0.0.1:80".
func parseAddr(s string) (addr, bool) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || !ap.Addr().Is4() {
		return addr{}, false
	}
	return addr{ap.Addr().As4(), ap.Port()}, true
}

// ssStates maps ss's short state names to RFC 9293's, as the engine prints them.
var ssStates = map[string]string{
	"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN-SENT", "SYN-RECV": "SYN-RECEIVED", "FIN-WAIT-1": "FIN-WAIT-1",
	"FIN-WAIT-2": "FIN-WAIT-2", "TIME-WAIT": "TIME-WAIT", "CLOSE-WAIT": "CLOSE-WAIT", "LAST-ACK": "LAST-ACK",
	"CLOSING": "CLOSING", "UNCONN": "CLOSED", "LISTEN": "LISTEN",
}

// states gives every engine socket that had a kernel socket its state
// now (CLOSED if it is gone): an active socket by its own address, a
// passive one by its peer's.
func (p *programs) states() (map[int]string, error) {
	out := map[int]string{}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.addrSock {
		out[k] = "CLOSED"
		if j, ok := p.sc.peer[k]; ok {
			out[j] = "CLOSED"
		}
	}
	for _, h := range p.hosts {
		rows, err := socketStates(h)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			local, ok1 := parseAddr(r[1])
			remote, ok2 := parseAddr(r[2])
			if !ok1 || !ok2 {
				continue
			}
			k, ok := p.addrSock[local]
			if !ok {
				if k, ok = p.addrSock[remote]; ok {
					k, ok = p.sc.peer[k]
				}
			}
			if !ok {
				continue
			}
			st, known := ssStates[r[0]]
			if !known {
				st = r[0]
			}
			out[k] = st
		}
	}
	return out, nil
}

// addr is a real socket address.
type addr struct {
	ip   [4]byte
	port uint16
}

// programs runs the script: one goroutine per socket, each making that
// socket's calls in order on real, blocking sockets in its host's namespace.
type programs struct {
	sc      *script
	t       *engine.Trace
	hosts   []*host // by engine host index
	nodelay bool

	start    time.Time
	deadline time.Time
	doneAt   []time.Time     // when each action returned
	doneCh   []chan struct{} // closed when it did
	calls    []Call

	mu        sync.Mutex
	cond      *sync.Cond
	addrSock  map[addr]int     // an active socket's real address -> its engine socket
	fds       map[int]int      // engine socket -> file descriptor
	accepted  map[int]chan int // engine passive socket -> its accepted descriptor
	listeners []listener
	closed    map[int]bool // engine sockets whose descriptor the script closed
	notRT     bool         // a program's thread could not get real-time priority
	stopped   bool
}

type listener struct {
	fd   int
	host *host
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
	p.addrSock, p.fds, p.accepted, p.closed = map[addr]int{}, map[int]int{}, map[int]chan int{}, map[int]bool{}
	for _, a := range p.sc.actions {
		if a.kind == actAccept {
			p.accepted[a.sock] = make(chan int, 1)
		}
	}
	for hi, ports := range p.sc.listen {
		for _, port := range ports {
			fd, err := p.listen(p.hosts[hi], port)
			if err != nil {
				return err
			}
			p.listeners = append(p.listeners, listener{fd, p.hosts[hi]})
		}
	}
	p.start = time.Now()
	p.deadline = p.start.Add(time.Duration(p.sc.end) + 3*time.Second)
	var acc sync.WaitGroup
	for _, l := range p.listeners {
		acc.Add(1)
		go func() {
			defer acc.Done()
			if err := p.realTime(l.host, progPriority); err != nil {
				return
			}
			p.acceptLoop(l.fd)
		}()
	}
	var wg sync.WaitGroup
	for _, list := range p.sc.bySocket() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.realTime(p.hosts[p.sc.actions[list[0]].host], progPriority)
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
		unix.Shutdown(l.fd, unix.SHUT_RDWR) // wakes the blocked accept
	}
	acc.Wait()
	return nil
}

// timeout is a socket option value running to the run's deadline.
func (p *programs) timeout() *unix.Timeval {
	tv := unix.NsecToTimeval(max(int64(time.Until(p.deadline)), int64(time.Millisecond)))
	return &tv
}

func (p *programs) listen(h *host, port uint16) (int, error) {
	var fd int
	err := h.do(func() error {
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
		if err := unix.Bind(fd, &unix.SockaddrInet4{Port: int(port), Addr: h.ip}); err != nil {
			return err
		}
		return unix.Listen(fd, 128)
	})
	if err != nil {
		return -1, fmt.Errorf("%s listen(%d): %w", h.ns, port, err)
	}
	return fd, nil
}

// acceptLoop hands each accepted connection to the engine socket it is:
// the passive end of the active socket whose real address it comes from.
func (p *programs) acceptLoop(l int) {
	for {
		fd, sa, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return
		}
		from := addr{sa.(*unix.SockaddrInet4).Addr, uint16(sa.(*unix.SockaddrInet4).Port)}
		p.mu.Lock()
		k, ok := p.addrSock[from]
		for !ok && !p.stopped && time.Now().Before(p.deadline) {
			p.cond.Wait()
			k, ok = p.addrSock[from]
		}
		p.mu.Unlock()
		ch, known := p.accepted[p.sc.peer[k]]
		if !ok || !known {
			unix.Close(fd) // a connection the engine's application never made (its connect failed there)
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
// reactions are as punctual as the relay (p.notRT says if one did not get
// it). The goroutine must end locked: the thread then ends with it.
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
	c.Kind, c.Sock, c.Want, c.Err, c.Host = a.kind.String(), a.sock, a.wantErr, err.Error(), p.t.Hosts[a.host].Name
	p.doneAt[i] = time.Now()
	c.Done = p.doneAt[i].Sub(p.start)
	close(p.doneCh[i])
}

// do performs action i when its cause allows.
func (p *programs) do(i int) {
	a := p.sc.actions[i]
	c := &p.calls[i]
	c.Kind, c.Sock, c.Want, c.Host = a.kind.String(), a.sock, a.wantErr, p.t.Hosts[a.host].Name
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
		err = p.connect(a, c)
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
			off += max(n, 0)
			if err == unix.EINTR {
				err = nil // a signal with SO_SNDTIMEO set: send the rest
			}
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

// connect opens a socket in its host's namespace (the thread's, see
// realTime), connects it where the engine's socket connected and records
// its port in c.
func (p *programs) connect(a *action, c *Call) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := p.setup(fd); err != nil {
		unix.Close(fd)
		return err
	}
	to := p.connectTo(a)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: int(to.Port), Addr: to.IP}); err == unix.EINTR {
		// A signal (SO_SNDTIMEO is set, so the call is not restarted):
		// the handshake goes on; wait for it and take its result.
		err = awaitConnect(fd, p.deadline)
		if err != nil {
			unix.Close(fd)
			return err
		}
	} else if err != nil {
		unix.Close(fd)
		return err
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return err
	}
	c.Port = uint16(sa.(*unix.SockaddrInet4).Port)
	p.mu.Lock()
	p.fds[a.sock] = fd
	p.addrSock[addr{sa.(*unix.SockaddrInet4).Addr, uint16(sa.(*unix.SockaddrInet4).Port)}] = a.sock
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}

// awaitConnect waits until deadline for an interrupted connect to finish
// (the socket becomes writable) and returns its outcome (SO_ERROR).
func awaitConnect(fd int, deadline time.Time) error {
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return unix.ETIMEDOUT
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		if _, err := unix.Poll(fds, int(left/time.Millisecond)+1); err == unix.EINTR {
			continue
		} else if err != nil {
			return err
		}
		if fds[0].Revents == 0 {
			continue
		}
		v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return err
		}
		if v != 0 {
			return unix.Errno(v)
		}
		return nil
	}
}

// connectTo is where a connect goes: its engine socket's peer, or, for a
// connect that failed in the engine (it has no socket there), the first
// port another host listens on.
func (p *programs) connectTo(a *action) engine.Addr {
	if a.sock < len(p.t.Sockets) {
		return p.t.Sockets[a.sock].Remote
	}
	for hi, ports := range p.sc.listen {
		if hi != a.host && len(ports) > 0 {
			return engine.Addr{IP: p.t.Hosts[hi].IP, Port: ports[0]}
		}
	}
	return engine.Addr{}
}

// captureHost is the host whose interface capture= names: the client
// (capture=client, the default) or the scenario's one server
// (capture=server); false for all and proxy, which no one real interface
// sees (see Check).
func captureHost(t *engine.Trace) (int, bool) {
	role := engine.RoleClient
	switch t.Config.Capture {
	case "client":
	case "server":
		role = engine.RoleServer
	default:
		return 0, false
	}
	found := -1
	for i, h := range t.Hosts {
		if h.Role == role {
			if found >= 0 {
				return 0, false
			}
			found = i
		}
	}
	return found, found >= 0
}

// programsLate is how late the programs began their timed calls at worst:
// each connect, write, shutdown and close was due its delay after its
// cause returned (the run's start for the first), as do waits for it.
func programsLate(sc *script, calls []Call) time.Duration {
	var late time.Duration
	for i, a := range sc.actions {
		if i >= len(calls) || a.kind == actRead || a.kind == actAccept || calls[i].Kind == "" {
			continue
		}
		var base time.Duration
		if a.cause >= 0 {
			base = calls[a.cause].Done
		}
		late = max(late, calls[i].Start-(base+time.Duration(a.delay)))
	}
	return late
}

// wakeLate is how late the programs' connect() calls returned at worst
// after the SYN+ACK that completed them reached the client's interface
// (pkts, tcpdump's capture there; start, when the programs started).
func wakeLate(calls []Call, pkts []Packet, start time.Time) time.Duration {
	arrived := map[uint16]time.Time{}
	for _, p := range pkts {
		if p.Flags&(flagSYN|flagACK) == flagSYN|flagACK {
			if _, ok := arrived[p.DstPort]; !ok {
				arrived[p.DstPort] = p.Stamp
			}
		}
	}
	var late time.Duration
	for _, c := range calls {
		if at, ok := arrived[c.Port]; ok && c.Kind == "connect" && c.Err == "" {
			late = max(late, c.Done-at.Sub(start))
		}
	}
	return late
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
		unix.Close(l.fd)
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
