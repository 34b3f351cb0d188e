package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"runtime"
	"strings"
	"sync"

	"github.com/wenzheng-transparency/wenzheng/store"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

//go:embed replyquality.sql
var replyQualitySQL string

// rqSQL holds replyquality.sql's statements by name.
var rqSQL = sqlSections(replyQualitySQL)

// replyQualityVersion is the classifier version stored with each row; a
// variable so that a test can pretend the rules changed.
var replyQualityVersion = substance.Version

// RefreshReplyQuality brings reply_quality up to date and returns how many
// replies it classified. A department reply (official or follow_up) is
// classified when it has no row, when its text or its message's changed
// (body_hash), when it was classified by another substance.Version or now
// belongs to another department. Every group that had a reply classified
// or lost one is then clustered again as a whole: its department's
// replies in the order of replied_at, source, source_id, seq, so that a
// cluster is named after its earliest reply. A reply of no department
// (neither it nor its message names one) is clustered with the other
// replies of no department of its source: they are one unnamed sender.
// (A reply whose time alone was corrected is not classified again: its
// cluster keeps its name until the department is next clustered.) Only the
// rows whose class or cluster changed are written again.
//
// Like RefreshText, run > 0 looks only at the messages that run saw (the
// loader's refresh), run 0 at all (the pipeline's catch-up at start, which
// is how a new substance.Version reaches every reply). The replies and
// the clustered rows stream through staging tables, one group at a time
// in memory; reply_quality itself changes in one transaction at the end,
// so a reader never sees half a refresh.
func RefreshReplyQuality(ctx context.Context, db *store.DB, run int64) (int, error) {
	stages := []string{"_stage_rq_classified", "_stage_rq_gone", "_stage_rq_groups", "_stage_rq_final"}
	defer func() {
		for _, t := range stages {
			db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+t)
		}
	}()
	n, err := classifyStale(ctx, db, run)
	if err != nil {
		return 0, fmt.Errorf("classify replies: %w", err)
	}
	if _, err := db.ExecContext(ctx, rqSQL["gone"], run, run); err != nil {
		return 0, fmt.Errorf("find replies gone: %w", err)
	}
	var gone int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM _stage_rq_gone`).Scan(&gone); err != nil {
		return 0, err
	}
	if n == 0 && gone == 0 {
		return 0, nil
	}
	if _, err := db.ExecContext(ctx, rqSQL["groups"]); err != nil {
		return 0, err
	}
	if err := clusterGroups(ctx, db); err != nil {
		return 0, fmt.Errorf("cluster replies: %w", err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, rqSQL["write"])
		return err
	}); err != nil {
		return 0, fmt.Errorf("store reply quality: %w", err)
	}
	return n, nil
}

// classifyStale stages the classification of every stale department reply
// in _stage_rq_classified. The replies stream from one connection while the
// appender writes on another: the texts are never all in memory. Classify
// is pure, so batches of replies are classified on every core while the
// next are read.
func classifyStale(ctx context.Context, db *store.DB, run int64) (int, error) {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE _stage_rq_classified (
		source VARCHAR, source_id VARCHAR, seq INTEGER, department_id VARCHAR, body_hash VARCHAR,
		text_class VARCHAR, reason VARCHAR, core_chars INTEGER, evidence INTEGER, relevance DOUBLE, simhash UBIGINT)`); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := db.QueryContext(ctx, rqSQL["stale"], run, run, replyQualityVersion)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	workers := runtime.GOMAXPROCS(0)
	todo, done := make(chan []staleReply, workers), make(chan []staleReply, workers)
	var readErr error
	go func() { // the reader: batches of replies, until the rows end or the appender fails
		defer close(todo)
		batch := make([]staleReply, 0, 256)
		for rows.Next() {
			var r staleReply
			if readErr = rows.Scan(&r.source, &r.id, &r.seq, &r.dept, &r.hash, &r.message, &r.reply); readErr != nil {
				return
			}
			if batch = append(batch, r); len(batch) == cap(batch) {
				select {
				case todo <- batch:
				case <-ctx.Done():
					return
				}
				batch = make([]staleReply, 0, 256)
			}
		}
		if readErr = rows.Err(); readErr == nil && len(batch) > 0 {
			select {
			case todo <- batch:
			case <-ctx.Done():
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range todo {
				for i := range batch {
					batch[i].result = substance.Classify(batch[i].message, batch[i].reply)
				}
				select {
				case done <- batch:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	n := 0
	err = db.Append(ctx, "_stage_rq_classified", func(appendRow func(...driver.Value) error) error {
		for batch := range done {
			for _, r := range batch {
				c := r.result
				if err := appendRow(r.source, r.id, r.seq, nullable(r.dept), r.hash, string(c.Class), reasonValue(c.Reason),
					int32(c.CoreChars), int32(c.Evidence), c.Relevance, c.Fingerprint); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	cancel()
	for range done { // the workers end once the reader does
	}
	if err == nil {
		err = readErr
	}
	return n, err
}

// staleReply is a department reply to classify, and its result.
type staleReply struct {
	source, id, hash, message, reply string
	seq                              int32
	dept                             sql.NullString
	result                           substance.Result
}

// rqMember is one reply of a group being clustered.
type rqMember struct {
	source, sourceID     string
	seq                  int32
	department           sql.NullString
	bodyHash             string
	version              int32
	textClass            string
	reason               sql.NullString
	coreChars, evidence  int32
	relevance            float64
	simhash              uint64
	fresh                bool
	oldClass, oldCluster sql.NullString
	oldSize              sql.NullInt32
	class, cluster       string
	size                 int32
}

// clusterGroups clusters every group of _stage_rq_groups, one at a time,
// and stages in _stage_rq_final the rows to write: the classified ones and
// those whose class or cluster changed.
func clusterGroups(ctx context.Context, db *store.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE _stage_rq_final AS
		SELECT * FROM reply_quality WITH NO DATA`); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, rqSQL["members"], replyQualityVersion)
	if err != nil {
		return err
	}
	defer rows.Close()
	return db.Append(ctx, "_stage_rq_final", func(appendRow func(...driver.Value) error) error {
		var group []rqMember
		var key string
		flush := func() error {
			clusterGroup(key, group)
			for _, m := range group {
				if !m.fresh && m.class == m.oldClass.String && m.cluster == m.oldCluster.String && m.size == m.oldSize.Int32 {
					continue
				}
				reason := nullable(m.reason)
				if m.class == string(substance.Template) {
					reason = substance.ReasonTemplate
				}
				if err := appendRow(m.source, m.sourceID, m.seq, nullable(m.department), m.bodyHash, m.version, m.textClass,
					m.class, reason, m.coreChars, m.evidence, m.relevance, m.simhash, m.cluster, m.size); err != nil {
					return err
				}
			}
			group = group[:0]
			return nil
		}
		for rows.Next() {
			var m rqMember
			if err := rows.Scan(&m.source, &m.sourceID, &m.seq, &m.department, &m.bodyHash, &m.version, &m.textClass,
				&m.reason, &m.coreChars, &m.evidence, &m.relevance, &m.simhash, &m.fresh, &m.oldClass, &m.oldCluster, &m.oldSize); err != nil {
				return err
			}
			g := groupKey(m.department, m.source)
			if g != key && len(group) > 0 {
				if err := flush(); err != nil {
					return err
				}
			}
			key = g
			group = append(group, m)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(group) > 0 {
			return flush()
		}
		return nil
	})
}

// clusterGroup sets the class, cluster id and cluster size of one group's
// replies, given in the order of the group (earliest first). key is the
// group's key: its department id, or NUL and the source for the replies of
// no department.
func clusterGroup(key string, group []rqMember) {
	fps := make([]uint64, len(group))
	for i, m := range group {
		fps[i] = m.simhash
	}
	roots := substance.Cluster(fps)
	// A cluster is named by its earliest member; found here rather than
	// trusted from Cluster's choice of representative.
	earliest := make(map[int]int, len(group))
	size := make(map[int]int32, len(group))
	for i, r := range roots {
		if e, ok := earliest[r]; !ok || i < e {
			earliest[r] = i
		}
		size[r]++
	}
	for i := range group {
		m := &group[i]
		r := roots[i]
		m.cluster = clusterID(key, fps[earliest[r]])
		m.size = size[r]
		m.class = m.textClass
		if m.textClass == string(substance.Substantive) && m.size >= substance.MinTemplate {
			m.class = string(substance.Template)
		}
	}
}

// clusterID names a template cluster: FNV-64a of the group key, a NUL byte
// and the earliest reply's SimHash (8 bytes, big-endian), in 16 hex digits.
// The key is the department id, so the same text of two departments makes
// two clusters; a reply of no department has the key NUL + its source, so
// its clusters differ from every department's and between sources.
//
// An id is published, and a run of 11 or more decimal digits in it would
// read as a phone or ID number to anyone scanning a release for personal
// data (about one id in 60 would hold one): such an id is hashed again
// with a counter byte appended (1, 2, …) until it holds none. The same
// cluster always gets the same id.
func clusterID(key string, simhash uint64) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	var b [9]byte
	binary.BigEndian.PutUint64(b[1:], simhash)
	h.Write(b[:])
	for salt := byte(1); ; salt++ {
		id := fmt.Sprintf("%016x", h.Sum64())
		if longestDigitRun(id) <= 10 {
			return id
		}
		h.Write([]byte{salt})
	}
}

// longestDigitRun is the length of the longest run of decimal digits in s.
func longestDigitRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// groupKey is the key of a reply's group: its department id, or for a
// reply of no department NUL and its source (no department id holds NUL).
func groupKey(department sql.NullString, source string) string {
	if department.Valid {
		return department.String
	}
	return "\x00" + source
}

func reasonValue(reason string) driver.Value {
	if reason == "" {
		return nil
	}
	return reason
}

func nullable(s sql.NullString) driver.Value {
	if !s.Valid {
		return nil
	}
	return s.String
}

// sqlSections splits a file of statements, each under a line
// "-- name: <name>", into a map from name to its text.
func sqlSections(text string) map[string]string {
	out := map[string]string{}
	parts := strings.Split(text, "-- name: ")
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, "\n")
		out[strings.TrimSpace(name)] = body
	}
	return out
}
