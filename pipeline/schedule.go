package pipeline

import (
	"context"
	"fmt"

	"github.com/robfig/cron/v3"
)

// Schedule runs a job's nightly run at the times of a cron line. Stopping
// is in two steps so a server can stop the schedule at once, drain its
// requests, and only then wait for the run the schedule started: Stop,
// then Wait, both before the database closes.
type Schedule struct {
	cron    *cron.Cron
	stopped context.Context // done when the runs the schedule started have returned; nil until Stop
}

// StartSchedule runs j.Run(ctx) at the times spec names (robfig/cron's
// standard line, CRON_TZ= and descriptors such as @every 1h allowed). A
// time that comes while the schedule's previous run is still going is
// skipped; one that comes while other work of the job runs finds it busy.
func StartSchedule(ctx context.Context, j *Job, spec string) (*Schedule, error) {
	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := c.AddFunc(spec, func() { j.Run(ctx) }); err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	c.Start()
	return &Schedule{cron: c}, nil
}

// Stop stops the schedule: once it returns, no run starts. A run already
// going goes on (cancel its context to stop it early); Wait waits for it.
func (s *Schedule) Stop() {
	if s.stopped == nil {
		s.stopped = s.cron.Stop()
	}
}

// Wait stops the schedule if Stop was not called, then waits until the
// run it started, if any, has returned: committed, or rolled back after
// its context was cancelled. It gives up when ctx ends, with an error,
// and the run may then still be using the database.
func (s *Schedule) Wait(ctx context.Context) error {
	s.Stop()
	select {
	case <-s.stopped.Done():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the scheduled run did not stop in time (the next start recovers it): %w", ctx.Err())
	}
}
