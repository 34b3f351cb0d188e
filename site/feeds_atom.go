package site

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gorilla/feeds"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
)

// The feeds decided: pure functions from what the read API gives to an
// Atom document (gorilla/feeds' AtomFeed), so they are tested without HTTP.
// Entries are in the feed's language; their ids are not, nor do they
// change when an entry's figures do: a reader shows an entry once, and
// again as updated when its updated time moves.

// feedBase is what makes a feed's links and ids absolute: the site's
// address (baseURL: public_url, else the request's), and the tag URI
// prefix (RFC 4151) of its ids, tag:<host>,2026:<path>. With public_url
// every id stays the same whatever name the site is reached under; without
// it, ids follow the request's host. The date is when Wenzheng began
// minting them.
type feedBase struct {
	URL string // https://example.org
	Tag string // tag:example.org,2026:
}

// tagHost keeps of a host what a tag URI's authority may hold.
var tagHost = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)

// feedBaseOf is the feed base of an address such as https://example.org:8080.
func feedBaseOf(base string) feedBase {
	host := ""
	if u, err := url.Parse(base); err == nil {
		host = strings.ToLower(u.Hostname())
	}
	if !tagHost.MatchString(host) {
		host = "localhost"
	}
	return feedBase{URL: base, Tag: "tag:" + host + ",2026:"}
}

// atomFeed is gorilla's AtomFeed with two links, the page's and the
// link to itself that Atom asks for (gorilla's has room for one; this
// field, shallower, takes the place of its own in the XML).
type atomFeed struct {
	*feeds.AtomFeed
	Links []feeds.AtomLink
}

// newFeed is the part every feed shares: its id, title, links, author.
// path is the feed's own, page the page it is of.
func newFeed(l string, b feedBase, path, page, title, subtitle string, updated time.Time) atomFeed {
	links := []feeds.AtomLink{{Href: b.URL + page, Rel: "alternate", Type: "text/html"},
		{Href: b.URL + path + feedQuery(l), Rel: "self", Type: "application/atom+xml"}}
	return atomFeed{Links: links, AtomFeed: &feeds.AtomFeed{
		Xmlns: "http://www.w3.org/2005/Atom", Id: b.Tag + path, Title: title, Subtitle: subtitle, Updated: atomTime(updated),
		Author: &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: T(l, "feed.author"), Uri: b.URL + "/"}},
	}}
}

