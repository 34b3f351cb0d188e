package site

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

func init() {
	addPageRoute("/status", func(s *Server) fiber.Handler { return s.handleStatus })
	addLabels(map[string][2]string{
		"st.title":          {"数据状态", "Data status"},
		"st.fresh":          {"数据新鲜度", "Freshness"},
		"st.metrics":        {"指标最近一次计算于 %s（北京时间），数据截至 %s。", "Metrics were last computed %s (Beijing time), with data as of %s."},
		"st.no_metrics":     {"还没有计算过指标。", "No metrics have been computed yet."},
		"st.sources":        {"数据源", "Sources"},
		"st.no_sources":     {"还没有导入任何数据源。", "No source has been loaded yet."},
		"st.profile":        {"格式", "Profile"},
		"st.tz":             {"时区", "Time zone"},
		"st.messages":       {"留言", "Messages"},
		"st.deleted":        {"其中已删除 %s 条", "%s of them deleted"},
		"st.last_ok":        {"最近一次成功导入", "Last successful load"},
		"st.never":          {"从未成功", "never"},
		"st.runs":           {"最近的导入（共 %s 次）", "Recent loads (%s in all)"},
		"st.no_runs":        {"没有导入记录。", "No loads recorded."},
		"st.run":            {"编号", "Run"},
		"st.started":        {"开始时间", "Started"},
		"st.took":           {"用时", "Took"},
		"st.input":          {"输入", "Input"},
		"st.read":           {"读取", "Read"},
		"st.inserted":       {"新增", "New"},
		"st.updated":        {"更新", "Updated"},
		"st.unchanged":      {"未变", "Unchanged"},
		"st.rejected":       {"拒收", "Rejected"},
		"st.deleted_det":    {"发现删除", "Found deleted"},
		"st.result":         {"结果", "Result"},
		"st.error":          {"错误", "Error"},
		"st.status.ok":      {"成功", "ok"},
		"st.status.failed":  {"失败", "failed"},
		"st.status.running": {"进行中", "running"},
		"st.rejects":        {"拒收的行：共 %s 行", "Rejected rows: %s in all"},
		"st.rejects_note":   {"最近的原因（至多 %d 条）。原始行可能含个人信息，不公开显示；运维人员可用 wenzheng rejects 查看。", "The most recent reasons (up to %d). Raw rows may hold personal data and are not shown here; operators see them with wenzheng rejects."},
		"st.row":            {"行号", "Row"},
		"st.reason":         {"原因", "Reason"},
		"st.invariant":      {"每次导入都满足：读取 = 新增 + 更新 + 未变 + 拒收。", "Every load keeps read = new + updated + unchanged + rejected."},
		"st.live":           {"本页实时读取，不经缓存。", "This page is read live, not cached."},
	})
}

// statusRunsPerSource and statusRejectsPerSource bound what /status lists.
const (
	statusRunsPerSource    = 10
	statusRejectsPerSource = 5
)

// statusView is what /status shows.
type statusView struct {
	Metrics *dataVersion
	Sources []sourceStatus
	// RejectsShown is how many reasons are listed per source.
	RejectsShown int
}

type sourceStatus struct {
	Name, Profile, TimeZone string
	Messages, Deleted       int64
	LastOK                  string
	RunsTotal, Rejected     int64
	Runs                    []runRow
	Rejects                 []rejectRow
}

type runRow struct {
	ingest.RunInfo
	Started, Took, Result, Error string
}

type rejectRow struct {
	RunID, Row int64
	Reason     string
}

// handleStatus serves /status live, unlike the other pages: operators
// look at it to see a load that just failed, which does not change the
// metrics the page cache is keyed by, and it must work before the first
// metrics are computed.
func (s *Server) handleStatus(c *fiber.Ctx) error {
	ctx := c.UserContext()
	r, err := s.data.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	l := lang(c)
	data := s.newPage(c, T(l, "st.title"))
	v, err := r.Version(ctx)
	switch {
	case err == nil:
		data.Version, data.Demo = &v, v.Demo
	case !errors.Is(err, analytics.ErrNoMetrics):
		return err
	}
	view, err := statusOf(ctx, r, l)
	if err != nil {
		return err
	}
	view.Metrics = data.Version
	data.Content = view
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return s.render(c, "status", data)
}

