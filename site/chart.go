package site

// chart is a go-echarts chart as a page carries it: an empty element and the
// chart's option as JSON data, drawn by our static charts.js.
//
// The option never becomes script text. The template writes it into
// <script type="application/json">, where html/template encodes the value
// with encoding/json, which escapes <, > and & (and U+2028/9): a region or
// department name from ingested data cannot close the element or start a
// script, and the pages need no inline script, so the Content-Security-Policy
// can forbid it. (go-echarts' own snippets splice the option unescaped into
// an inline script: that was a stored XSS on every chart page.)
type chart struct {
	ID     string
	Height int // pixels
	// Label names the chart for screen readers.
	Label  string
	Option map[string]any
}

// echartsChart is what go-echarts' charts offer: Validate fills in the series
// data, JSON returns the option.
type echartsChart interface {
	Validate()
	JSON() map[string]any
}

func newChart(id string, height int, label string, c echartsChart) *chart {
	c.Validate()
	return &chart{ID: id, Height: height, Label: label, Option: c.JSON()}
}
