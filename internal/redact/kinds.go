package redact

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// The kinds of numbers: ID numbers, bank cards, mobiles, landlines and
// local numbers, each with the checks that tell it from an order number.

var stars = []byte("*************")

// idNumbers masks 18-character IDs in any grouping of 2 or more (4101
// 0519 9003 0745 7X, 410105-19900307-457X) or spaced one by one, and
// 15-digit ones whole or grouped 6-6-3.
func (w *window) idNumbers() {
	var buf [32]byte
	for i := range w.g {
		total := 0
		for j := i; j < len(w.g) && w.free(j) && (j == i || w.g[j].conn); j++ {
			total += w.g[j].end() - w.g[j].s
			if total > 18 {
				break
			}
			grouped := i == j || w.lens(i, j, 2, 18) || w.runStart(i) && w.runEnd(j) && w.lens(i, j, 1, 2)
			if (total == 18 || total == 15 && !w.g[j].x) && grouped && !w.decimal(i, j) {
				d := w.digits(buf[:], i, j)
				if total == 18 && validID18(d) || total == 15 && (i == j || w.g[i].len() == 6 && w.lens(i, j, 3, 9)) && validID15(d) {
					w.take(IDNumber, i, j, w.orig(w.g[i].s), d[:2], stars[:len(d)-5], d[len(d)-3:])
					break
				}
			}
			if w.g[j].x {
				break
			}
		}
	}
}

// bankCards masks the longest Luhn-valid card number: whole, in groups of
// 4 (the last 1–4) or spaced one by one; the mask keeps the separators.
func (w *window) bankCards() {
	var buf [32]byte
	for i := range w.g {
		best, total := -1, 0
		for j := i; j < len(w.g) && w.free(j) && !w.g[j].x && (j == i || w.g[j].conn); j++ {
			total += w.g[j].len()
			if total > 19 {
				break
			}
			grouped := i == j || w.lens(i, j-1, 4, 4) && w.lens(j, j, 1, 4) || w.runStart(i) && w.runEnd(j) && w.lens(i, j, 1, 1)
			if total >= 16 && grouped && !w.decimal(i, j) && luhn(w.digits(buf[:], i, j)) {
				best = j
			}
		}
		if best >= 0 {
			span := w.n[w.g[i].s:w.g[best].e]
			var mbuf [96]byte
			masked := mbuf[:0]
			seen, digits := 0, len(w.digits(buf[:], i, best))
			for _, b := range span {
				if isDigit(b) {
					if seen >= 4 && seen < digits-4 {
						b = '*'
					}
					seen++
				}
				masked = append(masked, b)
			}
			w.take(BankCard, i, best, w.orig(w.g[i].s), masked)
		}
	}
}

func validMobile(d []byte) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' }

// mobiles masks mobile numbers: one group (after 86 or 0086 too), groups
// of 3 or more, or a whole run of short groups.
func (w *window) mobiles() {
	var buf [32]byte
	for i := range w.g {
		if !w.free(i) || w.g[i].x {
			continue
		}
		g := w.g[i]
		d := w.digits(buf[:], i, i)
		// One group: the number alone or after 86 / 0086.
		if pre := len(d) - 11; (pre == 0 || pre == 2 && string(d[:2]) == "86" || pre == 4 && string(d[:4]) == "0086") && validMobile(d[pre:]) {
			if !w.decimal(i, i) {
				w.take(Mobile, i, i, w.orig(g.s+pre), d[pre:pre+3], stars[:4], d[pre+7:])
			}
			continue
		}
		total := 0
		for j := i; j < len(w.g) && w.free(j) && !w.g[j].x && (j == i || w.g[j].conn); j++ {
			total += w.g[j].len()
			if total > 11 {
				break
			}
			if total < 11 || j == i {
				continue
			}
			// Groups of 3 or more (139 7531 8642, 1397-5318-642), or a whole
			// run of short groups (1 3 9 7 5 3 1 8 6 4 2), a country code
			// before it aside.
			whole := (w.runStart(i) || i > 0 && w.runStart(i-1) && countryCode(w.n[w.g[i-1].s:w.g[i-1].e])) && w.runEnd(j)
			if !w.lens(i, j, 3, 11) && !(whole && w.lens(i, j, 1, 4) && !w.dotted(i, j)) {
				break
			}
			d := w.digits(buf[:], i, j)
			if !validMobile(d) || w.decimal(i, j) || w.notPhone(i, j) {
				break
			}
			start := w.orig(g.s)
			// (139)7531-8642: the bracket goes with the number.
			if sep := w.sep(i); len(sep) > 0 && sep[len(sep)-1] == '(' && w.closes(i, j) {
				start = w.orig(g.s - 1)
			}
			w.take(Mobile, i, j, start, d[:3], stars[:4], d[7:])
			break
		}
	}
}

func countryCode(d []byte) bool { return string(d) == "86" || string(d) == "0086" }

