package browsertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func TestScratch(t *testing.T) {
	for _, size := range [][2]int64{{1280, 720}, {1920, 1080}, {390, 844}} {
		b := newTab(t, size[0], size[1])
		for _, id := range []string{"07-nagle", "13-dumb-proxy", "18-compare"} {
			b.openLesson("/lessons/" + id + "/")
			b.key(kb.ArrowRight)
			b.do("", chromedp.Sleep(1800*time.Millisecond))
			b.key(kb.ArrowRight)
			b.do("", chromedp.Sleep(1800*time.Millisecond))
			b.shot("", fmt.Sprintf("scratch-%s-%dx%d", id[:2], size[0], size[1]))
		}
	}
}
