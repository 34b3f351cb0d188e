package analytics

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"math"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// The thread of one message: the message with every reply and rating,
// its places, its source's deadline rule and its facts.

// Thread is one message and what followed it. Every text is masked.
type Thread struct {
	Source, SourceID        string
	Channel, Kind, Category string // masked
	Title                   string // masked
	// Body is masked and read up to the characters asked for (with a
	// margin, see ThreadOf); BodyLen is the whole body's length.
	Body       string
	BodyLen    int
	RegionCode string
	Region     Name
	// RegionParent is the name of the region above the message's.
	RegionParent                Name
	DepartmentID                string
	Department                  Name
	Posted                      time.Time
	FirstReply, Closed, Deleted sql.NullTime
	Status                      string
	Likes, Dislikes             sql.NullInt64
	// The source's time zone, in which every time of the thread is read,
	// and deadline rule: SLADays working days, or calendar days when not
	// Workdays.
	TimeZone string
	SLADays  int
	Workdays bool
	// CategoryTree: the source's categories are paths ("A/B/C"); false:
	// plain names, "/" included (NYC's "Noise - Street/Sidewalk").
	CategoryTree bool
	// AsOf is the time the source's data is as of (NULL before the source
	// had one): the facts are assessed at it.
	AsOf    sql.NullTime
	Facts   MessageFacts
	Replies []Reply
	// Ratings in the order given: the last is the one that counts, as
	// ingest records it on the message.
	Ratings []Rating
}

// Reply is one reply of a thread, in order.
type Reply struct {
	At time.Time
	// DepartmentID is masked: it is shown when the department has no name.
	DepartmentID string
	Department   Name
	Body         string // masked, read as Thread.Body
	BodyLen      int
	Kind         string
	// The reply's substance (reply_quality), for a department's reply;
	// empty Class for a citizen's follow-up or a reply not classified yet.
	// Reason is a code ("receipt_only", "forward_only", "template", …);
	// Evidence the substance.Ev* bits; ClusterSize the replies of the
	// department in the same template cluster ClusterID.
	Class       string
	Reason      string
	Evidence    int
	Relevance   float64
	ClusterID   string
	ClusterSize int
}

// Rating is one rating of a thread.
type Rating struct {
	At     time.Time
	Rating string
}

// threadSQL reads one message; see the file.
//
//go:embed thread.sql
var threadSQL string

const repliesSQL = `SELECT rp.replied_at, coalesce(rp.department_id, ''), coalesce(d.name, ''), coalesce(d.name_en, ''),
	left(coalesce(rp.body, ''), ?), length(coalesce(rp.body, '')), rp.kind,
	coalesce(q.class, ''), coalesce(q.reason, ''), coalesce(q.evidence, 0), coalesce(q.relevance, 0),
	coalesce(q.cluster_id, ''), coalesce(q.cluster_size, 0)
FROM replies rp LEFT JOIN departments d ON d.department_id = rp.department_id
LEFT JOIN reply_quality q ON q.source = rp.source AND q.source_id = rp.source_id AND q.seq = rp.seq
WHERE rp.source = ? AND rp.source_id = ? ORDER BY rp.seq`

const ratingsSQL = `SELECT rated_at, rating FROM ratings WHERE source = ? AND source_id = ? ORDER BY seq`

// cutMargin is how many characters more than asked a long text is read:
// a number at the cut is then whole when it is masked, and the caller
// cuts the masked text.
const cutMargin = 64

// ThreadOf reads the message source/id and its replies and ratings; an
// unknown message is NotFound. A body is read up to chars characters
// (and cutMargin more), or whole when chars is 0: a page view then costs
// the same whatever a board exported.
func ThreadOf(ctx context.Context, q Querier, source, id string, chars int) (Thread, error) {
	limit := math.MaxInt32
	if chars > 0 {
		limit = chars + cutMargin
	}
	t, err := readThread(ctx, q, source, id, limit)
	if err != nil {
		return t, err
	}
	if t.Replies, err = readReplies(ctx, q, source, id, limit); err != nil {
		return t, err
	}
	err = scanRows(ctx, q, ratingsSQL, []any{source, id}, func(rows *sql.Rows) error {
		var r Rating
		err := rows.Scan(&r.At, &r.Rating)
		t.Ratings = append(t.Ratings, r)
		return err
	})
	return t, err
}

// readThread reads the message itself, masked.
func readThread(ctx context.Context, q Querier, source, id string, limit int) (Thread, error) {
	t := Thread{Source: source, SourceID: id}
	err := q.QueryRowContext(ctx, threadSQL, limit, source, id).Scan(&t.Channel, &t.RegionCode, &t.Region.Zh, &t.Region.En,
		&t.RegionParent.Zh, &t.RegionParent.En, &t.DepartmentID, &t.Department.Zh, &t.Department.En, &t.Category, &t.Kind,
		&t.Title, &t.Body, &t.BodyLen, &t.Posted, &t.FirstReply, &t.Closed, &t.Status, &t.Likes, &t.Dislikes,
		&t.Deleted, &t.TimeZone, &t.SLADays, &t.Workdays, &t.CategoryTree, &t.AsOf,
		&t.Facts.Known, &t.Facts.Deadline, &t.Facts.Mature, &t.Facts.Replied, &t.Facts.OnTime)
	if errors.Is(err, sql.ErrNoRows) {
		return t, problem.New(problem.NotFound, "没有编号为 %s/%s 的留言", "there is no message %s/%s", source, id)
	}
	// Every text from the input is masked, the short ones too.
	for _, s := range []*string{&t.Title, &t.Body, &t.Channel, &t.Kind, &t.Category} {
		*s = redact.String(*s)
	}
	return t, err
}

func readReplies(ctx context.Context, q Querier, source, id string, limit int) ([]Reply, error) {
	var out []Reply
	err := scanRows(ctx, q, repliesSQL, []any{limit, source, id}, func(rows *sql.Rows) error {
		var r Reply
		if err := rows.Scan(&r.At, &r.DepartmentID, &r.Department.Zh, &r.Department.En, &r.Body, &r.BodyLen, &r.Kind,
			&r.Class, &r.Reason, &r.Evidence, &r.Relevance, &r.ClusterID, &r.ClusterSize); err != nil {
			return err
		}
		r.Body, r.DepartmentID = redact.String(r.Body), redact.String(r.DepartmentID)
		out = append(out, r)
		return nil
	})
	return out, err
}

func (v *View) Thread(ctx context.Context, source, id string, chars int) (Thread, error) {
	return ThreadOf(ctx, v.q, source, id, chars)
}