// closes reports whether a closing bracket separates two of groups i..j.
func (w *window) closes(i, j int) bool {
	for k := i + 1; k <= j; k++ {
		if bytes.IndexByte(w.sep(k), ')') >= 0 {
			return true
		}
	}
	return false
}

// areaCode returns the length of the area code d starts with (010, 02x,
// 0xxx with x ≥ 3), 0 if none.
func areaCode(d []byte) int {
	switch {
	case len(d) >= 3 && d[0] == '0' && (d[1] == '2' || d[1] == '1' && d[2] == '0'):
		return 3
	case len(d) >= 4 && d[0] == '0' && d[1] >= '3':
		return 4
	}
	return 0
}

// landlines masks an area code and its local number, and after a phone
// word an area code glued to it (037162345817).
func (w *window) landlines() {
	var buf [32]byte
	for i := range w.g {
		if !w.free(i) || w.g[i].x {
			continue
		}
		area := w.digits(buf[:], i, i)
		if areaCode(area) == len(area) {
			// An area code, then a local number of 7–8 digits not starting
			// with 0, in one group, two groups of 3 or more, or short
			// groups up to the end of the run.
			total := 0
			for j := i + 1; j < len(w.g) && w.free(j) && !w.g[j].x && w.g[j].conn; j++ {
				total += w.g[j].len()
				if total > 8 {
					break
				}
				if total < 7 {
					continue
				}
				grouped := j == i+1 || j == i+2 && w.lens(i+1, j, 3, 8) || w.runEnd(j) && w.lens(i+1, j, 1, 4)
				if grouped && w.n[w.g[i+1].s] != '0' && !w.decimal(i, j) && !w.notPhone(i, j) {
					d := w.digits(buf[8:], i+1, j)
					w.take(Landline, i, j, w.orig(w.g[i].s), []byte(w.s[w.orig(w.g[i].s):w.orig(w.g[i+1].s)]), stars[:4], d[len(d)-2:])
				}
				break
			}
			continue
		}
		// 037162345817 after a phone word: the area code without a
		// separator.
		a := areaCode(area)
		if a == 0 || len(area)-a < 7 || len(area)-a > 8 || area[a] == '0' || w.decimal(i, i) || w.context(i) <= 0 {
			continue
		}
		local := w.orig(w.g[i].s + a)
		w.take(Landline, i, i, w.orig(w.g[i].s), []byte(w.s[w.orig(w.g[i].s):local]), stars[:4], area[len(area)-2:])
	}
}

// localNumbers masks 7- and 8-digit local numbers: after a phone word in
// any grouping, or without one when written 4-4 with a space or a dash and
// not a year range, a pair of times or round amounts.
func (w *window) localNumbers() {
	var buf [32]byte
	for i := range w.g {
		total := 0
		for j := i; j < len(w.g) && w.free(j) && !w.g[j].x && (j == i || w.g[j].conn); j++ {
			total += w.g[j].len()
			if total < 7 {
				continue
			}
			if total > 8 {
				break
			}
			d := w.digits(buf[:], i, j)
			// Not a local number: starting with 0 or 1, or a date 20yymmdd.
			if d[0] < '2' || total == 8 && d[0] == '2' && d[1] == '0' && validDate(atoi(d[:4]), atoi(d[4:6]), atoi(d[6:])) {
				break
			}
			// Joined to a number not masked: part of something longer.
			if w.g[i].conn && !w.g[i-1].used || !w.runEnd(j) && !w.g[j+1].used || w.notPhone(i, j) {
				break
			}
			grouped := false
			switch w.context(i) {
			case 1:
				l1, l2 := w.g[i].len(), w.g[j].len()
				grouped = i == j || j == i+1 && l1 >= 3 && l2 >= 3 && l1 <= 4 && l2 <= 4 || w.lens(i, j, 1, 1)
			case 0:
				sep := w.sep(j)
				grouped = j == i+1 && total == 8 && w.g[i].len() == 4 && (string(sep) == " " || string(sep) == "-") && !pairOfYears(d) && !pairOfTimes(d) && !(d[2] == '0' && d[3] == '0' && d[6] == '0' && d[7] == '0')
			}
			if grouped {
				w.take(Landline, i, j, w.orig(w.g[i].s), stars[:4], d[len(d)-2:])
			}
			break
		}
	}
}

// pairOfYears: 2024-2025. pairOfTimes: 0830-1730, 2301-2305.
func pairOfYears(d []byte) bool {
	y1, y2 := atoi(d[:4]), atoi(d[4:])
	return y1 >= 1900 && y1 <= 2099 && y2 >= 1900 && y2 <= 2099
}

func pairOfTimes(d []byte) bool {
	hhmm := func(d []byte) bool { return atoi(d[:2]) < 24 && atoi(d[2:4]) < 60 }
	return hhmm(d[:4]) && hhmm(d[4:])
}

