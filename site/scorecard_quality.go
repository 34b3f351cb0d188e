package site

import (
	"fmt"
	"net/url"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// The scorecard's 回复质量 / reply quality section: whether the first
// answers said anything (issue 14), a department's most reused texts, and
// how the dialogue after the answers went. Shown beside the score, never
// in it.

// clusterLimit is how many template clusters a department's scorecard lists.
const clusterLimit = 5

// exampleChars is how much of a cluster's example text is shown.
const exampleChars = 120

// qualityView is the section, decided from what the read API gave.
type qualityView struct {
	// Missing says why there is nothing to show (no computation with
	// reply quality yet); everything else is then empty.
	Missing string
	// Rates: substantive, template, forwarded only, acknowledgment only,
	// each with its interval and n; BaseNote says what they divide by,
	// NoBase replaces them when nothing was answered.
	Rates    []kpiCard
	BaseNote string
	NoBase   string

	// Department: a department's scorecard lists its template clusters.
	Department   bool
	Clusters     []clusterRow
	ClustersNote string
	ClustersNone string

	// DialogueAbsent says why there are no dialogue figures (never 0);
	// else Dialogue holds them.
	DialogueAbsent string
	Dialogue       []kpiCard
}

// clusterRow is one of a department's reused texts.
type clusterRow struct {
	ID                string
	Replies, Messages int64
	First, Last       string // dates, Beijing time
	Example           string // the core text, masked, cut to exampleChars
	URL               string // the messages that got it
}

// qualityViewOf decides the section of an entity's metrics and, for a
// department, its largest template clusters.
func qualityViewOf(l string, m analytics.Metrics, department bool, clusters []analytics.TemplateCluster) *qualityView {
	v := &qualityView{Department: department}
	q := m.Quality
	if q == nil {
		v.Missing = T(l, "q.not_computed")
		return v
	}
	if q.Base == 0 {
		v.NoBase = T(l, "q.no_base")
	} else {
		v.Rates = []kpiCard{
			rateCardOf(l, "q.substantive_rate", q.SubstantiveRate),
			rateCardOf(l, "q.template_share", q.TemplateShare),
			rateCardOf(l, "q.forwarded_share", q.ForwardedShare),
			rateCardOf(l, "q.ack_share", q.AckShare),
		}
		v.BaseNote = fmt.Sprintf(T(l, "q.base_note"), num(q.Base))
	}
	if department {
		v.ClustersNote = fmt.Sprintf(T(l, "q.clusters_note"), substance.MaxDistance, substance.MinTemplate)
		v.ClustersNone = fmt.Sprintf(T(l, "q.clusters_none"), substance.MinTemplate)
		for _, c := range clusters {
			v.Clusters = append(v.Clusters, clusterRow{ID: c.ClusterID, Replies: c.Replies, Messages: c.Messages,
				First: c.FirstAt.In(beijing).Format(time.DateOnly), Last: c.LastAt.In(beijing).Format(time.DateOnly),
				Example: cutText(c.Example, exampleChars), URL: templateURL(c.ClusterID)})
		}
	}
	if q.DialogueAbsent != "" {
		v.DialogueAbsent = absentText(l, q.DialogueAbsent)
		return v
	}
	v.Dialogue = dialogueCards(l, q)
	return v
}

// dialogueCards are the dialogue figures of a source that records
// dialogue.
func dialogueCards(l string, q *analytics.Quality) []kpiCard {
	missing := T(l, "q.none")
	count := func(n *int64) string {
		if n == nil {
			return missing
		}
		return num(*n)
	}
	followed := kpiCard{Label: T(l, "q.followed_up"), Value: missing}
	if q.Threads != nil && q.FollowedUp != nil {
		followed.Detail = fmt.Sprintf(T(l, "q.followed_up_sub"), num(*q.FollowedUp), num(*q.Threads))
		if *q.Threads > 0 {
			share := float64(*q.FollowedUp) / float64(*q.Threads)
			followed.Value = pct(&share)
		}
	}
	turnaround := rateCardOf(l, "q.turnaround", q.TurnaroundRate)
	turnaround.Average = T(l, "q.turnaround_sub")
	repeat := rateCardOf(l, "q.repeat", q.RepeatRate)
	repeat.Average = T(l, "q.repeat_sub")
	if q.RepeatAbsent != "" {
		repeat = kpiCard{Label: T(l, "q.repeat"), Value: missing, Detail: absentText(l, q.RepeatAbsent)}
	}
	return []kpiCard{
		followed,
		{Label: T(l, "q.rounds"), Value: fixed(q.RoundsMean, 2), Detail: T(l, "q.rounds_sub")},
		rateCardOf(l, "q.first_sat", q.FirstSatisfaction),
		rateCardOf(l, "q.final_sat", q.FinalSatisfaction),
		turnaround,
		{Label: T(l, "q.turnaround_time"), Value: inHours(l, q.TurnaroundMedianH, false), Detail: T(l, "q.turnaround_time_sub")},
		{Label: T(l, "q.reopened"), Value: count(q.Reopened), Detail: fmt.Sprintf(T(l, "q.reopened_sub"), count(q.Threads))},
		repeat,
	}
}

// rateCardOf is a rate as the scorecard's cards show it: the value, then its
// 95% interval and n.
func rateCardOf(l, key string, r analytics.Rate) kpiCard {
	c := kpiCard{Label: T(l, key), Value: pct(r.Value), Detail: interval(l, r)}
	if r.N > 0 {
		c.Detail = T(l, "kpi.ci") + " " + c.Detail
	}
	return c
}

// absentText says why a figure is absent, by the read API's reason code.
func absentText(l, code string) string {
	if _, ok := messages["q.absent."+code]; ok {
		return T(l, "q.absent."+code)
	}
	return fmt.Sprintf(T(l, "q.absent"), code)
}

// templateURL lists the messages whose reply used a template cluster.
func templateURL(clusterID string) string {
	return "/messages?" + url.Values{"template": {clusterID}}.Encode()
}

// cutText is s cut to n characters, "…" marking a cut.
func cutText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
