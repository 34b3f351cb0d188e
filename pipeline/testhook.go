package pipeline

import (
	"context"
	"fmt"
	"os"
)

// testPause is a fault-injection point for the tests that kill or signal a
// real wenzheng process at a chosen moment: when WENZHENG_TEST_PAUSE names
// the point (after-commit: a run has just committed, before the recompute;
// during-load: a run is loading rows), the process says so on stderr and
// waits until it is killed or its context ends. Without the variable it
// does nothing.
func testPause(ctx context.Context, point string) error {
	if os.Getenv("WENZHENG_TEST_PAUSE") != point {
		return nil
	}
	fmt.Fprintf(os.Stderr, "wenzheng-test: paused %s\n", point)
	<-ctx.Done()
	return ctx.Err()
}
