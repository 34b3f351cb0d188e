package main

import (
	"fmt"
	"net/url"
	"strings"
)

// reqList builds a request list; page adds a page in Chinese (the default)
// and in English.
type reqList struct{ reqs []request }

func (l *reqList) get(path string, args ...any) {
	l.reqs = append(l.reqs, get(fmt.Sprintf(path, args...)))
}

func (l *reqList) page(path string, args ...any) {
	p := fmt.Sprintf(path, args...)
	l.get("%s", p)
	if strings.Contains(p, "?") {
		l.get("%s&lang=en", p)
	} else {
		l.get("%s?lang=en", p)
	}
}

// routeRequests is every route of the site (site/*.go, README.md) with its
// filters, variants and error cases.
func routeRequests(v ids) []request {
	var l reqList
	esc := url.QueryEscape
	month, quarter, year := v.periods["month"], v.periods["quarter"], v.periods["year"]

	// Home: every level and period kind, explicit periods, errors.
	l.page("/")
	for _, lv := range levels {
		for _, k := range periodKinds {
			l.page("/?level=%s&period_kind=%s", lv, k)
		}
	}
	l.page("/?period_kind=month&period=%s", month.oldest())
	l.page("/?period=%s", quarter.oldest())
	l.page("/?level=city&period_kind=year&period=%s", year.oldest())
	l.page("/?level=planet")
	l.page("/?period_kind=decade")
	l.page("/?period=2019-01")
	l.page("/?period=garbage")
	l.page("/?period_kind=month&period=%s", quarter.Default)
	l.get("/trend.csv")
	for _, k := range periodKinds {
		l.get("/trend.csv?period_kind=%s", k)
	}
	l.get("/trend.csv?lang=en")
	l.get("/trend.csv?period_kind=decade")

	// Region rankings: levels × kinds, drill-downs, every sort column both
	// ways, explicit periods, CSVs, errors.
	l.page("/rankings/regions")
	for _, lv := range regionLevel {
		for _, k := range periodKinds {
			l.page("/rankings/regions?level=%s&period_kind=%s", lv, k)
		}
	}
	l.page("/rankings/regions?level=province&period_kind=month&period=%s", month.oldest())
	l.page("/rankings/regions?level=city&parent=%s", v.cityParent)
	l.page("/rankings/regions?level=city&parent=%s&period_kind=year", v.cityParent)
	l.page("/rankings/regions?level=county&parent=%s", v.countyParent)
	l.page("/rankings/regions?level=province&parent=CN")
	for _, s := range sortKeys {
		for _, dir := range []string{"asc", "desc"} {
			l.page("/rankings/regions?sort=%s&dir=%s", s, dir)
		}
	}
	l.page("/rankings/regions?level=city&period_kind=quarter&sort=score&dir=asc")
	l.page("/rankings/regions?level=planet")
	l.page("/rankings/regions?sort=bogus")
	l.page("/rankings/regions?dir=up")
	l.page("/rankings/regions?level=province&parent=%s", v.province)
	l.page("/rankings/regions?level=city&parent=999999")
	l.page("/rankings/regions?period=2019-01")
	l.page("/rankings/regions?period_kind=decade")
	l.get("/rankings/regions.csv")
	for _, lv := range regionLevel {
		for _, k := range periodKinds {
			l.get("/rankings/regions.csv?level=%s&period_kind=%s", lv, k)
		}
	}
	l.get("/rankings/regions.csv?lang=en")
	l.get("/rankings/regions.csv?level=city&parent=%s", v.cityParent)
	l.get("/rankings/regions.csv?level=county&parent=%s&period_kind=year", v.countyParent)
	l.get("/rankings/regions.csv?sort=median&dir=desc")
	l.get("/rankings/regions.csv?level=planet")

	// Department rankings, nationally and within a region.
	l.page("/rankings/departments")
	for _, k := range periodKinds {
		l.page("/rankings/departments?period_kind=%s", k)
	}
	l.page("/rankings/departments?period_kind=month&period=%s", month.oldest())
	l.page("/rankings/departments?region=%s", v.cityParent)
	l.page("/rankings/departments?region=%s&period_kind=year", v.cityParent)
	l.page("/rankings/departments?region=%s", v.city)
	for _, s := range []string{"score", "name", "median", "satisfaction"} {
		l.page("/rankings/departments?period_kind=year&sort=%s", s)
	}
	l.page("/rankings/departments?sort=reply&dir=asc")
	l.page("/rankings/departments?region=999999")
	l.page("/rankings/departments?sort=bogus")
	l.page("/rankings/departments?level=city")
	l.get("/rankings/departments.csv")
	for _, k := range periodKinds {
		l.get("/rankings/departments.csv?period_kind=%s", k)
	}
	l.get("/rankings/departments.csv?region=%s&period_kind=year", v.cityParent)
	l.get("/rankings/departments.csv?lang=en")

	// Embeds: a table or a chart alone.
	for _, e := range []string{"/embed/rankings/regions", "/embed/chart/regions"} {
		l.page("%s", e)
		l.page("%s?level=city&period_kind=quarter", e)
		l.page("%s?level=county&parent=%s", e, v.countyParent)
		l.page("%s?sort=score&dir=asc", e)
		l.page("%s?level=planet", e)
	}
	for _, e := range []string{"/embed/rankings/departments", "/embed/chart/departments"} {
		l.page("%s", e)
		l.page("%s?period_kind=year", e)
		l.page("%s?region=%s", e, v.cityParent)
		l.page("%s?sort=bogus", e)
	}

	// Scorecards: each kind, an explicit older period, history and
	// distribution CSVs, errors.
	type entity struct{ prefix, id string }
	var entities []entity
	for _, id := range v.regions {
		entities = append(entities, entity{"/regions/", id})
	}
	for _, id := range v.departments {
		entities = append(entities, entity{"/departments/", id})
	}
	if v.unattributed != "" {
		entities = append(entities, entity{"/regions/", v.unattributed}, entity{"/departments/", v.unattributed})
	}
	for _, e := range entities {
		p := e.prefix + url.PathEscape(e.id)
		l.page("%s", p)
		for _, k := range periodKinds {
			l.page("%s?period_kind=%s", p, k)
		}
		l.page("%s?period_kind=month&period=%s", p, month.oldest())
		l.page("%s?period=%s", p, year.oldest())
		l.get("%s/history.csv", p)
		l.get("%s/distribution.csv", p)
		for _, k := range periodKinds {
			l.get("%s/history.csv?period_kind=%s", p, k)
			l.get("%s/distribution.csv?period_kind=%s", p, k)
		}
		l.get("%s/distribution.csv?period_kind=quarter&period=%s", p, quarter.oldest())
		l.get("%s/history.csv?lang=en", p)
		l.get("%s/distribution.csv?lang=en", p)
	}
	l.page("/regions/CN")
	l.page("/regions/999999")
	l.page("/departments/no-such-department")
	l.page("/regions/%s?period_kind=decade", v.province)
	l.page("/regions/%s?period=2019-01", v.province)
	l.page("/regions/%s?period=garbage", v.province)
	l.page("/departments/%s?period_kind=month&period=%s", url.PathEscape(v.department), quarter.Default)
	l.get("/regions/999999/history.csv")
	l.get("/regions/%s/history.csv?period_kind=decade", v.province)
	l.get("/regions/%s/distribution.csv?period=2019-01", v.province)
	l.get("/departments/no-such-department/distribution.csv")

	// Messages: every filter, pages, CSVs, errors.
	l.page("/messages")
	l.page("/messages?page=2")
	l.page("/messages?page=3")
	l.page("/messages?q=%s", esc(v.keyword))
	l.page("/messages?q=%s&page=2", esc(v.keyword))
	l.page("/messages?q=%s", esc("zzqqxx-no-such-text"))
	l.page("/messages?region=%s", v.cityParent)
	l.page("/messages?region=%s&page=2", v.cityParent)
	l.page("/messages?region=%s", v.city)
	l.page("/messages?region=%s", v.county)
	l.page("/messages?department=%s", esc(v.messageDept))
	l.page("/messages?department=%s", esc(v.department))
	l.page("/messages?category=%s", esc(v.category))
	l.page("/messages?category=%s", esc(v.categoryTop))
	for _, s := range statuses {
		l.page("/messages?status=%s", s)
	}
	l.page("/messages?from=%s&to=%s", v.from, v.to)
	l.page("/messages?from=%s", v.from)
	l.page("/messages?to=%s", v.to)
	l.page("/messages?q=%s&region=%s&status=replied&from=%s&to=%s", esc(v.keyword), v.cityParent, v.from, v.to)
	l.page("/messages?region=%s&category=%s&status=closed", v.cityParent, esc(v.categoryTop))
	l.page("/messages?page=100000")
	l.page("/messages?region=999999")
	l.page("/messages?department=no-such-department")
	l.page("/messages?status=bogus")
	l.page("/messages?from=yesterday")
	l.page("/messages?from=%s&to=%s", v.to, v.from)
	l.page("/messages?page=0")
	l.page("/messages?page=abc")
	l.page("/messages?q=%s", strings.Repeat("x", 101))
	l.get("/messages.csv")
	l.get("/messages.csv?lang=en")
	l.get("/messages.csv?q=%s", esc(v.keyword))
	l.get("/messages.csv?region=%s", v.cityParent)
	l.get("/messages.csv?department=%s", esc(v.messageDept))
	l.get("/messages.csv?category=%s", esc(v.categoryTop))
	l.get("/messages.csv?status=closed&from=%s&to=%s", v.from, v.to)
	l.get("/messages.csv?page=2")
	l.get("/messages.csv?status=bogus")
	for i, t := range v.threads {
		l.page("/messages/%s/%s", url.PathEscape(t[0]), url.PathEscape(t[1]))
		if i == 0 {
			l.page("/messages/%s/%s?full=1", url.PathEscape(t[0]), url.PathEscape(t[1]))
		}
	}
	l.page("/messages/%s/no-such-message", url.PathEscape(v.threads[0][0]))
	l.page("/messages/no-such-source/1")

	// The other pages, the catalogue, and every file of the release.
	for _, p := range []string{"/methodology", "/status", "/datasets", "/data.json"} {
		l.page("%s", p)
	}
	l.page("/datasets?release=%s", v.release)
	l.page("/datasets?release=bogus")
	for _, name := range v.releaseFiles {
		l.get("/datasets/%s/%s", v.release, name)
	}
	l.get("/datasets/%s/SHA256SUMS", v.release)
	l.get("/datasets/latest/release.json")
	l.get("/datasets/latest/csv/regions.csv")
	l.get("/datasets/%s/no-such-file.csv", v.release)
	l.page("/datasets/bogus/release.json")
	l.reqs = append(l.reqs,
		request{Path: "/datasets/" + v.release + "/release.json", Header: [2]string{"Range", "bytes=0-99"}},
		request{Path: "/datasets/" + v.release + "/release.json", Header: [2]string{"Range", "bytes=-0"}})

	// The JSON API.
	l.get("/api/v1/overview")
	for _, lv := range levels {
		l.get("/api/v1/overview?level=%s", lv)
	}
	for _, k := range periodKinds {
		l.get("/api/v1/overview?period_kind=%s", k)
	}
	l.get("/api/v1/overview?level=city&period_kind=quarter&period=%s&n=3", quarter.oldest())
	l.get("/api/v1/overview?n=100")
	for _, bad := range []string{"level=planet", "n=0", "n=abc", "period=2019-01", "period_kind=decade", "foo=1"} {
		l.get("/api/v1/overview?%s", bad)
	}
	l.get("/api/v1/rankings")
	for _, lv := range levels {
		for _, k := range periodKinds {
			l.get("/api/v1/rankings?level=%s&period_kind=%s", lv, k)
		}
	}
	l.get("/api/v1/rankings?level=province&period_kind=month&period=%s", month.oldest())
	l.get("/api/v1/rankings?level=city&parent=%s", v.cityParent)
	l.get("/api/v1/rankings?level=county&parent=%s&period_kind=year", v.countyParent)
	l.get("/api/v1/rankings?level=department&parent=%s&period_kind=year", v.cityParent)
	l.get("/api/v1/rankings?level=province&parent=CN")
	for _, bad := range []string{"level=planet", "period=2019-01", "period_kind=decade", "level=city&parent=999999", "foo=1", "level=province&period=garbage"} {
		l.get("/api/v1/rankings?%s", bad)
	}
	l.get("/api/v1/periods")
	for _, k := range periodKinds {
		l.get("/api/v1/periods?period_kind=%s", k)
	}
	l.get("/api/v1/periods?period_kind=decade")
	for _, id := range append(append([]string{"CN"}, v.regions...), v.departments...) {
		p := "/api/v1/entities/" + url.PathEscape(id)
		l.get("%s", p)
		l.get("%s?period_kind=year", p)
		l.get("%s/history", p)
		l.get("%s/history?period_kind=quarter", p)
	}
	if v.unattributed != "" {
		l.get("/api/v1/entities/%s", url.PathEscape(v.unattributed))
	}
	for _, k := range periodKinds {
		l.get("/api/v1/entities/CN?period_kind=%s", k)
		l.get("/api/v1/entities/CN/history?period_kind=%s", k)
	}
	l.get("/api/v1/entities/%s?period_kind=month&period=%s", v.province, month.oldest())
	for _, bad := range []string{"/999999", "/" + v.province + "?period=2019-01", "/" + v.province + "?period_kind=decade",
		"/" + v.province + "?foo=1", "/999999/history", "/" + v.province + "/history?period_kind=decade", "/%ZZ"} {
		l.get("/api/v1/entities%s", bad)
	}
	l.get("/api/v1/methodology")
	l.get("/api/v1/methodology?foo=1")
	l.get("/api/v1/openapi.json")
	l.get("/api/v1/openapi.json?foo=1")
	l.get("/api/v1/no-such-route")
	for _, ext := range []string{"csv", "ndjson", "parquet"} {
		p := "/api/v1/messages." + ext
		l.get("%s", p)
		l.get("%s?region=%s", p, v.county)
		l.get("%s?department=%s", p, esc(v.messageDept))
		l.get("%s?region=%s&from=%s&to=%s", p, v.cityParent, v.from, v.to)
		l.get("%s?from=%s&to=%s", p, v.to, v.to)
		l.get("%s?foo=1", p)
		l.get("%s?from=yesterday", p)
	}

	// Assets (the others come from the pages' links), the rest, methods.
	l.get("/assets/000000000000/style.css")
	l.get("/healthz")
	l.page("/no-such-page")
	l.reqs = append(l.reqs,
		request{Path: "/", Header: [2]string{"Accept-Language", "en-US,en;q=0.9"}},
		request{Path: "/messages", Header: [2]string{"Accept-Language", "en"}},
		request{Path: "/api/v1/overview", Header: [2]string{"Accept-Language", "en"}},
		request{Method: "HEAD", Path: "/"},
		request{Method: "POST", Path: "/"},
		request{Method: "DELETE", Path: "/api/v1/overview"},
		request{Method: "POST", Path: "/api/v1/admin/run"},
	)
	return dedupe(l.reqs)
}

func dedupe(reqs []request) []request {
	seen := map[string]bool{}
	var out []request
	for _, r := range reqs {
		if k := r.key(); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}