// statusSourcesSQL lists every source known to the sources table, the
// runs or the messages, with its counts.
const statusSourcesSQL = `WITH msg AS (
	SELECT source, count(*) AS n, count(*) FILTER (WHERE status = 'deleted') AS deleted FROM messages GROUP BY source
), rn AS (
	SELECT source, count(*) AS n, max(finished_at) FILTER (WHERE status = 'ok') AS last_ok FROM runs GROUP BY source
), rj AS (
	SELECT source, count(*) AS n FROM rejects GROUP BY source
), names AS (
	SELECT name FROM sources UNION SELECT source FROM rn UNION SELECT source FROM msg
)
SELECT names.name, coalesce(s.profile, ''), coalesce(s.time_zone, ''), coalesce(msg.n, 0), coalesce(msg.deleted, 0),
	rn.last_ok, coalesce(rn.n, 0), coalesce(rj.n, 0)
FROM names
LEFT JOIN sources s ON s.name = names.name
LEFT JOIN msg ON msg.source = names.name
LEFT JOIN rn ON rn.source = names.name
LEFT JOIN rj ON rj.source = names.name
ORDER BY names.name`

// statusRunsSQL: each source's newest runs.
const statusRunsSQL = `SELECT run_id, source, started_at, finished_at, coalesce(input_name, ''), coalesce(sha256, ''),
	rows_read, inserted, updated, unchanged, rejected, deleted_detected, status, coalesce(error, '')
FROM runs
QUALIFY row_number() OVER (PARTITION BY source ORDER BY run_id DESC) <= ?
ORDER BY source, run_id DESC`

// statusRejectsSQL: each source's newest rejects, without the raw rows.
const statusRejectsSQL = `SELECT source, run_id, "row_number", reason
FROM rejects
QUALIFY row_number() OVER (PARTITION BY source ORDER BY run_id DESC, "row_number" DESC) <= ?
ORDER BY source, run_id DESC, "row_number"`

func statusOf(ctx context.Context, r Reader, l string) (*statusView, error) {
	view := &statusView{RejectsShown: statusRejectsPerSource}
	rows, err := r.Querier().QueryContext(ctx, statusSourcesSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	index := map[string]int{}
	for rows.Next() {
		var src sourceStatus
		var lastOK sql.NullTime
		if err := rows.Scan(&src.Name, &src.Profile, &src.TimeZone, &src.Messages, &src.Deleted, &lastOK, &src.RunsTotal, &src.Rejected); err != nil {
			return nil, err
		}
		src.LastOK = T(l, "st.never")
		if lastOK.Valid {
			src.LastOK = when(lastOK.Time)
		}
		index[src.Name] = len(view.Sources)
		view.Sources = append(view.Sources, src)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = r.Querier().QueryContext(ctx, statusRunsSQL, statusRunsPerSource)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r runRow
		if err := rows.Scan(&r.RunID, &r.Source, &r.StartedAt, &r.FinishedAt, &r.Input, &r.SHA256, &r.RowsRead, &r.Inserted,
			&r.Updated, &r.Unchanged, &r.Rejected, &r.DeletedDetected, &r.Status, &r.Error); err != nil {
			return nil, err
		}
		r.Started = when(r.StartedAt)
		if r.FinishedAt.Valid {
			r.Took = tookString(r.FinishedAt.Time.Sub(r.StartedAt))
		}
		r.Result = T(l, "st.status."+r.Status)
		// Errors are written for operators; they may quote input.
		r.Error = redact.String(r.Error)
		if i, ok := index[r.Source]; ok {
			view.Sources[i].Runs = append(view.Sources[i].Runs, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = r.Querier().QueryContext(ctx, statusRejectsSQL, statusRejectsPerSource)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var source string
		var r rejectRow
		if err := rows.Scan(&source, &r.RunID, &r.Row, &r.Reason); err != nil {
			return nil, err
		}
		// A reason may quote a value from the row.
		r.Reason = redact.String(r.Reason)
		if i, ok := index[source]; ok {
			view.Sources[i].Rejects = append(view.Sources[i].Rejects, r)
		}
	}
	return view, rows.Err()
}

// tookString shows a run's duration to the second, or in milliseconds
// when shorter.
func tookString(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return d.Round(time.Second).String()
}
