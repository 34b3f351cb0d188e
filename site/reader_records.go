package site

import (
	"context"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// recordReader is the part of the read API over the records themselves:
// message search and its options, threads, extracts, and the sources with
// their runs and rejects for /status and /methodology.
type recordReader interface {
	// CheckMessageFilter is NotFound for an unknown region or department.
	CheckMessageFilter(ctx context.Context, f analytics.MessageFilter) error
	// SearchMessages and MessageRecords check the filter themselves.
	SearchMessages(ctx context.Context, f analytics.MessageFilter, limit, offset int) (analytics.MessagePage, error)
	MessageRecords(ctx context.Context, f analytics.MessageFilter, limit int) ([]analytics.MessageRecord, error)
	MessageOptions(ctx context.Context, region, department string) (analytics.MessageOptions, error)
	// Thread reads texts up to chars characters (0: whole).
	Thread(ctx context.Context, source, id string, chars int) (analytics.Thread, error)
	Extract(ctx context.Context, f analytics.MessageFilter, row func(*analytics.ExtractRow) error, flush func() error) error
	WriteParquet(ctx context.Context, f analytics.MessageFilter, path string) error
	Status(ctx context.Context, runs, rejects int) (analytics.Status, error)
	SourceRules(ctx context.Context) ([]analytics.SourceRule, error)
}
