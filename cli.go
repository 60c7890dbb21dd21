package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"connlab/engine"
	"connlab/internal/twin"
)

// cliUsage is printed when a subcommand is used wrongly.
const cliUsage = `usage:
  connlab scenarios                              list the engine's scenarios, one a line
  connlab trace NAME [key=value ...]             print a run's canonical event lines
  connlab pcap NAME -o FILE [key=value ...]      write a run as a pcap file (-o - for stdout)
  connlab lab NAME -o FILE [key=value ...]       run it on real Linux sockets (as root) and write
                                                 tcpdump's capture at the client (-o - for stdout)
parameters (key=value): ` + "%s" + `
`

// errUsage marks a command line that does not fit a subcommand's shape.
var errUsage = errors.New("usage")

// runCLI runs the engine subcommands: scenarios, trace, pcap and lab. It reports
// handled=false when args[0] is not one of them (the server then reads its
// own flags), and otherwise the process exit code: 0 on success, 2 for a
// bad command line (unknown scenario, unknown key, value out of range, a
// scenario the lab cannot run), 1 when the output cannot be written or the
// lab cannot run on this machine.
func runCLI(args []string, stdout, stderr io.Writer) (handled bool, code int) {
	if len(args) == 0 {
		return false, 0
	}
	var err error
	switch args[0] {
	case "scenarios":
		err = cliScenarios(args[1:], stdout)
	case "trace":
		err = cliTrace(args[1:], stdout)
	case "pcap":
		err = cliPCAP(args[1:], stdout)
	case "lab":
		err = cliLab(args[1:], stdout, stderr)
	default:
		return false, 0
	}
	var ioErr *cliIOError
	var runErr *cliRunError
	switch {
	case err == nil:
		return true, 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "connlab %s: %v\n", args[0], err)
		fmt.Fprintf(stderr, cliUsage, strings.Join(engine.ParamKeys(), ", "))
		return true, 2
	case errors.As(err, &ioErr), errors.As(err, &runErr):
		fmt.Fprintf(stderr, "connlab %s: %v\n", args[0], err)
		return true, 1
	default:
		fmt.Fprintf(stderr, "connlab %s: %v\n", args[0], err)
		return true, 2
	}
}

// cliIOError is a failure to write the output, as opposed to bad input.
type cliIOError struct{ err error }

func (e *cliIOError) Error() string { return e.err.Error() }

// cliRunError is a good command line this machine could not run (the lab
// without root, without tcpdump...).
type cliRunError struct{ err error }

func (e *cliRunError) Error() string { return e.err.Error() }

func cliScenarios(args []string, stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: scenarios takes no arguments, got %q", errUsage, args)
	}
	if _, err := io.WriteString(stdout, strings.Join(engine.ScenarioNames(), "\n")+"\n"); err != nil {
		return &cliIOError{err}
	}
	return nil
}

func cliTrace(args []string, stdout io.Writer) error {
	name, _, params, err := parseRunArgs(args, false)
	if err != nil {
		return err
	}
	t, err := engine.Run(name, params)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, t.String()); err != nil {
		return &cliIOError{err}
	}
	return nil
}

func cliPCAP(args []string, stdout io.Writer) error {
	name, out, params, err := parseRunArgs(args, true)
	if err != nil {
		return err
	}
	if out == "" {
		return fmt.Errorf("%w: pcap needs -o FILE (or -o - for standard output)", errUsage)
	}
	t, err := engine.Run(name, params)
	if err != nil {
		return err
	}
	if err := t.CheckPCAP(); err != nil {
		return err
	}
	data := t.PCAP()
	if out == "-" {
		_, err = stdout.Write(data)
	} else {
		err = os.WriteFile(out, data, 0o644)
	}
	if err != nil {
		return &cliIOError{err}
	}
	return nil
}

// labRun runs a scenario on the Linux twin; a variable so that tests of
// the command line need neither root nor namespaces.
var labRun = twin.Run

// cliLab runs a scenario's socket calls on real kernel sockets (the Linux
// twin, internal/twin) and writes the capture at the client's interface, or
// at the server's with capture=server. What the kernel
// cannot take from the parameters is said on stderr.
func cliLab(args []string, stdout, stderr io.Writer) error {
	name, out, params, err := parseRunArgs(args, true)
	if err != nil {
		return err
	}
	if out == "" {
		return fmt.Errorf("%w: lab needs -o FILE (or -o - for standard output)", errUsage)
	}
	if err := twin.Check(name, params); err != nil {
		return err
	}
	r, err := labRun(name, params)
	if err != nil {
		return &cliRunError{err}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(stderr, "connlab lab: note: %s\n", n)
	}
	if out == "-" {
		_, err = stdout.Write(r.Capture)
	} else {
		err = os.WriteFile(out, r.Capture, 0o644)
	}
	if err != nil {
		return &cliIOError{err}
	}
	return nil
}

// parseRunArgs reads "NAME [-o FILE] [key=value ...]" with -o (or -o=FILE)
// anywhere when allowO is set. Keys may not repeat.
func parseRunArgs(args []string, allowO bool) (name, out string, params map[string]string, err error) {
	params = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case allowO && a == "-o":
			if i+1 >= len(args) {
				return "", "", nil, fmt.Errorf("%w: -o needs a file name", errUsage)
			}
			i++
			out = args[i]
		case allowO && strings.HasPrefix(a, "-o="):
			out = strings.TrimPrefix(a, "-o=")
		case strings.HasPrefix(a, "-"):
			return "", "", nil, fmt.Errorf("%w: unknown flag %q", errUsage, a)
		case strings.Contains(a, "="):
			k, v, _ := strings.Cut(a, "=")
			if _, dup := params[k]; dup {
				return "", "", nil, fmt.Errorf("%w: parameter %q given twice", errUsage, k)
			}
			params[k] = v
		case name == "":
			name = a
		default:
			return "", "", nil, fmt.Errorf("%w: %q is neither the scenario name nor key=value (scenario is %q)", errUsage, a, name)
		}
	}
	if name == "" {
		return "", "", nil, fmt.Errorf("%w: missing scenario name (see: connlab scenarios)", errUsage)
	}
	return name, out, params, nil
}
