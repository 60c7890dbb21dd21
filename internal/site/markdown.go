package site

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"go.abhg.dev/goldmark/frontmatter"
)

// markdown is the one Markdown converter of the site, built once with
// explicit extensions: YAML front matter (read by parseLesson, left out of
// the HTML), GFM tables and strikethrough, heading ids for links to a
// section. Raw HTML is allowed: lessons are our own content.
var markdown = goldmark.New(
	goldmark.WithExtensions(
		&frontmatter.Extender{Formats: []frontmatter.Format{frontmatter.YAML}},
		extension.Table,
		extension.Strikethrough,
	),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	goldmark.WithRendererOptions(html.WithUnsafe()),
)

// block renders Markdown text (notes, several paragraphs) to HTML.
func block(src string) template.HTML {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(src), &b); err != nil {
		// Convert fails only when writing to b fails, which a bytes.Buffer does not.
		panic(err)
	}
	return template.HTML(b.String())
}

// inline renders a one-paragraph Markdown text (a caption, a question)
// without its enclosing <p>.
func inline(src string) template.HTML {
	h := strings.TrimSpace(string(block(src)))
	if strings.HasPrefix(h, "<p>") && strings.HasSuffix(h, "</p>") && strings.Count(h, "<p>") == 1 {
		h = h[len("<p>") : len(h)-len("</p>")]
	}
	return template.HTML(h)
}
