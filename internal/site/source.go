package site

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Limits on a lesson file, checked before goldmark sees it: goldmark's
// time grows with the nesting of lists and block quotes on every line (40
// lines of a list 3,000 deep take 5 s, a file of them minutes), with the
// square of a paragraph's length for some texts ("[a](" 65,000 times in
// one paragraph, 45 s), and its memory with the file's size.
const (
	// maxLessonSize is 256 KB, thirteen times the largest lesson
	// (lessons/17-graceful-close.md, 19.7 KB).
	maxLessonSize = 256 << 10
	// maxNesting is how deep lists and block quotes may nest. The deepest
	// lesson text nests 1 deep (a list, a block quote); 16 leaves room for any
	// outline a lesson could want.
	maxNesting = 16
	// maxParagraph is 8 KB, five times the longest paragraph of the
	// lessons (1.7 KB, in lessons/12-keep-alive.md). A file of hostile
	// 8 KB paragraphs takes goldmark about a second.
	maxParagraph = 8 << 10
)

// readLimited reads the file name of fsys, but no more than limit+1
// bytes: a file larger than limit is refused by its first limit+1 bytes
// (lessonText) without the rest being read into memory.
func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// utf8BOM is the byte order mark some editors write at the start of a
// UTF-8 file. A lesson may start with it: it is dropped before reading.
var utf8BOM = []byte("\xef\xbb\xbf")

// lessonText checks a lesson file's bytes before they are parsed: its
// size, that it is UTF-8, and how deep its body nests lists and block
// quotes. It returns the text to parse, without a byte order mark and
// without the blank lines before the front matter, and how many lines were
// dropped from the start (the front matter's line numbers are that many
// more in the file). ok is false when the file cannot be parsed at all.
func lessonText(src []byte, p *problems) (text []byte, dropped int, ok bool) {
	if len(src) > maxLessonSize {
		p.list = append(p.list, fmt.Errorf("%s: the file is larger than %d KB (%d bytes), the most a lesson may be: split it into two lessons", p.file, maxLessonSize>>10, maxLessonSize))
		return nil, 0, false
	}
	if off := invalidUTF8(src); off >= 0 {
		line := 1 + bytes.Count(src[:off], []byte("\n"))
		col := off - (bytes.LastIndexByte(src[:off], '\n') + 1) + 1
		p.add(line, "the file is not valid UTF-8: byte %d (column %d of this line, byte 0x%02x); save it as UTF-8", off, col, src[off])
		return nil, 0, false
	}
	text = bytes.TrimPrefix(src, utf8BOM)
	for {
		nl := bytes.IndexByte(text, '\n')
		if nl < 0 || len(bytes.TrimSpace(text[:nl])) > 0 {
			break
		}
		text = text[nl+1:]
		dropped++
	}
	return text, dropped, true
}

// invalidUTF8 returns the offset of the first byte of src that is not part
// of a valid UTF-8 encoding, or -1.
func invalidUTF8(src []byte) int {
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// checkMarkdown reports where text, Markdown starting at file line first,
// nests lists and block quotes deeper than maxNesting, and where a
// paragraph longer than maxParagraph starts.
func checkMarkdown(text string, first int, p *problems) {
	if line := deepNesting(text, maxNesting); line > 0 {
		p.add(first+line-1, "lists and block quotes nest more than %d deep here, the most a lesson may use", maxNesting)
	}
	if line := longParagraph(text, maxParagraph); line > 0 {
		p.add(first+line-1, "the paragraph starting here is longer than %d KB, the most a lesson may use: break it with a blank line", maxParagraph>>10)
	}
}

// longParagraph returns the 1-based line of text where a run of non-blank
// lines longer than limit bytes starts, or 0.
func longParagraph(text string, limit int) int {
	start, size := 0, 0
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			size = 0
			continue
		}
		if size == 0 {
			start = i + 1
		}
		size += len(line) + 1
		if size > limit {
			return start
		}
	}
	return 0
}

// checkValues checks every value of the front matter (captions,
// questions, notes are Markdown too) as checkMarkdown.
func checkValues(n *yaml.Node, p *problems) {
	if n.Kind == yaml.ScalarNode {
		first := n.Line + 1 // the file line of the value's first line
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			first++ // a | or > block starts on the line after its indicator
		}
		checkMarkdown(n.Value, first, p)
		return
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue // a key
		}
		checkValues(c, p)
	}
}

// shiftLines adds by to the line of every node under n.
func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// container is a list item or block quote open on a line of Markdown.
type container struct {
	quote  bool
	indent int // a list item's content column: a line indented this far continues it
}

// deepNesting returns the 1-based line of text where lists and block
// quotes first nest deeper than limit, or 0. It is a line scan after the
// container rules of CommonMark (spec.commonmark.org, "Container blocks"),
// simplified to err towards deeper: every list marker and > at a line's
// start counts, in code blocks too, and a line that continues no container
// closes them all. Its work is bounded by the file's size times limit.
func deepNesting(text string, limit int) int {
	var open []container
	for i, line := range strings.Split(text, "\n") {
		s := scanner{line: line}
		blank := strings.TrimSpace(line) == ""
		kept := 0
		for _, c := range open {
			if c.quote {
				if !s.quoteMarker() {
					break
				}
			} else {
				if !blank && s.indentTo(c.indent) < c.indent {
					break
				}
			}
			kept++
		}
		open = open[:kept]
		for len(open) <= limit {
			s.indentTo(1 << 30)
			if s.quoteMarker() {
				open = append(open, container{quote: true})
				continue
			}
			if indent, ok := s.listMarker(); ok {
				open = append(open, container{indent: indent})
				continue
			}
			break
		}
		if len(open) > limit {
			return i + 1
		}
	}
	return 0
}

// scanner reads one line of Markdown by columns (a tab advances to the
// next multiple of 4).
type scanner struct {
	line     string
	pos, col int
}

// indentTo skips spaces and tabs up to column col and returns the column reached.
func (s *scanner) indentTo(col int) int {
	for s.pos < len(s.line) && s.col < col {
		switch s.line[s.pos] {
		case ' ':
			s.col++
		case '\t':
			s.col += 4 - s.col%4
		default:
			return s.col
		}
		s.pos++
	}
	return s.col
}

// quoteMarker reads "> " (after up to three spaces) if the line has one there.
func (s *scanner) quoteMarker() bool {
	save := *s
	s.indentTo(s.col + 3)
	if s.pos < len(s.line) && s.line[s.pos] == '>' {
		s.pos++
		s.col++
		if s.pos < len(s.line) && s.line[s.pos] == ' ' {
			s.pos++
			s.col++
		}
		return true
	}
	*s = save
	return false
}

// listMarker reads a bullet (-, +, *) or an ordered marker (1. or 1)) with
// the spaces after it, and returns the item's content column.
func (s *scanner) listMarker() (int, bool) {
	rest := s.line[s.pos:]
	n := 0
	switch {
	case rest != "" && strings.IndexByte("-+*", rest[0]) >= 0:
		n = 1
	default:
		for n < len(rest) && n < 9 && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 || n >= len(rest) || (rest[n] != '.' && rest[n] != ')') {
			return 0, false
		}
		n++
	}
	if n < len(rest) && rest[n] != ' ' && rest[n] != '\t' {
		return 0, false
	}
	s.pos += n
	s.col += n
	marker := s.col
	reached := s.indentTo(marker + 5)
	if reached-marker >= 5 || s.pos == len(s.line) {
		return marker + 1, true // the item is empty so far, or starts with an indented code block
	}
	return reached, true
}
