package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestDiagnosis checks that a browser call that runs out of time says what
// the page was doing: on a page whose main thread a script keeps busy,
// that the main thread does not answer; on a lesson page, the stage's step
// and last frame.
func TestDiagnosis(t *testing.T) {
	t.Run("blocked", func(t *testing.T) {
		// A page of the test's own, on localhost rather than 127.0.0.1:
		// another site, so Chromium gives it a renderer process of its own
		// and its busy main thread cannot hold up the other tests' tabs.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!doctype html><title>busy</title><p>A page whose main thread a script keeps busy.`)
		}))
		defer srv.Close()
		b := newTab(t, 800, 600)
		b.open(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/busy")
		// Start a loop that never yields, after this evaluation returns.
		eval[bool](b, `setTimeout(() => { for (;;) {} }, 0), true`)
		defer func() {
			// End the loop (V8 stops it by an interrupt) so that the tab
			// closes as usual.
			ctx, cancel := b.within(callTimeout)
			defer cancel()
			if _, err := chromedp.Call(ctx, runtime.TerminateExecution, cdp.Empty{}); err != nil {
				t.Errorf("ending the busy loop: %v", err)
			}
		}()
		err := b.try("evaluating 1 + 1 on the busy page", 2*time.Second, chromedp.Evaluate[chromedp.Void](`1 + 1`))
		if err == nil {
			t.Fatal("an evaluation on a page whose main thread loops forever returned")
		}
		msg := err.Error()
		t.Logf("the failure reads:\n%s", msg)
		if !strings.HasPrefix(msg, "evaluating 1 + 1 on the busy page: ") {
			t.Errorf("the failure does not start with the call that failed")
		}
		for _, want := range []string{
			"context deadline exceeded",
			"tab: http://localhost:",
			"/busy (",
			"main thread: does not answer 1 + 1 within 3s",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("the failure does not say %q", want)
			}
		}
		if strings.Contains(msg, "stage: ") {
			t.Errorf("the failure tells the stage's state of a page that cannot be asked")
		}
	})
	t.Run("lesson", func(t *testing.T) {
		b := newTab(t, 1280, 720)
		b.openLesson(handshake)
		b.settle()
		st := b.state()
		err := b.try("waiting for a condition that never holds", 2*time.Second,
			chromedp.Poll[chromedp.Void](`false`, chromedp.WithPollingTimeout(time.Second)))
		if err == nil {
			t.Fatal("polling for false succeeded")
		}
		msg := err.Error()
		t.Logf("the failure reads:\n%s", msg)
		for _, want := range []string{
			"tab: " + baseURL + handshake,
			"main thread: answers 1 + 1 in ",
			fmt.Sprintf("stage: step %d of %d (handshake), playing false", st.Step, st.Steps),
			"last frame drawn ",
			" ms ago, frame ",
			"0 frames drawn in the last second",
			"animation frames in the last second",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("the failure does not say %q", want)
			}
		}
	})
}
