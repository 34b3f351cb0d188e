package ingest

import (
	"fmt"
	"strings"
)

// Limits bound what one input may cost, so a small hostile file (a zip
// bomb, one line of 200 MB, millions of empty rows) ends with a clear error
// or a rejected row instead of exhausting memory or time. Every error that
// a limit causes names the limit's config key (under "limits") so an
// operator with a genuine file knows what to raise. A zero field takes its
// default, so the zero Limits is the default.
type Limits struct {
	// MaxInputBytes is the size of the file as it is on disk (2 GiB).
	MaxInputBytes int64 `json:"max_input_bytes,omitempty"`
	// MaxDecompressedBytes is the size after gunzip, and for XLSX the
	// declared size of the workbook's parts once unzipped (8 GiB).
	MaxDecompressedBytes int64 `json:"max_decompressed_bytes,omitempty"`
	// MaxXLSXBytes is the size of an XLSX workbook, which is read through
	// a zip directory and so must sit on disk, not be streamed (512 MiB).
	MaxXLSXBytes int64 `json:"max_xlsx_bytes,omitempty"`
	// MaxFieldBytes is one field of a row: a message's body or a reply
	// (1 MiB, some 350,000 Chinese characters).
	MaxFieldBytes int `json:"max_field_bytes,omitempty"`
	// MaxShortFieldBytes is one of the fields that name rather than tell:
	// title, message id, channel, category, kind, region, department,
	// author, status (4 KiB).
	MaxShortFieldBytes int `json:"max_short_field_bytes,omitempty"`
	// MaxRowBytes is one whole row as written in the file (4 MiB).
	MaxRowBytes int `json:"max_row_bytes,omitempty"`
	// MaxRows is the number of rows of one file, blank rows included
	// (20,000,000).
	MaxRows int `json:"max_rows,omitempty"`
	// MaxEmptyRows is the number of blank rows in a row (100,000): an
	// export does not pad its data with them, a bomb does.
	MaxEmptyRows int `json:"max_empty_rows,omitempty"`
}

// Defaults. The memory an input can cost is a small multiple of
// MaxRowBytes (a row is held while it is parsed, and once more as the raw
// text of a reject) plus the XLSX reader's in-memory parts, never a
// multiple of the file: see "Ingest memory bound" in BENCHMARKS.md.
const (
	DefaultMaxInputBytes        = 2 << 30
	DefaultMaxDecompressedBytes = 8 << 30
	DefaultMaxXLSXBytes         = 512 << 20
	DefaultMaxFieldBytes        = 1 << 20
	DefaultMaxShortFieldBytes   = 4 << 10
	DefaultMaxRowBytes          = 4 << 20
	DefaultMaxRows              = 20_000_000
	DefaultMaxEmptyRows         = 100_000

	// rejectRawKeep is how much of an over-limit row the rejects table
	// keeps: enough to find the row and see what it is.
	rejectRawKeep = 4 << 10

	// xlsxMaxRows is the most rows a worksheet can have (Excel's limit).
	xlsxMaxRows = 1 << 20
	// xlsxXMLInMemory is the size up to which a worksheet or the shared
	// strings are parsed in memory; larger ones are streamed from a
	// temporary file (excelize's UnzipXMLSizeLimit).
	xlsxXMLInMemory = 16 << 20
	// xlsxMaxOtherPart bounds each other part of a workbook (styles,
	// themes, images), which excelize reads whole into memory.
	xlsxMaxOtherPart = 64 << 20
)

// WithDefaults fills every unset (zero or negative) limit.
func (l Limits) WithDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxInputBytes, DefaultMaxInputBytes)
	def(&l.MaxDecompressedBytes, DefaultMaxDecompressedBytes)
	def(&l.MaxXLSXBytes, DefaultMaxXLSXBytes)
	defInt(&l.MaxFieldBytes, DefaultMaxFieldBytes)
	defInt(&l.MaxShortFieldBytes, DefaultMaxShortFieldBytes)
	defInt(&l.MaxRowBytes, DefaultMaxRowBytes)
	defInt(&l.MaxRows, DefaultMaxRows)
	defInt(&l.MaxEmptyRows, DefaultMaxEmptyRows)
	return l
}

// Validate reports limits that contradict each other.
func (l Limits) Validate() error {
	var errs []string
	if l.MaxInputBytes < 0 || l.MaxDecompressedBytes < 0 || l.MaxXLSXBytes < 0 || l.MaxFieldBytes < 0 ||
		l.MaxShortFieldBytes < 0 || l.MaxRowBytes < 0 || l.MaxRows < 0 || l.MaxEmptyRows < 0 {
		errs = append(errs, "a limit is negative (leave it out or 0 for the default)")
	}
	d := l.WithDefaults()
	if d.MaxFieldBytes > d.MaxRowBytes {
		errs = append(errs, fmt.Sprintf("max_field_bytes (%d) is larger than max_row_bytes (%d)", d.MaxFieldBytes, d.MaxRowBytes))
	}
	if d.MaxShortFieldBytes > d.MaxFieldBytes {
		errs = append(errs, fmt.Sprintf("max_short_field_bytes (%d) is larger than max_field_bytes (%d)", d.MaxShortFieldBytes, d.MaxFieldBytes))
	}
	if len(errs) > 0 {
		return fmt.Errorf("limits: %s", strings.Join(errs, "; "))
	}
	return nil
}

// limitError is a file that a limit stops. Its text names the limit and
// how to change it.
func limitError(what string, limit int64, key string) error {
	return fmt.Errorf("%s, over the limit of %s (limits.%s in the config; raise it if the file is genuine)", what, byteSize(limit), key)
}

// byteSize writes n bytes for people: 512 B, 4 KiB, 1.5 MiB, 2 GiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + [...]string{"KiB", "MiB", "GiB", "TiB"}[i]
}

// truncateRaw keeps the start of an over-limit row for the rejects table,
// cut at a character boundary, and says how long the row was.
func truncateRaw(raw string, total int64) string {
	if len(raw) <= rejectRawKeep && int64(len(raw)) >= total {
		return raw
	}
	cut := min(len(raw), rejectRawKeep)
	for cut > 0 && cut < len(raw) && !isRuneStart(raw[cut]) {
		cut--
	}
	return raw[:cut] + fmt.Sprintf("… [cut: the first %s of %s are kept]", byteSize(int64(cut)), byteSize(total))
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
