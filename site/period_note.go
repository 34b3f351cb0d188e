package site

import (
	"fmt"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// provisionalNote says, on a page showing a provisional period, why its
// figures will still change: the period is running, or too few of its
// messages are due yet. Empty for a mature period.
func provisionalNote(l string, st analytics.PeriodStatus, p analytics.Params) string {
	if !st.Provisional {
		return ""
	}
	due := pct(st.DueShare)
	if !st.Ended {
		return fmt.Sprintf(T(l, "period.running"), due)
	}
	need := p.MatureShare()
	return fmt.Sprintf(T(l, "period.provisional"), due, pct(&need))
}
