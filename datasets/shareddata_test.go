package datasets

import (
	"os"
	"path/filepath"
)

// sharedData finds a real file of the shared data folder (../shared/data
// beside the repository): $WENZHENG_SHARED_DATA first, then the folder
// beside this checkout, then /work/shared/data, where these machines keep
// it. Tests skip when it is in none of them.
func sharedData(rel string) string {
	candidates := []string{filepath.Join("..", "..", "shared", "data", rel), filepath.Join("/work/shared/data", rel)}
	if d := os.Getenv("WENZHENG_SHARED_DATA"); d != "" {
		candidates = append([]string{filepath.Join(d, rel)}, candidates...)
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return candidates[0]
}
