package substance

import "testing"

func TestClassifyFirst(t *testing.T) {
	for _, c := range []struct {
		reply string
		want  Class
	}{
		{"网友：您好！留言已收悉", Ack},
		{"网友：您好！已将您反映的问题转相关部门进行处理，敬请关注后续回复。", Forwarded},
		{"网友：您好！经查，该路段已于2019年5月3日完成修复。", Substantive},
	} {
		if got := Classify("路灯坏了", c.reply); got.Class != c.want {
			t.Errorf("Classify(%q) = %v, want %v", c.reply, got.Class, c.want)
		}
	}
	if got := Cluster([]uint64{0, 1, 0xFFFF, 3}); got[1] != 0 || got[2] != 2 || got[3] != 0 {
		t.Errorf("Cluster = %v", got)
	}
}
