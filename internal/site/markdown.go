package site

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
	"go.abhg.dev/goldmark/frontmatter"
)

// markdown is the one Markdown converter of the site, built once with
// explicit extensions: YAML front matter (read by parseLesson, left out of
// the HTML), GFM tables (each in a box of its own that scrolls sideways,
// see scrollTable) and strikethrough, heading ids for links to a section.
// Lesson text never becomes script: raw HTML is left out (goldmark writes
// "<!-- raw HTML omitted -->" in its place) and links or images to
// javascript:, vbscript:, file: and data: URLs get an empty address
// (goldmark's html.IsDangerousURL). A column's alignment is an align
// attribute, not a style attribute, which the Content-Security-Policy
// (securityHeaders) would block; site.css honours it.
var markdown = goldmark.New(
	goldmark.WithExtensions(
		&frontmatter.Extender{Formats: []frontmatter.Format{frontmatter.YAML}},
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
	),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(scrollTable{}, 400)), // a lower number wins over the table extension's 500
	),
)

// scrollTable renders a GFM table inside <div class="table-scroll">: a
// table wider than the text column scrolls sideways in that box instead of
// squeezing its columns until words split.
type scrollTable struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (scrollTable) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(east.KindTable, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			_, _ = w.WriteString("</table>\n</div>\n")
			return ast.WalkContinue, nil
		}
		_, _ = w.WriteString(`<div class="table-scroll">` + "\n<table")
		if n.Attributes() != nil {
			html.RenderAttributes(w, n, extension.TableAttributeFilter)
		}
		_, _ = w.WriteString(">\n")
		return ast.WalkContinue, nil
	})
}

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
