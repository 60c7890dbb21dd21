package engine

import (
	"strings"
	"testing"
)

// TestSettingsArePlainDecimals: a setting's number is digits with at most
// a decimal point; NaN, Inf, 1_000, hex floats, exponents and signs are
// not numbers of any setting (they used to run, or to be called out of
// range), and a number too large for the engine is out of range.
func TestSettingsArePlainDecimals(t *testing.T) {
	for _, c := range []struct{ key, value, want string }{
		{"rtt", "NaNs", `rtt=NaNs: "NaNs" is not a duration (want e.g. 100ms, 1.5s, 60s)`},
		{"rtt", "Infms", `"Infms" is not a duration`},
		{"rtt", "+Infs", `"+Infs" is not a duration`},
		{"rtt", "-Infs", `"-Infs" is not a duration`},
		{"rtt", "1_000ms", `"1_000ms" is not a duration`},
		{"rtt", "0x1p4ms", `"0x1p4ms" is not a duration`},
		{"rtt", "1e2ms", `"1e2ms" is not a duration`},
		{"rtt", "+100ms", `"+100ms" is not a duration`},
		{"rtt", ".5s", `".5s" is not a duration`},
		{"rtt", "5.s", `"5.s" is not a duration`},
		{"rtt", "100 ms", `"100 ms" is not a duration`},
		{"rtt", "99999999999999999999s", "rtt=99999999999999999999s is out of range: allowed 1ms..2s"},
		{"rtt", "1" + strings.Repeat("0", 400) + "ms", "is out of range: allowed 1ms..2s"},
		{"bandwidth", "NaNMbps", `bandwidth=NaNMbps: "NaNMbps" is not a bandwidth (want e.g. 10Mbps, 56kbps)`},
		{"bandwidth", "InfGbps", `"InfGbps" is not a bandwidth`},
		{"bandwidth", "1_0Mbps", `"1_0Mbps" is not a bandwidth`},
		{"bandwidth", "0x1p20bps", `"0x1p20bps" is not a bandwidth`},
		{"bandwidth", "1e7", `"1e7" is not a bandwidth`},
		{"bandwidth", "99999999999999999999Gbps", "bandwidth=99999999999999999999Gbps is out of range"},
		{"mss", "+1460", "mss=+1460: not a whole number (allowed 88..8960)"},
		{"mss", "1_460", "mss=1_460: not a whole number"},
		{"mss", "0x5b4", "mss=0x5b4: not a whole number"},
		{"mss", "1e3", "mss=1e3: not a whole number"},
		{"mss", "99999999999999999999", "mss=99999999999999999999 is out of range: allowed 88..8960"},
		{"loss", "NaN%", `loss=NaN%: "NaN%" is not a percentage (want e.g. 1%, 0.5%)`},
		{"loss", "Inf%", `"Inf%" is not a percentage`},
		{"loss", "1e0%", `"1e0%" is not a percentage`},
		{"loss", "0x1p0%", `"0x1p0%" is not a percentage`},
		{"loss", "99999999999999999999%", "loss=99999999999999999999% is out of range: allowed 0%..50%"},
		{"queue", "+100", `queue=+100: "+100" is not a number of packets or bytes`},
		{"queue", "0x64", `"0x64" is not a number of packets or bytes`},
		{"queue", "99999999999999999999KB", "queue=99999999999999999999KB: 99999999999999999999KB is out of range"},
		{"drop", "client:+1", `drop=client:+1: "client:+1": n must be a whole number from 1 to`},
		{"drop", "client:0x1", `"client:0x1": n must be a whole number`},
		{"ports", "+1024-2000", "ports=+1024-2000 is out of range"},
	} {
		cfg := DefaultConfig(Today)
		err := cfg.Set(c.key, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Set(%s, %s) = %v; want an error containing %q", c.key, c.value, err, c.want)
		}
	}
	for _, p := range params {
		if p.kind != kindDuration && p.kind != kindBandwidth {
			continue
		}
		for _, v := range []string{"NaNms", "Infs", "NaNbps", "Infkbps"} {
			cfg := DefaultConfig(Today)
			if err := cfg.Set(p.key, v); err == nil || !strings.Contains(err.Error(), "is not a") {
				t.Errorf("Set(%s, %s) = %v; want \"is not a duration\" or \"is not a bandwidth\"", p.key, v, err)
			}
		}
	}
}

// TestSettingsPlainDecimalsRead: the plain forms are read as before.
func TestSettingsPlainDecimalsRead(t *testing.T) {
	for _, c := range []struct{ key, value, want string }{
		{"rtt", "1.5s", "1500ms"}, {"rtt", "100ms", "100ms"}, {"think", "250us", "250us"}, {"rtt", "0.1s", "100ms"},
		{"bandwidth", "56000", "56kbps"}, {"bandwidth", "1.5Mbps", "1500kbps"}, {"bandwidth", "10Mbps", "10Mbps"},
		{"mss", "0536", "536"}, {"loss", "0.5%", "0.5%"}, {"loss", "0", "0%"}, {"queue", "64KB", "65536B"},
		{"drop", "client:1,server:3", "client:1,server:3"}, {"ports", "1024-2047", "1024-2047"}, {"think", "0s", "0s"},
	} {
		cfg := DefaultConfig(Today)
		if err := cfg.Set(c.key, c.value); err != nil {
			t.Errorf("Set(%s, %s): %v", c.key, c.value, err)
			continue
		}
		if got, _ := cfg.Get(c.key); got != c.want {
			t.Errorf("Set(%s, %s) reads back as %q; want %q", c.key, c.value, got, c.want)
		}
	}
}
