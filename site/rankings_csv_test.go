package site

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// One vocabulary: the site's ranking CSV has the columns of
// analytics.RankingColumns (those of `rank --format csv` and of the
// release's rankings.csv), for Excel (a BOM), and each cell is the value
// the JSON API gives under the column's name, in the same unit.
func TestRankingCSVSpeaksTheAPIsVocabulary(t *testing.T) {
	app := mustDemoApp(t)
	for _, level := range []string{"province", "department"} {
		table := map[string]string{"province": "regions", "department": "departments"}[level]
		_, body := get(t, app, "/rankings/"+table+".csv?period_kind=year&period=2025")
		if !strings.HasPrefix(body, "\ufeff") {
			t.Errorf("%s.csv has no BOM", table)
		}
		records := mustParseCSV(t, body)
		if strings.Join(records[0], ",") != strings.Join(analytics.RankingHeader(), ",") {
			t.Fatalf("%s.csv header\n  %v\nwant analytics.RankingColumns\n  %v", table, records[0], analytics.RankingHeader())
		}
		_, api := get(t, app, "/api/v1/rankings?level="+level+"&period_kind=year&period=2025")
		var rk map[string]any
		if err := json.Unmarshal([]byte(api), &rk); err != nil {
			t.Fatal(err)
		}
		ranked, _ := rk["ranked"].([]any)
		if len(ranked) == 0 || len(records) < 2 {
			t.Fatalf("%s: nobody ranked", level)
		}
		row := ranked[0].(map[string]any)
		for i, c := range analytics.RankingColumns {
			path, in := c.API, row
			if path == "" {
				path = c.Name
			}
			if strings.HasPrefix(path, "/") {
				path, in = path[1:], rk
			}
			v, ok := jsonPath(in, path)
			if !ok {
				t.Errorf("%s: the API has no %s", c.Name, c.API)
				continue
			}
			if want := apiCell(v, c.Decimals); records[1][i] != want {
				t.Errorf("%s %s: CSV %q, API %q (%v)", level, c.Name, records[1][i], want, v)
			}
		}
	}
}

// The columns' Chinese names are the pages' words (回复率, not 答复率).
func TestRankingColumnsArePagesWords(t *testing.T) {
	labels := map[string]string{"rank": "col.rank", "score": "col.score", "mature": "col.mature",
		"reply_rate": "kpi.reply_rate", "on_time_rate": "kpi.on_time_rate", "satisfaction_rate": "kpi.satisfaction"}
	for _, c := range analytics.RankingColumns {
		if key, ok := labels[c.Name]; ok && (c.Zh != T("zh", key) || c.En != T("en", key)) {
			t.Errorf("%s: %q / %q, the pages say %q / %q", c.Name, c.Zh, c.En, T("zh", key), T("en", key))
		}
	}
}

// jsonPath follows a dotted path ("reply_rate.lo") in decoded JSON.
func jsonPath(v map[string]any, path string) (any, bool) {
	head, rest, more := strings.Cut(path, ".")
	x, ok := v[head]
	if !ok || !more {
		return x, ok
	}
	m, _ := x.(map[string]any)
	return jsonPath(m, rest)
}

// apiCell is a decoded JSON value as a ranking CSV cell.
func apiCell(v any, decimals int) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(v)
	case float64:
		if decimals < 0 {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return analytics.FixedCell(&v, decimals)
	case []any:
		var s []string
		for _, x := range v {
			s = append(s, x.(string))
		}
		return strings.Join(s, ",")
	}
	return v.(string)
}
