package substance

import (
	"strings"
	"unicode"
)

var salutations = []string{"网友：您好！", "网友您好！", "您好！", "您好，", "您好"}
var closings = []string{"感谢您的关注！", "感谢您的支持！", "谢谢！", "感谢您对我们工作的关心、监督与支持。"}

// Strip removes salutation and closing boilerplate and returns the core of a reply.
func Strip(reply string) string {
	s := strings.Map(func(r rune) rune {
		if r == '\u3000' || r == '\u00a0' {
			return ' '
		}
		return r
	}, reply)
	s = strings.TrimFunc(s, isPunctOrSpace)
	for _, p := range salutations {
		s = strings.TrimPrefix(s, p)
	}
	for _, p := range closings {
		s = strings.ReplaceAll(s, p, "")
	}
	s = strings.ReplaceAll(s, "留言已收悉", "")
	return strings.TrimFunc(s, isPunctOrSpace)
}

func isPunctOrSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}
