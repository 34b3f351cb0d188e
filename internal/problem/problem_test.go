package problem

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestKinds(t *testing.T) {
	noData := New(Unavailable, "还没有数据", "no data yet")
	busy := New(Unavailable, "忙", "busy")
	wrapped := fmt.Errorf("reading rankings: %w", New(Invalid, "级别 %q 无效", "level %q is not valid", "planet"))
	tests := []struct {
		name   string
		err    error
		kind   Kind
		status int
		zh, en string
	}{
		{"invalid through a wrap", wrapped, Invalid, 400, `级别 "planet" 无效`, `level "planet" is not valid`},
		{"not found", New(NotFound, "没有 %s", "no %s", "x"), NotFound, 404, "没有 x", "no x"},
		{"unavailable", noData, Unavailable, 503, "还没有数据", "no data yet"},
		{"conflict", New(Conflict, "冲突", "conflict"), Conflict, 409, "冲突", "conflict"},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), Unavailable, 503, "请求处理超时，请稍后重试。", "the request took too long; please try again later"},
		{"sentinel with words", fmt.Errorf("%w: no region %q", ErrNotFound, "9"), NotFound, 404, `no region "9"`, `no region "9"`},
		{"plain error", errors.New("sql: connection refused"), Internal, 500, "服务器内部错误。", "internal server error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := As(tt.err)
			if e.Kind != tt.kind || e.Kind.Status() != tt.status || e.Message("zh") != tt.zh || e.Message("en") != tt.en {
				t.Errorf("got %v %d %q %q, want %v %d %q %q", e.Kind, e.Kind.Status(), e.Message("zh"), e.Message("en"), tt.kind, tt.status, tt.zh, tt.en)
			}
		})
	}
	if !errors.Is(wrapped, ErrInvalid) || errors.Is(wrapped, ErrNotFound) {
		t.Error("kind sentinels must match by kind only")
	}
	if errors.Is(busy, noData) || !errors.Is(noData, noData) || !errors.Is(busy, ErrUnavailable) {
		t.Error("an error with a message must match only itself")
	}
	cause := errors.New("disk full")
	if w := Wrap(cause, Internal, "写入失败", "write failed"); !errors.Is(w, cause) || w.Error() != "write failed" {
		t.Errorf("Wrap: %v", w)
	}
}
