package datasets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// A release publishes reply quality (issue 14): the replies table each
// department reply's class and signals (a citizen's follow-up has none;
// the template a department sent three times is 'template' with its
// cluster's id and size), the metrics tables the quality metrics of each
// entity and period, template_clusters the clusters of at least three;
// every new column documented in both languages.
func TestReleasePublishesReplyQuality(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	const tpl = "网友：您好！经查，您反映的幸福小区路灯问题，我局已安排维修单位于2019年5月3日前修复，并责令物业加强巡查。感谢您的关注！"
	var lines []string
	for i, id := range []string{"A", "B", "C"} {
		lines = append(lines, `{"source_id":"`+id+`","department_id":"d:lights","title":"路灯不亮","body":"幸福小区路灯坏了","posted_at":"2025-03-0`+
			string(rune('3'+i))+`T09:00:00+08:00","replies":[{"seq":1,"replied_at":"2025-03-0`+string(rune('5'+i))+`T09:00:00+08:00","body":"`+tpl+`","kind":"official"}]}`)
	}
	lines = append(lines, `{"source_id":"D","department_id":"d:roads","title":"噪音","body":"夜间施工","posted_at":"2025-03-10T09:00:00+08:00","replies":[`+
		`{"seq":1,"replied_at":"2025-03-12T09:00:00+08:00","body":"网友：您好！留言已收悉","kind":"official"},`+
		`{"seq":2,"replied_at":"2025-03-13T09:00:00+08:00","body":"还是很吵","kind":"citizen_follow_up"}]}`)
	// The board's as_of is its latest time: this message's, when the
	// others are long due.
	lines = append(lines, `{"source_id":"E","title":"井盖","body":"丢失","posted_at":"2025-05-30T09:00:00+08:00"}`)
	file := filepath.Join(t.TempDir(), "board.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &ingest.Loader{DB: db, Secret: []byte("s3cret")}
	if _, err := l.LoadFile(ctx, ingest.Source{Name: "board", Profile: "canonical"}, file); err != nil {
		t.Fatal(err)
	}
	db.SetMeta(ctx, "mode", "real")
	mustCompute(t, db)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC))
	rel := filepath.Join(dir, m.ID)
	if _, err := Verify(ctx, rel); err != nil {
		t.Fatal(err)
	}
	var cluster string
	db.QueryRow(`SELECT cluster_id FROM reply_quality WHERE source_id = 'A'`).Scan(&cluster)
	csv := readText(t, filepath.Join(rel, "csv", "replies", "year=2025", "month=3", "replies.csv.gz"))
	header, body, _ := strings.Cut(csv, "\n")
	if want := "source,source_id,seq,replied_at,department_id,body,kind,class,reason,evidence,relevance,cluster_id,cluster_size"; header != want {
		t.Fatalf("replies.csv header\n  %s\nwant\n  %s", header, want)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		f := strings.Split(line, ",")
		got = append(got, strings.Join([]string{f[1], f[2], f[6], f[7], f[8], f[11], f[12]}, " "))
	}
	want := []string{
		"A 1 official template template " + cluster + " 3",
		"B 1 official template template " + cluster + " 3",
		"C 1 official template template " + cluster + " 3",
		"D 1 official ack core_empty", // the ack's reason: checked below
		"D 2 citizen_follow_up    ",
	}
	var ackReason string
	db.QueryRow(`SELECT reason FROM reply_quality WHERE source_id = 'D'`).Scan(&ackReason)
	var ackCluster string
	db.QueryRow(`SELECT cluster_id FROM reply_quality WHERE source_id = 'D'`).Scan(&ackCluster)
	want[3] = "D 1 official ack " + ackReason + " " + ackCluster + " 1"
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(cluster) != 16 {
		t.Errorf("replies.csv:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The metrics tables carry the reply-quality metrics of the same
	// entity and period (every message is long due by the load's as_of):
	// d:lights answered its 3 messages with its template, d:roads its one
	// with a receipt that the citizen followed up. No author pseudonyms:
	// no repeats, and the reason why.
	rows, err := db.Query(`SELECT concat_ws(' ', entity_id, 'base', base, 'substantive', substantive, 'template', template, 'reused', reused,
			'ack', ack, 'shares', template_share, '[' || template_lo || ']', ack_share, 'threads', threads, 'followed', followed_up,
			'rounds', rounds_mean, coalesce(dialogue_absent_reason, '-'), 'repeats', coalesce(CAST(repeat_base AS VARCHAR), '-'), repeat_absent_reason)
		FROM read_csv('` + filepath.Join(rel, "csv", "metrics_departments", "month", "2025-03.csv.gz") + `', header = true, all_varchar = true)
		WHERE period_kind = 'month' AND period = '2025-03' ORDER BY entity_id`)
	if err != nil {
		t.Fatal(err)
	}
	var metrics []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		metrics = append(metrics, line)
	}
	rows.Close()
	// Wilson 95% lower bound of 3 of 3: n / (n + z²) = 3 / (3 + 1.959964²)
	// = 0.438503 (6 decimals). As the CSV writes them: 1.0, 0.0.
	wantMetrics := []string{
		"d:lights base 3 substantive 0 template 3 reused 3 ack 0 shares 1.0 [0.438503] 0.0 threads 3 followed 0 rounds 0.0 - repeats - source_has_no_author",
		"d:roads base 1 substantive 0 template 0 reused 0 ack 1 shares 0.0 [0.0] 1.0 threads 1 followed 1 rounds 1.0 - repeats - source_has_no_author",
	}
	if strings.Join(metrics, "\n") != strings.Join(wantMetrics, "\n") {
		t.Errorf("metrics_departments.csv, 2025-03:\n%s\nwant\n%s", strings.Join(metrics, "\n"), strings.Join(wantMetrics, "\n"))
	}
	for _, name := range []string{"metrics_regions", "metrics_departments"} {
		tb, _ := m.Table(name)
		var names []string
		for _, f := range tb.Fields {
			names = append(names, f.Name)
		}
		if got := strings.Join(names, ","); !strings.Contains(got, ",base,substantive,ack,forwarded,template,reused,substantive_rate,") ||
			!strings.Contains(got, ",turnaround_median_hours,reopened,repeat_absent_reason,repeat_base,repeated,repeat_rate,repeat_lo,repeat_hi") {
			t.Errorf("%s columns: %s", name, got)
		}
	}
	// d:lights' template is a published cluster: 3 replies to 3 messages,
	// named by A's reply, the earliest.
	var clusters string
	if err := db.QueryRow(`SELECT string_agg(concat_ws(' ', department_id, cluster_id, replies, messages, example_source_id, example_seq), '; ')
		FROM read_csv('` + filepath.Join(rel, "csv", "template_clusters.csv.gz") + `', header = true, all_varchar = true)`).Scan(&clusters); err != nil ||
		clusters != "d:lights "+cluster+" 3 3 A 1" {
		t.Errorf("template_clusters.csv: %q (%v), want d:lights %s 3 3 A 1", clusters, err, cluster)
	}
	tb, _ := m.Table("replies")
	for _, f := range tb.Fields {
		if f.Description.Zh == "" || f.Description.En == "" {
			t.Errorf("replies.%s undocumented", f.Name)
		}
		if f.Name == "relevance" && (!strings.Contains(f.Description.En, "decimals") || f.Type != "number") {
			t.Errorf("replies.relevance: %+v, want a number with its precision stated", f)
		}
	}
}
