package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

func init() {
	registerProfile("canonical", func(ProfileOptions) (Profile, error) { return canonical{}, nil })
}

// canonical is Wenzheng's own documented schema (README, "Configuration").
type canonical struct{}

func (canonical) Open(ctx context.Context, in Input) (Reader, error) {
	if in.Path == "" {
		return nil, fmt.Errorf("the canonical profile reads files, not feeds")
	}
	rc, name, err := openFile(in.Path)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl":
		return closingReader{NewNDJSONReader(rc), rc}, nil
	}
	rc.Close()
	return nil, fmt.Errorf("%s: the canonical profile reads .ndjson or .jsonl files (optionally .gz)", in.Name())
}
