package ingest

// Mapping is a user-defined profile: which column holds which field, how
// dates are written, and how to find a region or department in text.
type Mapping struct {
	// Format is csv, tsv, xlsx, ndjson or json; empty means by extension.
	Format string `json:"format"`
	// Columns maps canonical fields (source_id, title, body, author,
	// posted_at, first_reply_at, reply_body, closed_at, status, rating,
	// region, department, category, kind, channel, likes, dislikes) to the
	// input's column names.
	Columns map[string]string `json:"columns"`
	// DateLayouts are Go time layouts tried in order; Excel serial numbers
	// are always understood in XLSX.
	DateLayouts []string `json:"date_layouts"`
}
