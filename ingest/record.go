// Package ingest loads records from message boards and hotlines into the
// store: readers turn files into records, validation rejects what cannot be
// understood (keeping the raw row and a reason), and the loader upserts the
// rest idempotently, recording every run.
package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
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

// Posting times before 1990 are typing or export errors (0001-01-01,
// 1919 for 2019), not messages. Times after the load are impossible: no
// message is posted, answered, rated or closed in the future. The day of
// grace covers clocks a little ahead and zone-less times read in a zone a
// few hours behind the board's; it is short enough that 2019 typed as
// 2091, or a date a day ahead, is caught.
const minYear = 1990

// FutureSkew is how far past the load time a record's times may lie.
const FutureSkew = 24 * time.Hour

// MaxCount is the largest like or dislike count stored (the column is a
// 32-bit INTEGER); a larger one would wrap, so it is rejected instead.
const MaxCount = math.MaxInt32

// now is the load time validation compares against (a variable for tests).
var now = time.Now

// validate checks a record and works out its derived fields. The error text
// is shown to operators beside the rejected row, so it says what to fix.
// The checks run in this order and the first that fails is the reason; on
// an error the derived fields are not to be used.
func validate(r *Record) (derived, error) {
	var d derived
	latest := now().Add(FutureSkew)
	if err := validatePosting(r, latest); err != nil {
		return d, err
	}
	if err := validateCounts(r); err != nil {
		return d, err
	}
	sort.SliceStable(r.Replies, func(i, j int) bool { return r.Replies[i].Seq < r.Replies[j].Seq })
	sort.SliceStable(r.Ratings, func(i, j int) bool { return r.Ratings[i].Seq < r.Ratings[j].Seq })
	var err error
	if d.firstReplyAt, err = validateReplies(r, latest); err != nil {
		return d, err
	}
	if err := validateRatings(r, latest); err != nil {
		return d, err
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
	if r.ClosedAt != nil && r.ClosedAt.After(latest) {
		return d, fmt.Errorf("closing time %s is in the future", r.ClosedAt.Format(time.RFC3339))
	}
	if d.status, err = statusOf(r, d.firstReplyAt); err != nil {
		return d, err
	}
	d.hash = rowHash(r)
	return d, nil
}

// rowHash covers everything a later file may change about the thread, so
// an identical row is recognised as unchanged: the first 16 bytes of the
// SHA-256 of the record's fields, each written as its length in bytes, a
// colon and its text, times as Unix microseconds (what is stored), a
// missing time or count as "". The set-based path computes the same in
// SQL (setbased_stage.sql), so a message keeps its hash whichever path
// read it.
func rowHash(r *Record) string {
	b := make([]byte, 0, 256+len(r.Title)+len(r.Body))
	str := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	num := func(n int64) { str(strconv.FormatInt(n, 10)) }
	tm := func(t *time.Time) {
		if t == nil {
			str("")
			return
		}
		num(t.UnixMicro())
	}
	for _, s := range []string{r.SourceID, r.Channel, r.RegionCode, r.DepartmentID, r.Category, r.Kind, r.Title, r.Body, r.Author} {
		str(s)
	}
	tm(&r.PostedAt)
	tm(r.ClosedAt)
	str(r.Status)
	for _, c := range []*int{r.Likes, r.Dislikes} {
		if c == nil {
			str("")
		} else {
			num(int64(*c))
		}
	}
	num(int64(len(r.Replies)))
	for _, rep := range r.Replies {
		num(int64(rep.Seq))
		tm(&rep.RepliedAt)
		str(rep.DepartmentID)
		str(rep.Body)
		str(rep.Kind)
	}
	num(int64(len(r.Ratings)))
	for _, rt := range r.Ratings {
		num(int64(rt.Seq))
		tm(&rt.RatedAt)
		str(rt.Rating)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// validatePosting checks the message's id and posting time.
func validatePosting(r *Record, latest time.Time) error {
	if r.SourceID == "" {
		return errors.New("missing message id (source_id)")
	}
	if r.PostedAt.IsZero() {
		return errors.New("missing posting time (posted_at)")
	}
	if y := r.PostedAt.Year(); y < minYear {
		return fmt.Errorf("posting time %s is not a plausible date (before %d)", r.PostedAt.Format(time.RFC3339), minYear)
	}
	if r.PostedAt.After(latest) {
		return fmt.Errorf("posting time %s is in the future (the load ran at %s)", r.PostedAt.Format(time.RFC3339), latest.Add(-FutureSkew).Format(time.RFC3339))
	}
	return nil
}

// validateCounts checks the like and dislike counts.
func validateCounts(r *Record) error {
	for _, c := range []struct {
		name string
		n    *int
	}{{"likes", r.Likes}, {"dislikes", r.Dislikes}} {
		switch {
		case c.n == nil:
		case *c.n < 0:
			return fmt.Errorf("%s %d is negative; a count cannot be", c.name, *c.n)
		case *c.n > MaxCount:
			return fmt.Errorf("%s %d is larger than the largest count stored (%d)", c.name, *c.n, MaxCount)
		}
	}
	return nil
}

// validateReplies checks the replies, sorted by number, and returns the
// first answer's time: the earliest reply that is not the citizen's own
// follow-up, nil when there is none.
func validateReplies(r *Record, latest time.Time) (*time.Time, error) {
	var first *time.Time
	for i, rep := range r.Replies {
		if i > 0 && rep.Seq == r.Replies[i-1].Seq {
			return nil, fmt.Errorf("reply number %d appears twice", rep.Seq)
		}
		switch rep.Kind {
		case ReplyOfficial, ReplyFollowUp, ReplyCitizenFollowUp:
		default:
			return nil, fmt.Errorf("reply %d has unknown kind %q (want official, follow_up or citizen_follow_up)", rep.Seq, rep.Kind)
		}
		if rep.RepliedAt.IsZero() {
			return nil, fmt.Errorf("reply %d has no time", rep.Seq)
		}
		if rep.RepliedAt.After(latest) {
			return nil, fmt.Errorf("reply %d time %s is in the future", rep.Seq, rep.RepliedAt.Format(time.RFC3339))
		}
		if rep.RepliedAt.Before(r.PostedAt) {
			return nil, fmt.Errorf("reply %d at %s precedes the message posted at %s",
				rep.Seq, rep.RepliedAt.Format(time.RFC3339), r.PostedAt.Format(time.RFC3339))
		}
		if rep.Kind != ReplyCitizenFollowUp && (first == nil || rep.RepliedAt.Before(*first)) {
			t := rep.RepliedAt
			first = &t
		}
	}
	return first, nil
}

// validateRatings checks the ratings, sorted by number.
func validateRatings(r *Record, latest time.Time) error {
	for i, rt := range r.Ratings {
		if i > 0 && rt.Seq == r.Ratings[i-1].Seq {
			return fmt.Errorf("rating number %d appears twice", rt.Seq)
		}
		switch rt.Rating {
		case RatingSatisfied, RatingBasic, RatingUnsatisfied:
		default:
			return fmt.Errorf("rating %d has unknown value %q (want satisfied, basic or unsatisfied)", rt.Seq, rt.Rating)
		}
		if rt.RatedAt.Before(r.PostedAt) {
			return fmt.Errorf("rating %d precedes the message", rt.Seq)
		}
		if rt.RatedAt.After(latest) {
			return fmt.Errorf("rating %d time %s is in the future", rt.Seq, rt.RatedAt.Format(time.RFC3339))
		}
	}
	return nil
}

// statusOf is the status stored for r: the one the input gives, or, when
// it gives none, closed, replied or open from its times.
func statusOf(r *Record, firstReplyAt *time.Time) (string, error) {
	switch r.Status {
	case "":
		switch {
		case r.ClosedAt != nil:
			return StatusClosed, nil
		case firstReplyAt != nil:
			return StatusReplied, nil
		}
		return StatusOpen, nil
	case StatusOpen, StatusReplied, StatusClosed, StatusDeleted:
		return r.Status, nil
	default:
		return "", fmt.Errorf("unknown status %q (want open, replied, closed or deleted)", r.Status)
	}
}

// checkRecordLimits says which text field of r is over its limit, if any:
// bodies and replies may be long (MaxFieldBytes), the fields that name
// something may not (MaxShortFieldBytes). cut says the row's raw text is
// to be cut as well.
func checkRecordLimits(r *Record, lim Limits) (reason string, cut bool) {
	long := int64(lim.MaxFieldBytes)
	short := int64(lim.MaxShortFieldBytes)
	over := func(name, v string, max int64) string {
		if int64(len(v)) > max {
			key := "max_short_field_bytes"
			if max == long {
				key = "max_field_bytes"
			}
			return fmt.Sprintf("%s is %s, over the limit of %s (limits.%s); only the start of the row is kept here", name, byteSize(int64(len(v))), byteSize(max), key)
		}
		return ""
	}
	checks := []struct {
		name, v string
		max     int64
	}{
		{"source_id", r.SourceID, short}, {"channel", r.Channel, short}, {"region_code", r.RegionCode, short},
		{"department_id", r.DepartmentID, short}, {"category", r.Category, short}, {"kind", r.Kind, short},
		{"title", r.Title, short}, {"author", r.Author, short}, {"status", r.Status, short}, {"body", r.Body, long},
	}
	for _, c := range checks {
		if why := over(c.name, c.v, c.max); why != "" {
			return why, true
		}
	}
	for _, rep := range r.Replies {
		if why := over(fmt.Sprintf("reply %d", rep.Seq), rep.Body, long); why != "" {
			return why, true
		}
		if why := over(fmt.Sprintf("reply %d department_id", rep.Seq), rep.DepartmentID, short); why != "" {
			return why, true
		}
	}
	return "", false
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
