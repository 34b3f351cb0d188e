package analytics

import (
	"context"
	"database/sql"
	_ "embed"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// ReplyExample is one real reply of the loaded data that shows a class:
// the methodology page explains each rule with the data's own answers,
// not only with made-up ones.
type ReplyExample struct {
	Class       string  `json:"class"`
	Reason      string  `json:"reason"`
	Source      string  `json:"source"`
	SourceID    string  `json:"source_id"`
	Seq         int     `json:"seq"`
	Evidence    int     `json:"evidence"`
	Relevance   float64 `json:"relevance"`
	ClusterSize int     `json:"cluster_size"`
	// Core is the reply without salutation, receipt formula, thanks,
	// date and signature, masked and cut to ExampleChars characters.
	Core string `json:"core"`
}

// ExampleChars is how much of an example's core is shown.
const ExampleChars = 160

// replyExamplesSQL picks one reply per class; see the file.
//
//go:embed quality_examples.sql
var replyExamplesSQL string

// ReplyExamples is one reply of each class present in the data, the most
// telling of its class (see quality_examples.sql), in the order ack,
// forwarded, template, substantive.
func ReplyExamples(ctx context.Context, q Querier) ([]ReplyExample, error) {
	out := []ReplyExample{}
	err := scanRows(ctx, q, replyExamplesSQL, nil, func(rows *sql.Rows) error {
		var e ReplyExample
		var message, reply string
		if err := rows.Scan(&e.Class, &e.Reason, &e.Source, &e.SourceID, &e.Seq, &e.Evidence, &e.Relevance, &e.ClusterSize,
			&message, &reply); err != nil {
			return err
		}
		// reply_quality stores no text: the core is found again from the
		// texts, by the same rules, and masked like every text shown.
		core := []rune(redact.String(substance.Classify(message, reply).Core))
		if len(core) > ExampleChars {
			core = append(core[:ExampleChars], '…')
		}
		e.Core = string(core)
		out = append(out, e)
		return nil
	})
	return out, err
}

func (v *View) ReplyExamples(ctx context.Context) ([]ReplyExample, error) {
	return ReplyExamples(ctx, v.q)
}
