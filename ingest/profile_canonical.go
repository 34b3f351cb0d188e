package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// canonical is Wenzheng's own documented schema (README, "Configuration").
type canonical struct{ o ProfileOptions }

func newCanonical(o ProfileOptions) (Profile, error) { return canonical{o}, nil }

func (c canonical) Open(ctx context.Context, in Input) (Reader, error) {
	if in.Path == "" {
		return nil, fmt.Errorf("the canonical profile reads files, not feeds")
	}
	rc, name, err := openFile(in.Path, c.o.Limits)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl":
		return closingReader{newNDJSONReader(rc, c.o.Limits), rc}, nil
	}
	rc.Close()
	// Tabular files carry the flat schema: one row a message, with its
	// first reply and latest rating (see flatFields).
	rows, err := openTable(ctx, in.Path, "", c.o.Limits)
	if err != nil && strings.Contains(err.Error(), "unknown format") {
		return nil, fmt.Errorf("%w; the canonical profile reads .ndjson/.jsonl (nested threads) and .csv, .tsv, .xlsx, .json, .parquet (flat rows), optionally .gz", err)
	}
	if err != nil {
		return nil, err
	}
	return newTabularReader(rows, nil, c.o)
}
