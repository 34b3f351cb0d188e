// Package analytics holds Wenzheng's metric definitions: the working-day
// calendar, Wilson intervals, Kaplan–Meier times to reply, shrunk scores and
// competition ranking. Each definition exists once, here; the SQL in
// metrics.sql materialises them after every load, and the Go functions are
// the reference the tests check it against.
package analytics

import (
	"errors"
	"fmt"
)

// Params are the methodology values in force. They are stored with every
// computation so an old ranking stays explainable.
type Params struct {
	WeightReply        float64 `json:"w_reply"`
	WeightOnTime       float64 `json:"w_on_time"`
	WeightSatisfaction float64 `json:"w_satisfaction"`
	// WeightBasic is how much a 基本满意 counts towards satisfaction.
	WeightBasic float64 `json:"w_basic"`
	// M is the shrinkage strength: an entity with n messages is pulled
	// towards its level's rate as if it had M more at that rate.
	M float64 `json:"m"`
	// MinN is the number of mature messages an entity needs to be ranked.
	MinN int `json:"min_n"`
	// Z is the normal quantile of the intervals (1.96 for 95%).
	Z float64 `json:"z"`
	// DueShare is the share of a period's messages that must be due
	// (past their deadline) for the period to be mature: the default
	// period is the latest mature one, younger ones are provisional.
	// 0 means DefaultDueShare.
	DueShare float64 `json:"due_share"`
}

// DefaultDueShare is DueShare's default, and its value for computations
// stored before it existed.
const DefaultDueShare = 0.9

// MatureShare is DueShare, or its default when the stored parameters
// predate it.
func (p Params) MatureShare() float64 {
	if p.DueShare == 0 {
		return DefaultDueShare
	}
	return p.DueShare
}

// DefaultParams are SPEC.md's defaults.
func DefaultParams() Params {
	return Params{WeightReply: 0.3, WeightOnTime: 0.3, WeightSatisfaction: 0.4, WeightBasic: 0.9, M: 10, MinN: 20, Z: Z95, DueShare: DefaultDueShare}
}

// Z95 is the two-sided 95% normal quantile.
const Z95 = 1.959963984540054

// Validate says what is wrong with a configuration, in words an operator can act on.
func (p Params) Validate() error {
	var errs []error
	for name, w := range map[string]float64{"w_reply": p.WeightReply, "w_on_time": p.WeightOnTime, "w_satisfaction": p.WeightSatisfaction} {
		if w < 0 {
			errs = append(errs, fmt.Errorf("weight %s must not be negative (got %g)", name, w))
		}
	}
	if p.WeightReply+p.WeightOnTime+p.WeightSatisfaction <= 0 {
		errs = append(errs, errors.New("at least one score weight must be positive"))
	}
	if p.WeightBasic < 0 || p.WeightBasic > 1 {
		errs = append(errs, fmt.Errorf("w_basic must be between 0 and 1 (got %g)", p.WeightBasic))
	}
	if p.M < 0 {
		errs = append(errs, fmt.Errorf("m must not be negative (got %g)", p.M))
	}
	if p.MinN < 1 {
		errs = append(errs, fmt.Errorf("min_n must be at least 1 (got %d)", p.MinN))
	}
	if p.DueShare < 0 || p.DueShare > 1 {
		errs = append(errs, fmt.Errorf("due_share must be between 0 and 1 (got %g; 0 means the default, %g)", p.DueShare, DefaultDueShare))
	}
	if p.Z <= 0 {
		errs = append(errs, fmt.Errorf("z must be positive (got %g)", p.Z))
	}
	return errors.Join(errs...)
}
