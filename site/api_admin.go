package site

import (
	"crypto/subtle"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// adminRunPath starts the nightly job (POST only).
const adminRunPath = "/api/v1/admin/run"

// ErrJobBusy is what Config.StartJob returns while a run is going.
var ErrJobBusy = errors.New("a run is already in progress")

// handleAdminRun starts the nightly job now: POST /api/v1/admin/run with
// "Authorization: Bearer <admin_token>". It answers 202 and the job runs in
// the background; the site switches to the new data when it is done.
func (s *Server) handleAdminRun(c *fiber.Ctx) error {
	if s.readOnly {
		return fiber.NewError(fiber.StatusForbidden, "this server is read-only (serve --read-only over a computed snapshot): start the run on the server that writes the database")
	}
	if s.adminToken == "" || s.startJob == nil {
		return fiber.NewError(fiber.StatusNotFound, "the admin endpoint is off: set admin_token in the config")
	}
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.adminToken)) != 1 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="wenzheng"`)
		return fiber.NewError(fiber.StatusUnauthorized, "missing or wrong admin token")
	}
	if err := s.startJob(); err != nil {
		if errors.Is(err, ErrJobBusy) {
			return fiber.NewError(fiber.StatusConflict, "a run is already in progress; try again when it has finished")
		}
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "started",
		"message": "the nightly run started; `wenzheng runs` or the logs show its progress"})
}
