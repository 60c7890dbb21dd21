package site

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"

	"connlab/engine"
	"connlab/internal/stage"
)

// TestLessonRunsDescribedWithoutText runs every lesson's scenario and every
// variant, with their params, under both profiles, and tells every step from
// a copy of the trace whose lines are blank: each sentence must be the one
// the real trace gets, and Korean. The stage's header and event log describe
// events from their fields, never by parsing the English line.
func TestLessonRunsDescribedWithoutText(t *testing.T) {
	lessons, err := LoadLessons(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	for _, l := range lessons {
		if l.Scenario == "" {
			continue
		}
		type run struct {
			scenario string
			params   map[string]string
		}
		all := []run{{l.Scenario, l.RunParams()}}
		for i, v := range l.Variants {
			all = append(all, run{v.Scenario, l.VariantParams(i)})
		}
		for _, r := range all {
			for _, profile := range []string{"book", "today"} {
				params := map[string]string{}
				for k, v := range r.params {
					params[k] = v
				}
				params["profile"] = profile
				tr, err := engine.Run(r.scenario, params)
				if err != nil {
					t.Errorf("%s %s %v: %v", l.File, r.scenario, params, err)
					continue
				}
				runs++
				blank := *tr
				blank.Events = slices.Clone(tr.Events)
				for i := range blank.Events {
					blank.Events[i].Text = ""
				}
				for i, e := range tr.Events {
					want, got := stage.Describe(tr, i), stage.Describe(&blank, i)
					if got != want || !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) {
						t.Errorf("%s %s %v step %d (%s): without its text %q, with it %q; want the same Korean sentence", l.File, r.scenario, params, i, e, got, want)
						break
					}
				}
			}
		}
	}
	if runs == 0 {
		t.Fatal("no lesson runs a scenario")
	}
}
