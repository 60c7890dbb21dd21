package site

import (
	"strings"
	"testing"
)

// TestTableScrollBox checks that a Markdown table comes inside its own
// scrolling box (the stylesheet lets .table-scroll scroll sideways), with
// the table's column alignment kept as an align attribute (the
// Content-Security-Policy blocks style attributes).
func TestTableScrollBox(t *testing.T) {
	got := string(block("| 순서 | 플래그 |\n|---|:---:|\n| 1 | SYN+ACK |\n"))
	for _, want := range []string{
		"<div class=\"table-scroll\">\n<table>\n<thead>",
		"<th align=\"center\">플래그</th>",
		"<td align=\"center\">SYN+ACK</td>",
		"</tbody>\n</table>\n</div>\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("block(table) lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "style=") {
		t.Errorf("block(table) has a style attribute:\n%s", got)
	}
	if n := strings.Count(got, "<div"); n != 1 {
		t.Errorf("block(table) has %d <div>s; want 1:\n%s", n, got)
	}
}
