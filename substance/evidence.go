package substance

import "strings"

// Evidence returns the Ev* bits found in a core.
func Evidence(core string) int {
	ev := 0
	for _, p := range []string{"经查", "经核实", "经调查", "现场核查"} {
		if strings.Contains(core, p) {
			ev |= EvInvestigated
		}
	}
	if strings.Contains(core, "《") || strings.Contains(core, "规定") {
		ev |= EvRule
	}
	if strings.ContainsAny(core, "0123456789") {
		ev |= EvNumber
	}
	return ev
}
