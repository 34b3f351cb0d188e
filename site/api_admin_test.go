package site

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAdminRun(t *testing.T) {
	mustDemoApp(t) // shares the demo database
	started := 0
	busy := false
	app, err := New(Config{DB: demoDB, AdminToken: "0123456789abcdef-token", StartJob: func() error {
		if busy {
			return ErrJobBusy
		}
		started++
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	post := func(auth string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/admin/run", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		b := new(strings.Builder)
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return resp.StatusCode, b.String()
	}
	tests := []struct {
		name, auth string
		busy       bool
		status     int
		want       string
	}{
		{"no token", "", false, 401, `"error"`},
		{"wrong token", "Bearer nope", false, 401, "wrong admin token"},
		{"right token", "Bearer 0123456789abcdef-token", false, 202, "started"},
		{"already running", "Bearer 0123456789abcdef-token", true, 409, "already in progress"},
	}
	for _, tt := range tests {
		busy = tt.busy
		status, body := post(tt.auth)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.name, status, body, tt.status, tt.want)
		}
	}
	if started != 1 {
		t.Errorf("job started %d times, want 1", started)
	}
	// Without a token configured the endpoint does not exist.
	off, _ := New(Config{DB: demoDB})
	resp, _ := off.Test(httptest.NewRequest(http.MethodPost, "/api/v1/admin/run", nil))
	if resp.StatusCode != 404 {
		t.Errorf("endpoint without token: %d, want 404", resp.StatusCode)
	}
}
