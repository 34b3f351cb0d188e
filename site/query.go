package site

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// SQL in the browser (issue 15): /datasets/query runs DuckDB-WASM over
// the latest release's files. DuckDB-WASM (npm @duckdb/duckdb-wasm,
// pinned in package-lock.json) is embedded like echarts: its bundle, worker
// and wasm are assets of our own, never fetched from elsewhere.

// queryLabels are the query page's labels.
var queryLabels = map[string][2]string{
	"qy.title":     {"SQL 查询", "SQL query"},
	"qy.intro":     {"在浏览器中用 DuckDB 查询最新的开放数据版本：查询在你的电脑上运行，本站只提供文件。", "Query the latest open-data release with DuckDB in your browser: the query runs on your computer; the site only serves the files."},
	"qy.note":      {"视图按 URL 读取版本的 Parquet 文件，只取查询用到的部分（范围请求）。DuckDB-WASM 1.28 不含 ICU 时区扩展，而本站不让浏览器从别处下载扩展：时间一律按 UTC 显示，SET TimeZone 会出错。rankings.sql 需要 ICU，请在下载的版本目录中用 DuckDB 命令行运行。", "The views read the release's Parquet files by URL, only the parts a query needs (range requests). DuckDB-WASM 1.28 has no ICU time-zone extension built in, and this site never makes your browser download extensions from elsewhere: times show in UTC, and SET TimeZone fails. rankings.sql needs ICU: run it with the DuckDB command line in the downloaded release's folder."},
	"qy.release":   {"版本", "Release"},
	"qy.none":      {"还没有发布任何数据版本，暂无可查询的数据。", "No release has been published yet: there is nothing to query."},
	"qy.examples":  {"示例", "Examples"},
	"qy.ex.rank":   {"本版本的 rankings.sql（复算排行）", "The release's rankings.sql (recomputes the rankings)"},
	"qy.ex.over":   {"逾期未回复留言最多的 10 个部门", "The 10 departments with the most overdue messages"},
	"qy.ex.prov":   {"一个省每月的回复率", "Monthly reply rate of one province"},
	"qy.sql":       {"SQL（DuckDB 语法）", "SQL (DuckDB dialect)"},
	"qy.run":       {"运行", "Run"},
	"qy.csv":       {"下载结果（CSV）", "Download the result (CSV)"},
	"qy.views":     {"可查询的表（视图）", "Tables you can query (views)"},
	"qy.views_sql": {"建视图语句（查询第一次用到某表时运行）", "The statements that make the views (each run when a query first names its table)"},
	"qy.nojs":      {"本页需要 JavaScript 和 WebAssembly。也可以下载 Parquet 文件，用 DuckDB 命令行运行同样的 SQL。", "This page needs JavaScript and WebAssembly. You can also download the Parquet files and run the same SQL with the DuckDB command line."},
	"qy.size":      {"首次打开需下载约 4.3 MB（DuckDB-WASM），之后由浏览器缓存。", "The first visit downloads about 4.3 MB (DuckDB-WASM); the browser caches it after that."},
	"qy.loading":   {"正在加载 DuckDB…", "Loading DuckDB…"},
	"qy.ready":     {"就绪。", "Ready."},
	"qy.running":   {"正在运行…", "Running…"},
	"qy.rows":      {"%d 行，用时 %s 秒", "%d rows in %s s"},
	"qy.shown":     {"（只显示前 %d 行；CSV 含全部）", "(only the first %d shown; the CSV has all)"},
	"qy.error":     {"出错：", "Error: "},
	"qy.this":      {"查询此图数据（SQL）", "Query this (SQL)"},
}

// queryPath is the page's path; /datasets/:release/* would take it, so
// queryRoutes registers it before the release files.
const queryPath = "/datasets/query"

// queryCSP is the pages' policy with what DuckDB-WASM needs: compiling
// WebAssembly ('wasm-unsafe-eval', which allows no JavaScript eval) and a
// worker of our own origin. It is sent with this page and the worker's
// script only (a worker runs under its own script's policy).
const queryCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// queryWorker is the DuckDB-WASM worker asset (see the Makefile).
const queryWorker = "duckdb-browser-eh.worker.js"

// queryRoutes: /datasets/query.
func (s *Server) queryRoutes(r fiber.Router) {
	r.Get(queryPath, etag.New(), s.handleQuery)
}

// queryView is what /datasets/query shows.
type queryView struct {
	ReleaseID string
	// Views is the SQL that makes the release's tables views by URL;
	// Origin is the origin it names (the script puts the page's own in
	// its place when a proxy made them differ).
	Views, Origin string
	Tables        []string
	// SQL is what the editor opens with: ?sql=, else the first example.
	SQL      string
	Examples []queryExample
	// Worker, Wasm and Bundle are the asset URLs DuckDB-WASM loads.
	Worker, Wasm, Bundle string
}

// queryExample is one of the pre-filled queries.
type queryExample struct {
	Label, SQL string
}

// queryMaxSQL bounds ?sql=: a link holds a query, not a script.
const queryMaxSQL = 16 << 10

func (s *Server) handleQuery(c *fiber.Ctx) error {
	l := lang(c)
	rel, err := s.releases.latest()
	if err != nil {
		return err
	}
	view := &queryView{}
	if rel != nil {
		rankings, _ := os.ReadFile(filepath.Join(rel.dir, "rankings.sql"))
		view = queryViewOf(l, rel, c.BaseURL(), string(rankings))
		view.Worker, view.Wasm, view.Bundle = s.assetsPrefix()+queryWorker, s.assetsPrefix()+"duckdb-eh.wasm", s.assetsPrefix()+"duckdb.js"
	}
	if q := c.Query("sql"); q != "" && len(q) <= queryMaxSQL {
		view.SQL = q
	}
	data := s.newPage(c, T(l, "qy.title"))
	data.Content = view
	if rel != nil {
		data.Demo = rel.Demo
		data.Scripts = []string{view.Bundle, s.assetsPrefix() + "query.js"}
	}
	c.Set(fiber.HeaderContentSecurityPolicy, queryCSP)
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return s.render(c, "query", data)
}

// queryViewOf is the page over release rel served at origin, rankings
// being the release's rankings.sql ("" when it has none).
func queryViewOf(l string, rel *release, origin, rankings string) *queryView {
	v := &queryView{ReleaseID: rel.ID, Origin: strings.TrimSuffix(origin, "/"), Views: queryViewsSQL(rel.Manifest, origin)}
	for _, t := range rel.Tables {
		if len(t.FilesOf(datasets.FormatParquet)) > 0 && tableName.MatchString(t.Name) {
			v.Tables = append(v.Tables, t.Name)
		}
	}
	if rankings != "" {
		v.Examples = append(v.Examples, queryExample{T(l, "qy.ex.rank"), rankingsExample(rankings)})
	}
	v.Examples = append(v.Examples, queryExample{T(l, "qy.ex.over"), overdueExampleSQL}, queryExample{T(l, "qy.ex.prov"), provinceExampleSQL})
	v.SQL = overdueExampleSQL
	return v
}
