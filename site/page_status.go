package site

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// Transitional, until routes.go and joinLabels name these pages too.
// statusLabels are /status's labels.
var statusLabels = map[string][2]string{
	"st.title":          {"数据状态", "Data status"},
	"st.fresh":          {"数据新鲜度", "Freshness"},
	"st.metrics":        {"指标最近一次计算于 %s（北京时间），计入截至 %s 的载入；各数据源的数据截至时间见页末。", "Metrics were last computed %s (Beijing time), counting the loads up to %s; each source's data-as-of time is at the foot of the page."},
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
	"st.next":           {"下一次定时运行（导入新文件并重算指标）：%s（北京时间）。", "The next scheduled run (new input files, then metrics): %s (Beijing time)."},
	"st.no_next":        {"本进程没有安排定时运行。", "No run is scheduled in this process."},
	"st.failed":         {"失败的导入", "Failed loads"},
	"st.failed_none":    {"最近的导入都没有失败。", "None of the recent loads failed."},
	"st.failed_note":    {"各数据源最近 %d 次导入中失败的，最新的在前。", "Those that failed among each source's %d most recent loads, newest first."},
	"st.source":         {"数据源", "Source"},
	"st.coverage":       {"识别率", "Coverage"},
	"st.region_found":   {"识别出地区", "Region found"},
	"st.dept_found":     {"识别出部门", "Department found"},
	"st.of":             {"%s / %s 条", "%s of %s"},
	"st.coverage_note":  {"留言（含已删除）中，地区或部门能在参考表中找到的比例；其余在排行中计为“未识别”。", "The share of messages (deleted ones included) whose region or department the reference tables know; the rest count as “unattributed” in the rankings."},
	"st.range":          {"数据范围", "Data range"},
	"st.range_note":     {"最早和最晚一条留言的时间，按数据源的时区。", "The first and last message's time, in the source's time zone."},
	"st.no_range":       {"没有留言", "no messages"},
}

// statusRunsPerSource and statusRejectsPerSource bound what /status lists.
const (
	statusRunsPerSource    = 10
	statusRejectsPerSource = 5
)

// statusPage is what /status shows.
type statusPage struct {
	Metrics *dataVersion
	// NextRun is when the nightly run next starts, "" when none is
	// scheduled in this process.
	NextRun string
	// Failed are the failed runs among Sources' Runs, newest first.
	Failed  []failedRun
	Sources []sourceStatus
	// RejectsShown is how many reasons are listed per source, RunsShown
	// how many runs.
	RejectsShown, RunsShown int
}

type sourceStatus struct {
	Name, Profile, TimeZone string
	Messages, Deleted       int64
	LastOK                  string
	RunsTotal, Rejected     int64
	Runs                    []runRow
	Rejects                 []rejectRow
	// RegionFound and DepartmentFound are the coverage, "75.0%";
	// RegionOf and DepartmentOf their counts, "3 / 4 条".
	RegionFound, RegionOf, DepartmentFound, DepartmentOf string
	// First and Last are the data range in the source's zone, "" without
	// messages.
	First, Last string
}

type failedRun struct {
	Source string
	runRow
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
	st, err := r.Status(ctx, statusRunsPerSource, statusRejectsPerSource)
	if err != nil {
		return err
	}
	var next time.Time
	if s.nextRun != nil {
		next = s.nextRun()
	}
	data.Content = statusView(l, data.Version, st, next)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return s.render(c, "status", data)
}

// statusView decides what /status shows: each source with its coverage,
// data range, runs and rejects, and the failed runs; metrics is the
// computation the data is at (nil before the first), next the next
// scheduled run (zero: none).
func statusView(l string, metrics *dataVersion, st analytics.Status, next time.Time) *statusPage {
	view := &statusPage{Metrics: metrics, RejectsShown: statusRejectsPerSource, RunsShown: statusRunsPerSource}
	if !next.IsZero() {
		view.NextRun = when(next)
	}
	index := map[string]int{}
	for _, src := range st.Sources {
		s := sourceStatus{Name: src.Name, Profile: src.Profile, TimeZone: src.TimeZone, Messages: src.Messages,
			Deleted: src.Deleted, RunsTotal: src.RunsTotal, Rejected: src.Rejected, LastOK: T(l, "st.never")}
		if src.LastOK.Valid {
			s.LastOK = when(src.LastOK.Time)
		}
		s.RegionFound, s.RegionOf = coverage(l, src.RegionFound, src.Messages)
		s.DepartmentFound, s.DepartmentOf = coverage(l, src.DepartmentFound, src.Messages)
		if src.FirstAt.Valid && src.LastAt.Valid {
			loc, err := time.LoadLocation(src.TimeZone)
			if err != nil {
				loc = time.UTC
			}
			s.First, s.Last = localTime(src.FirstAt.Time, loc), localTime(src.LastAt.Time, loc)
		}
		index[s.Name] = len(view.Sources)
		view.Sources = append(view.Sources, s)
	}
	for _, run := range st.Runs {
		r := runRow{RunInfo: run, Started: when(run.StartedAt), Result: T(l, "st.status."+run.Status), Error: run.Error}
		if run.FinishedAt.Valid {
			r.Took = tookString(run.FinishedAt.Time.Sub(run.StartedAt))
		}
		if i, ok := index[run.Source]; ok {
			view.Sources[i].Runs = append(view.Sources[i].Runs, r)
			if run.Status == "failed" {
				view.Failed = append(view.Failed, failedRun{Source: run.Source, runRow: r})
			}
		}
	}
	// Runs come by source; the failed ones read newest first.
	slices.SortStableFunc(view.Failed, func(a, b failedRun) int { return b.StartedAt.Compare(a.StartedAt) })
	for _, rj := range st.Rejects {
		if i, ok := index[rj.Source]; ok {
			view.Sources[i].Rejects = append(view.Sources[i].Rejects, rejectRow{RunID: rj.RunID, Row: rj.Row, Reason: rj.Reason})
		}
	}
	return view
}

// coverage is found of n as a share ("75.0%") and in counts ("3 / 4 条"),
// both "" when n is 0.
func coverage(l string, found, n int64) (share, counts string) {
	if n == 0 {
		return "", ""
	}
	v := float64(found) / float64(n)
	return pct(&v), fmt.Sprintf(T(l, "st.of"), num(found), num(n))
}

// tookString shows a run's duration to the second, or in milliseconds
// when shorter.
func tookString(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return d.Round(time.Second).String()
}
