package analytics

import (
	"context"
	"database/sql"
	"strings"
	"sync/atomic"
	"testing"
)

// countingQuerier counts the queries that read the per-message facts.
type countingQuerier struct {
	Querier
	facts atomic.Int64
}

func (c *countingQuerier) count(query string) {
	if strings.Contains(query, "message_facts") {
		c.facts.Add(1)
	}
}

func (c *countingQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.count(query)
	return c.Querier.QueryContext(ctx, query, args...)
}

func (c *countingQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.count(query)
	return c.Querier.QueryRowContext(ctx, query, args...)
}

// TestOverdueReadsMessagesOnce: a scorecard's overdue list and its count
// come from one pass over the message facts joined to the messages (the
// only read of a scorecard that grows with the number of messages; it was
// two), and the count is of every overdue message, not of the page.
func TestOverdueReadsMessagesOnce(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	q := &countingQuerier{Querier: db}
	over, total, err := OverdueMessages(ctx, q, China, "national", "", 1)
	if err != nil || len(over) != 1 || over[0].SourceID != "m2" || total != 3 {
		t.Errorf("national overdue, one listed: %+v (%d), %v; want m2 of 3", over, total, err)
	}
	if n := q.facts.Load(); n != 1 {
		t.Errorf("%d passes over the message facts, want 1", n)
	}
	over, total, err = OverdueMessages(ctx, q, China, "county", "410105", 10)
	if err != nil || len(over) != 0 || total != 0 {
		t.Errorf("none overdue: %+v (%d), %v", over, total, err)
	}
}
