// Package ingest loads records from message boards and hotlines into the
// store: readers turn files into records, validation rejects what cannot be
// understood (keeping the raw row and a reason), and the loader upserts the
// rest idempotently, recording every run.
package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Message statuses and ratings as stored.
const (
	StatusOpen    = "open"
	StatusReplied = "replied"
	StatusClosed  = "closed"
	StatusDeleted = "deleted"

	RatingSatisfied   = "satisfied"
	RatingBasic       = "basic"
	RatingUnsatisfied = "unsatisfied"

	ReplyOfficial        = "official"
	ReplyFollowUp        = "follow_up"
	ReplyCitizenFollowUp = "citizen_follow_up"
)

// Record is one message with its thread, as a reader understood it.
type Record struct {
	SourceID     string     `json:"source_id"`
	Channel      string     `json:"channel,omitempty"`
	RegionCode   string     `json:"region_code,omitempty"`
	DepartmentID string     `json:"department_id,omitempty"`
	Category     string     `json:"category,omitempty"`
	Kind         string     `json:"kind,omitempty"`
	Title        string     `json:"title,omitempty"`
	Body         string     `json:"body,omitempty"`
	Author       string     `json:"author,omitempty"`
	PostedAt     time.Time  `json:"posted_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Status       string     `json:"status,omitempty"`
	Likes        *int       `json:"likes,omitempty"`
	Dislikes     *int       `json:"dislikes,omitempty"`
	Replies      []Reply    `json:"replies,omitempty"`
	Ratings      []Rating   `json:"ratings,omitempty"`
}

// Reply is one answer in a thread.
type Reply struct {
	Seq          int       `json:"seq"`
	RepliedAt    time.Time `json:"replied_at"`
	DepartmentID string    `json:"department_id,omitempty"`
	Body         string    `json:"body,omitempty"`
	Kind         string    `json:"kind"`
}

// Rating is one rating the citizen gave; a thread may have several.
type Rating struct {
	Seq     int       `json:"seq"`
	RatedAt time.Time `json:"rated_at"`
	Rating  string    `json:"rating"`
}

// Derived fields of a validated record.
type derived struct {
	firstReplyAt *time.Time
	status       string
	rating       string
	ratedAt      *time.Time
	hash         string
}

// Dates outside these years are typing or export errors (0001-01-01,
// 2109 for 2019), not messages.
const minYear, maxYear = 1990, 2100

// validate checks a record and works out its derived fields. The error text
// is shown to operators beside the rejected row, so it says what to fix.
func validate(r *Record) (derived, error) {
	var d derived
	if r.SourceID == "" {
		return d, errors.New("missing message id (source_id)")
	}
	if r.PostedAt.IsZero() {
		return d, errors.New("missing posting time (posted_at)")
	}
	if y := r.PostedAt.Year(); y < minYear || y > maxYear {
		return d, fmt.Errorf("posting time %s is not a plausible date (years %d–%d)", r.PostedAt.Format(time.RFC3339), minYear, maxYear)
	}
	sort.SliceStable(r.Replies, func(i, j int) bool { return r.Replies[i].Seq < r.Replies[j].Seq })
	sort.SliceStable(r.Ratings, func(i, j int) bool { return r.Ratings[i].Seq < r.Ratings[j].Seq })
	for i, rep := range r.Replies {
		if i > 0 && rep.Seq == r.Replies[i-1].Seq {
			return d, fmt.Errorf("reply number %d appears twice", rep.Seq)
		}
		switch rep.Kind {
		case ReplyOfficial, ReplyFollowUp, ReplyCitizenFollowUp:
		default:
			return d, fmt.Errorf("reply %d has unknown kind %q (want official, follow_up or citizen_follow_up)", rep.Seq, rep.Kind)
		}
		if rep.RepliedAt.IsZero() {
			return d, fmt.Errorf("reply %d has no time", rep.Seq)
		}
		if rep.RepliedAt.Year() > maxYear {
			return d, fmt.Errorf("reply %d time %s is not a plausible date", rep.Seq, rep.RepliedAt.Format(time.RFC3339))
		}
		if rep.RepliedAt.Before(r.PostedAt) {
			return d, fmt.Errorf("reply %d at %s precedes the message posted at %s",
				rep.Seq, rep.RepliedAt.Format(time.RFC3339), r.PostedAt.Format(time.RFC3339))
		}
		if rep.Kind != ReplyCitizenFollowUp && (d.firstReplyAt == nil || rep.RepliedAt.Before(*d.firstReplyAt)) {
			t := rep.RepliedAt
			d.firstReplyAt = &t
		}
	}
	for i, rt := range r.Ratings {
		if i > 0 && rt.Seq == r.Ratings[i-1].Seq {
			return d, fmt.Errorf("rating number %d appears twice", rt.Seq)
		}
		switch rt.Rating {
		case RatingSatisfied, RatingBasic, RatingUnsatisfied:
		default:
			return d, fmt.Errorf("rating %d has unknown value %q (want satisfied, basic or unsatisfied)", rt.Seq, rt.Rating)
		}
		if rt.RatedAt.Before(r.PostedAt) {
			return d, fmt.Errorf("rating %d precedes the message", rt.Seq)
		}
	}
	if n := len(r.Ratings); n > 0 {
		last := r.Ratings[n-1]
		d.rating = last.Rating
		t := last.RatedAt
		d.ratedAt = &t
	}
	if r.ClosedAt != nil && r.ClosedAt.Before(r.PostedAt) {
		return d, errors.New("closing time precedes the message")
	}
	switch r.Status {
	case "":
		d.status = StatusOpen
		if r.ClosedAt != nil {
			d.status = StatusClosed
		} else if d.firstReplyAt != nil {
			d.status = StatusReplied
		}
	case StatusOpen, StatusReplied, StatusClosed, StatusDeleted:
		d.status = r.Status
	default:
		return d, fmt.Errorf("unknown status %q (want open, replied, closed or deleted)", r.Status)
	}
	// The hash covers everything a later file may change about the thread,
	// so an identical row is recognised as unchanged.
	canon, err := json.Marshal(r)
	if err != nil {
		return d, err
	}
	sum := sha256.Sum256(canon)
	d.hash = hex.EncodeToString(sum[:16])
	return d, nil
}

// Pseudonym turns an author's name or handle into a stable key that does not
// reveal it: HMAC-SHA256 under the configured secret, scoped by source.
func Pseudonym(secret []byte, source, author string) string {
	if author == "" {
		return ""
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(source))
	m.Write([]byte{0})
	m.Write([]byte(author))
	return "u" + hex.EncodeToString(m.Sum(nil)[:8])
}
