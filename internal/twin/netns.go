//go:build linux

package twin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// A host of the twin is a network namespace (ip-netns(8)) with a TUN
// device per link (tun0, tun1...), whose packets the relay carries to the
// TUN at the link's other end.
// Namespace names carry the process id, so a run never meets another's and
// stale ones (from a killed run) can be recognised and removed.

const nsPrefix = "connlab-twin-"

var nsCounter atomic.Int64

// host is one namespace of a run.
type host struct {
	ns   string  // namespace name, under /run/netns
	ip   [4]byte // its address, on every device
	tuns []int   // its TUN devices' queues (non-blocking): tun0, tun1...
	nsfd int     // an open /run/netns/NAME, for setns(2)
}

// Preflight reports what this machine lacks for the twin, with the command
// that would fix it, or nil when it has everything.
func Preflight() error {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root: network namespaces and TUN devices need CAP_NET_ADMIN (run as root, e.g. sudo go test ./internal/twin, or sudo go run . lab ...)")
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		missing = append(missing, "/dev/net/tun: "+err.Error()+" (load the driver: modprobe tun; in a container: --device /dev/net/tun)")
	}
	for _, c := range []struct{ cmd, pkg string }{{"ip", "iproute2"}, {"tcpdump", "tcpdump"}, {"ss", "iproute2"}} {
		if _, err := exec.LookPath(c.cmd); err != nil {
			missing = append(missing, c.cmd+" not found (install it: apt-get install -y "+c.pkg+")")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("twin: this machine cannot run the Linux twin:\n  %s", strings.Join(missing, "\n  "))
	}
	return nil
}

// ipCmd runs ip(8) with args and returns its error with its output.
func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// removeStale deletes twin namespaces left by processes that no longer run.
func removeStale() {
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), nsPrefix)
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if unix.Kill(pid, 0) == unix.ESRCH {
			_ = ipCmd("netns", "del", e.Name())
		}
	}
}

// newHost creates a namespace named for role, with its loopback up and no
// other device yet (addLink adds them). On error, whatever was made is
// removed again.
func newHost(role string, ip [4]byte) (h *host, err error) {
	h = &host{ns: fmt.Sprintf("%s%d-%d-%s", nsPrefix, os.Getpid(), nsCounter.Add(1), role), ip: ip, nsfd: -1}
	if err := ipCmd("netns", "add", h.ns); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			h.close()
		}
	}()
	if h.nsfd, err = unix.Open(filepath.Join("/run/netns", h.ns), unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
		return nil, fmt.Errorf("open namespace %s: %w", h.ns, err)
	}
	if err := ipCmd("-n", h.ns, "link", "set", "lo", "up"); err != nil {
		return nil, err
	}
	return h, nil
}

// addLink gives h a TUN device toward the host at peer: h's address on it,
// an MTU of mtu, and a route to peer whose initial congestion window is
// initcwnd segments. It returns the device's name and queue descriptor.
func (h *host) addLink(peer [4]byte, mtu, initcwnd int) (string, int, error) {
	name := fmt.Sprintf("tun%d", len(h.tuns))
	var tun int
	err := h.do(func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(name)
		if err != nil {
			unix.Close(fd)
			return err
		}
		// IFF_NO_PI: every read and write is one bare IP packet. Without
		// IFF_VNET_HDR the device offers no offloads (no TSO/GSO, no GRO),
		// so the stack hands it, and tcpdump sees, one segment per packet.
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("TUNSETIFF %s: %w", name, err)
		}
		tun = fd
		return nil
	})
	if err != nil {
		return "", -1, err
	}
	h.tuns = append(h.tuns, tun)
	for _, args := range [][]string{
		{"-n", h.ns, "link", "set", name, "mtu", strconv.Itoa(mtu), "up"},
		{"-n", h.ns, "addr", "add", ipString(h.ip) + "/32", "dev", name},
		{"-n", h.ns, "route", "replace", ipString(peer) + "/32", "dev", name, "src", ipString(h.ip), "initcwnd", strconv.Itoa(initcwnd)},
	} {
		if err := ipCmd(args...); err != nil {
			return "", -1, err
		}
	}
	return name, tun, nil
}

// do runs f on an OS thread that has joined h's namespace. Sockets and
// devices f creates belong to that namespace for their whole life, whatever
// thread uses them later. The thread is never handed back to Go's scheduler:
// a goroutine that exits locked takes its thread with it.
func (h *host) do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Setns(h.nsfd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", h.ns, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// sysctl writes a value under /proc/sys/net as seen in h's namespace.
func (h *host) sysctl(key, value string) error {
	return h.do(func() error {
		path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
		return os.WriteFile(path, []byte(value), 0o644)
	})
}

// close removes the namespace; its TUN device goes with the last descriptor.
func (h *host) close() error {
	var errs []error
	for _, fd := range h.tuns {
		errs = append(errs, unix.Close(fd))
	}
	if h.nsfd >= 0 {
		errs = append(errs, unix.Close(h.nsfd))
	}
	errs = append(errs, ipCmd("netns", "del", h.ns))
	return errors.Join(errs...)
}