// notPhone reports whether what surrounds groups i..j says they count
// something: 第 before, a unit after (号, 元, 年, 室…).
func (w *window) notPhone(i, j int) bool {
	start, end := w.orig(w.g[i].s), w.origEnd(w.g[j].end()-1)
	for k := 0; k < 3 && end < len(w.s); k++ {
		r, n := utf8.DecodeRuneInString(w.s[end:])
		if strings.ContainsRune(units, r) {
			return true
		}
		var buf [16]byte
		if f := foldRune(buf[:0], r); len(f) > 0 && string(f) != " " {
			break
		}
		end += n
	}
	for k := 0; k < 3 && start > 0; k++ {
		r, n := utf8.DecodeLastRuneInString(w.s[:start])
		if r == '第' {
			return true
		}
		var buf [16]byte
		if f := foldRune(buf[:0], r); len(f) > 0 && string(f) != " " && string(f) != "(" {
			break
		}
		start -= n
	}
	return false
}

const units = "年月日号室期届次件个人户万亿元米页楼栋层岁天周份名位条台辆套间平秒%‰"

// Words before a number that make it a phone number, or something else.
var (
	phoneWords = [][]byte{[]byte("电话"), []byte("手机"), []byte("座机"), []byte("热线"), []byte("联系"),
		[]byte("拨打"), []byte("致电"), []byte("来电"), []byte("回电"), []byte("固话"), []byte("号码"),
		[]byte("电联"), []byte("传真"), []byte("总机"), []byte("宅电"), []byte("tel"), []byte("phone"),
		[]byte("call"), []byte("mobile"), []byte("fax")}
	otherWords = [][]byte{[]byte("编号"), []byte("单号"), []byte("订单"), []byte("工单"), []byte("流水"),
		[]byte("邮编"), []byte("金额"), []byte("价格"), []byte("账号"), []byte("卡号"), []byte("学号"),
		[]byte("工号"), []byte("序号"), []byte("批号"), []byte("文号"), []byte("案号"), []byte("qq"),
		[]byte("微信"), []byte("时间"), []byte("日期"), []byte("证号"), []byte("编码"), []byte("代码"),
		[]byte("密码"), []byte("验证码")}
)

// context tells what the words before group i say: 1 a phone number, -1
// something else, 0 nothing. It reads back up to 16 characters, not past
// another number or the end of a sentence; the word nearest the number
// wins, and a phone word right after another word (订单号码) belongs to
// it.
func (w *window) context(i int) int {
	var text [96]byte
	k := len(text)
	p := w.orig(w.g[i].s)
	for runes := 0; p > 0 && runes < 16; runes++ {
		r, size := utf8.DecodeLastRuneInString(w.s[:p])
		if strings.ContainsRune("。！？；!?;\n\r", r) {
			break
		}
		var buf [16]byte
		f := foldRune(buf[:0], r)
		if bytes.ContainsAny(f, "0123456789") || len(f) > k {
			break
		}
		k -= len(f)
		for x, b := range f {
			text[k+x] = lower(b)
		}
		p -= size
	}
	t := text[k:]
	phone, other := -1, -1
	for _, word := range phoneWords {
		if at := lastWord(t, word); at > phone {
			phone = at
		}
	}
	for _, word := range otherWords {
		if at := lastWord(t, word); at >= 0 && at+len(word) > other {
			other = at + len(word)
		}
	}
	switch {
	case phone >= 0 && phone > other:
		return 1
	case other >= 0:
		return -1
	}
	return 0
}

// lastWord finds the last word in t, an ASCII word only where no letter
// comes before it.
func lastWord(t, word []byte) int {
	at := bytes.LastIndex(t, word)
	if at > 0 && word[0] < utf8.RuneSelf && isASCIILetter(t[at-1]) {
		return -1
	}
	return at
}

// provinces holds the first two digits of real ID numbers: the provinces
// of GB/T 2260, 71 Taiwan, 81–83 for residence permits of Hong Kong, Macao
// and Taiwan residents, 91 for foreigners' permanent residence cards.
var provinces = func() (p [100]bool) {
	for _, n := range []int{11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
		41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91} {
		p[n] = true
	}
	return p
}()

func atoi[T string | []byte](s T) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// validDate reports whether y-m-d is a day of the Gregorian calendar.
func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// validID18 checks an 18-character resident ID: province, birth date
// (1900–2099) and the GB 11643 check character.
func validID18(s []byte) bool {
	if !provinces[atoi(s[:2])] {
		return false
	}
	if y := atoi(s[6:10]); y < 1900 || y > 2099 || !validDate(y, atoi(s[10:12]), atoi(s[12:14])) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	check := "10X98765432"[sum%11]
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	return last == check
}

// validID15 checks a first-generation 15-digit ID: province and a birth
// date in 19YY.
func validID15(s []byte) bool {
	return provinces[atoi(s[:2])] && validDate(1900+atoi(s[6:8]), atoi(s[8:10]), atoi(s[10:12]))
}

// luhn checks 16–19 digits.
func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return len(d) >= 16 && len(d) <= 19 && sum%10 == 0
}