// newEntry is one entry; content is HTML, escaped by the caller.
func newEntry(b feedBase, id, link, title string, updated time.Time, content string) *feeds.AtomEntry {
	return &feeds.AtomEntry{Id: b.Tag + id, Title: title, Updated: atomTime(updated),
		Links:   []feeds.AtomLink{{Href: b.URL + link, Rel: "alternate", Type: "text/html"}},
		Content: &feeds.AtomContent{Content: content, Type: "html"}}
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// renderAtom writes a feed; encoding/xml escapes every text and attribute.
func renderAtom(f atomFeed) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// entryHTML is an entry's content: pairs of label and value as a list,
// each text escaped (a reader renders the content as HTML, after XML has
// unescaped it once).
func entryHTML(l string, rows [][2]string) string {
	colon := map[string]string{"zh": "：", "en": ": "}[l]
	var b strings.Builder
	b.WriteString("<ul>")
	for _, r := range rows {
		b.WriteString("<li>" + html.EscapeString(r[0]))
		if r[1] != "" {
			b.WriteString(colon + html.EscapeString(r[1]))
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ul>")
	return b.String()
}

// newest is the latest of the entries' times, or fallback for a feed
// with none: a feed is updated when its newest entry is.
func newest(fallback time.Time, times ...time.Time) time.Time {
	if len(times) == 0 {
		return fallback
	}
	out := times[0]
	for _, t := range times[1:] {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// scorecardAtom is an entity's monthly scorecard feed: one entry per
// matured month, newest first.
func scorecardAtom(l string, b feedBase, e scorecardEntity, id string, f analytics.ScorecardFeed) atomFeed {
	name := pickName(l, f.Name, f.NameEn)
	page := e.prefix + url.PathEscape(id)
	share := numfmt.Percent(&f.DueShare)
	var times []time.Time
	var entries []*feeds.AtomEntry
	for _, m := range f.Months {
		times = append(times, m.ComputedAt)
		rank := T(l, "rank.insufficient")
		var ranked int64
		if m.PoolRanked != nil {
			ranked = *m.PoolRanked
		}
		r, move, _, _ := rankTexts(l, m.Metrics, ranked)
		if r != "" {
			rank = r
		}
		score := fixed(m.Score, 1)
		title := fmt.Sprintf(T(l, "feed.month_title"), name, m.Period, rank, score)
		rows := [][2]string{{T(l, "sc.rank"), strings.TrimSpace(rank + " " + move)}, {T(l, "col.score"), score}}
		for _, r := range []struct {
			key  string
			rate analytics.Rate
		}{{"kpi.reply_rate", m.ReplyRate}, {"kpi.on_time_rate", m.OnTimeRate}, {"kpi.satisfaction", m.SatisfactionRate}} {
			rows = append(rows, [2]string{T(l, r.key), pct(r.rate.Value) + " (" + interval(l, r.rate) + ")"})
		}
		rows = append(rows, [2]string{T(l, "kpi.received"), num(m.Received)})
		link := page + "?period_kind=month&period=" + url.QueryEscape(m.Period) + strings.Replace(feedQuery(l), "?", "&", 1)
		entries = append(entries, newEntry(b, page+"/month/"+m.Period, link, title, m.ComputedAt, entryHTML(l, rows)))
	}
	out := newFeed(l, b, feedPath(e, id, ""), page+feedQuery(l), fmt.Sprintf(T(l, "feed.scorecard_title"), name),
		fmt.Sprintf(T(l, "feed.scorecard_sub"), share), newest(f.ComputedAt, times...))
	out.Entries = entries
	return out
}

// overdueAtom is a department's overdue messages: one entry per message,
// dated when its deadline passed (it became overdue then), the one that
// passed last first. Its texts are the scorecard's: masked titles.
func overdueAtom(l string, b feedBase, id string, f analytics.OverdueFeed) atomFeed {
	e := scorecardEntities[1]
	name := pickName(l, f.Name, f.NameEn)
	page := e.prefix + url.PathEscape(id)
	var times []time.Time
	var entries []*feeds.AtomEntry
	for _, o := range f.Messages {
		times = append(times, o.DeadlineAt)
		title := o.Title
		if title == "" {
			title = T(l, "sc.untitled")
		}
		category := o.Category
		if category == "" {
			category = T(l, "sc.uncategorised")
		}
		rows := [][2]string{
			{T(l, "sc.col.posted"), localTime(o.PostedAt, analytics.Zone(o.TimeZone))},
			{T(l, "sc.col.deadline"), o.DeadlineDay},
			{T(l, "sc.col.category"), category},
		}
		thread := threadURL(o.Source, o.SourceID)
		entries = append(entries, newEntry(b, page+"/overdue/"+url.PathEscape(o.Source)+"/"+url.PathEscape(o.SourceID),
			thread+feedQuery(l), title, o.DeadlineAt, entryHTML(l, rows)))
	}
	out := newFeed(l, b, feedPath(e, id, "/overdue"), page+feedQuery(l)+"#sc-overdue", fmt.Sprintf(T(l, "feed.overdue_title"), name),
		fmt.Sprintf(T(l, "feed.overdue_sub"), num(f.Total), len(f.Messages)), newest(f.ComputedAt, times...))
	out.Entries = entries
	return out
}

// releasesAtom lists the releases, newest first, each dated when it was
// published. With none yet the feed is empty, updated at the Unix epoch:
// nothing has happened since.
func releasesAtom(l string, b feedBase, rels []*release) atomFeed {
	var times []time.Time
	var entries []*feeds.AtomEntry
	for i, r := range rels {
		if i == feedReleases {
			break
		}
		times = append(times, r.CreatedAt)
		var added, updated, deleted int64
		for _, c := range r.Changes {
			added, updated, deleted = added+c.Added, updated+c.Updated, deleted+c.Deleted
		}
		body := fmt.Sprintf(T(l, "feed.release_body"), when(r.AsOf), len(r.Tables), num(added), num(updated), num(deleted))
		rows := [][2]string{{body, ""}}
		if r.Demo {
			rows = append(rows, [2]string{T(l, "ds.demo"), ""})
		}
		entries = append(entries, newEntry(b, "/datasets/"+r.ID, "/datasets?release="+url.QueryEscape(r.ID)+strings.Replace(feedQuery(l), "?", "&", 1),
			fmt.Sprintf(T(l, "feed.release_title"), r.ID), r.CreatedAt, entryHTML(l, rows)))
	}
	out := newFeed(l, b, "/feeds/releases.atom", "/datasets"+feedQuery(l), T(l, "feed.releases_title"), T(l, "feed.releases_sub"),
		newest(time.Unix(0, 0), times...))
	out.Entries = entries
	return out
}
