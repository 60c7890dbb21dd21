package site

import "net/http"

// pagePolicy is the Content-Security-Policy every page lives under, in
// the response header and, for the static export (which sends no headers
// of its own), in a <meta http-equiv> of each page: scripts, styles,
// frames and connections come only from the site itself, never inline, so
// that lesson text that slipped through as HTML still could not run
// (issue 13); 'wasm-unsafe-eval' lets the stage compile stage.wasm, which
// grants no eval of JavaScript. Styles come only from the site's
// stylesheets: no <style> element or style="" attribute; scripts may still
// set element.style, which the policy does not govern.
const pagePolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'; base-uri 'none'"

// framePolicy adds what only a header can say: no other site may frame a
// page (the lesson page frames /stage/ itself). Browsers ignore
// frame-ancestors in a <meta> policy, so an exported site is framable
// unless its host sends this header.
const framePolicy = "; frame-ancestors 'self'"

// securityHeaders sets the headers every response of the site carries:
// the policy above, no Referer sent to the sites lessons link to, and no
// guessing of a file's type from its bytes.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", pagePolicy+framePolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
}
