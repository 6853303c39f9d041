package request

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is a small parser-combinator kernel with Parsec's semantics:
// consumed/empty replies, backtracking only through try, and Parsec's rules
// for merging error messages. PostgREST reports query-string errors with
// Parsec's wording ("unexpected 'x' expecting digit, \"->\" or end of
// input" at "line 1, column 11"), and clients and the conformance suite
// compare those texts, so the kernel reproduces them instead of inventing
// its own.
//
// Error messages only matter when the whole parse fails, so a parse first
// runs without collecting messages (cheap on the hot path) and is re-run
// with collection only to describe a failure.

type msgKind uint8

const (
	msgSysUnExpect msgKind = iota
	msgUnExpect
	msgExpect
	msgMessage
)

type message struct {
	kind msgKind
	text string
}

// pError is a parse error at a byte offset. msgs is nil when messages are
// not collected or when the error is Parsec's "unknown error".
type pError struct {
	pos  int
	msgs []message
}

// pstate is the input and the collection mode.
type pstate struct {
	in      string
	collect bool
}

// reply is the outcome of running a parser: whether it consumed input,
// whether it succeeded, the position after it, and the error (for a
// failure, or the pending error of an empty success that a following
// alternative may merge with).
type reply struct {
	consumed bool
	ok       bool
	pos      int
	err      pError
}

type parser[T any] func(s *pstate, pos int) (T, reply)

func unknownErr(pos int) pError { return pError{pos: pos} }

func (s *pstate) newErr(pos int, kind msgKind, text string) pError {
	if !s.collect {
		return pError{pos: pos}
	}
	return pError{pos: pos, msgs: []message{{kind, text}}}
}

// mergeErr is Parsec's mergeError: prefer errors with messages, then the one
// further in the input, and concatenate messages at the same position.
func mergeErr(e1, e2 pError) pError {
	switch {
	case len(e2.msgs) == 0 && len(e1.msgs) != 0:
		return e1
	case len(e1.msgs) == 0 && len(e2.msgs) != 0:
		return e2
	}
	switch {
	case e1.pos > e2.pos:
		return e1
	case e1.pos < e2.pos:
		return e2
	}
	if len(e1.msgs) == 0 {
		return e2
	}
	if len(e2.msgs) == 0 {
		return e1
	}
	msgs := make([]message, 0, len(e1.msgs)+len(e2.msgs))
	msgs = append(msgs, e1.msgs...)
	msgs = append(msgs, e2.msgs...)
	return pError{pos: e1.pos, msgs: msgs}
}

// setExpect replaces the expect messages of e by label (Parsec's <?>).
func (s *pstate) setExpect(e pError, label string) pError {
	if !s.collect {
		return e
	}
	msgs := make([]message, 0, len(e.msgs)+1)
	for _, m := range e.msgs {
		if m.kind != msgExpect {
			msgs = append(msgs, m)
		}
	}
	msgs = append(msgs, message{msgExpect, label})
	return pError{pos: e.pos, msgs: msgs}
}

func okEmpty(pos int, err pError) reply { return reply{ok: true, pos: pos, err: err} }

// ---- primitive parsers ----

// satisfy parses one character for which f holds.
func satisfy(f func(rune) bool) parser[rune] {
	return func(s *pstate, pos int) (rune, reply) {
		if pos >= len(s.in) {
			return 0, reply{err: s.newErr(pos, msgSysUnExpect, "")}
		}
		r, size := utf8.DecodeRuneInString(s.in[pos:])
		if f(r) {
			return r, reply{consumed: true, ok: true, pos: pos + size, err: unknownErr(pos + size)}
		}
		var text string
		if s.collect {
			text = haskellShowString(string(r))
		}
		return 0, reply{err: s.newErr(pos, msgSysUnExpect, text)}
	}
}

func char(c rune) parser[rune] {
	return label(satisfy(func(r rune) bool { return r == c }), haskellShowString(string(c)))
}

func oneOf(set string) parser[rune] {
	return satisfy(func(r rune) bool { return strings.ContainsRune(set, r) })
}

func noneOf(set string) parser[rune] {
	return satisfy(func(r rune) bool { return !strings.ContainsRune(set, r) })
}

var (
	anyChar = satisfy(func(rune) bool { return true })
	// letter is Parsec's letter: any Unicode letter.
	letter = label(satisfy(unicode.IsLetter), "letter")
	// digit is Parsec's digit: ASCII 0-9 only.
	digit = label(satisfy(func(r rune) bool { return r >= '0' && r <= '9' }), "digit")
)

// str parses exactly t. Like Parsec's string it consumes the matching
// prefix before failing, so alternatives sharing a prefix need try; the
// error is reported at the start with the whole word expected.
func str(t string) parser[string] {
	shown := haskellShowString(t)
	return func(s *pstate, pos int) (string, reply) {
		if strings.HasPrefix(s.in[pos:], t) {
			return t, reply{consumed: len(t) > 0, ok: true, pos: pos + len(t), err: unknownErr(pos + len(t))}
		}
		// find the first differing character
		i := 0
		for i < len(t) && pos+i < len(s.in) && s.in[pos+i] == t[i] {
			i++
		}
		var err pError
		if s.collect {
			unexp := ""
			if pos+i < len(s.in) {
				r, _ := utf8.DecodeRuneInString(s.in[pos+i:])
				unexp = haskellShowString(string(r))
			}
			err = pError{pos: pos, msgs: []message{{msgSysUnExpect, unexp}, {msgExpect, shown}}}
		} else {
			err = pError{pos: pos}
		}
		return "", reply{consumed: i > 0, err: err}
	}
}

// ---- combinators ----

func label[T any](p parser[T], l string) parser[T] {
	return func(s *pstate, pos int) (T, reply) {
		v, r := p(s, pos)
		// Parsec's <?> relabels only empty replies, and leaves an empty
		// success's unknown error alone.
		if !r.consumed && (!r.ok || len(r.err.msgs) != 0) {
			r.err = s.setExpect(r.err, l)
		}
		return v, r
	}
}

func try[T any](p parser[T]) parser[T] {
	return func(s *pstate, pos int) (T, reply) {
		v, r := p(s, pos)
		if !r.ok {
			r.consumed = false
		}
		return v, r
	}
}

// alt is Parsec's <|> over several alternatives.
func alt[T any](ps ...parser[T]) parser[T] {
	return func(s *pstate, pos int) (T, reply) {
		var zero T
		var errAcc pError
		first := true
		for _, p := range ps {
			v, r := p(s, pos)
			if r.consumed {
				return v, r
			}
			if first {
				errAcc = r.err
				first = false
			} else {
				errAcc = mergeErr(errAcc, r.err)
			}
			if r.ok {
				r.err = errAcc
				return v, r
			}
		}
		return zero, reply{err: errAcc}
	}
}

// seq runs p then f(p's value), threading Parsec's consumed/empty rules:
// when the second parser does not consume, its error merges with the
// first's (unless the first's is unknown).
func seq[A, B any](p parser[A], f func(A) parser[B]) parser[B] {
	return func(s *pstate, pos int) (B, reply) {
		var zero B
		a, r1 := p(s, pos)
		if !r1.ok {
			return zero, r1
		}
		b, r2 := f(a)(s, r1.pos)
		if !r2.consumed {
			if len(r1.err.msgs) != 0 {
				r2.err = mergeErr(r1.err, r2.err)
			}
			r2.consumed = r1.consumed
		}
		return b, r2
	}
}

// then runs p then q, keeping q's value.
func then[A, B any](p parser[A], q parser[B]) parser[B] {
	return seq(p, func(A) parser[B] { return q })
}

// skipAfter runs p then q, keeping p's value.
func skipAfter[A, B any](p parser[A], q parser[B]) parser[A] {
	return seq(p, func(a A) parser[A] { return mapP(q, func(B) A { return a }) })
}

func mapP[A, B any](p parser[A], f func(A) B) parser[B] {
	return func(s *pstate, pos int) (B, reply) {
		a, r := p(s, pos)
		if !r.ok {
			var zero B
			return zero, r
		}
		return f(a), r
	}
}

func pure[T any](v T) parser[T] {
	return func(s *pstate, pos int) (T, reply) { return v, okEmpty(pos, unknownErr(pos)) }
}

// many applies p zero or more times.
func many[T any](p parser[T]) parser[[]T] {
	return func(s *pstate, pos int) ([]T, reply) {
		var out []T
		consumed := false
		for {
			v, r := p(s, pos)
			if !r.ok {
				if r.consumed {
					return nil, r
				}
				return out, reply{consumed: consumed, ok: true, pos: pos, err: r.err}
			}
			if !r.consumed {
				// Parsec errors out here; our grammars never loop on an
				// empty success, stop instead of spinning.
				return out, reply{consumed: consumed, ok: true, pos: r.pos, err: r.err}
			}
			consumed = true
			out = append(out, v)
			pos = r.pos
		}
	}
}

func many1[T any](p parser[T]) parser[[]T] {
	return seq(p, func(first T) parser[[]T] {
		return mapP(many(p), func(rest []T) []T { return append([]T{first}, rest...) })
	})
}

func manyChars(p parser[rune]) parser[string] {
	return mapP(many(p), func(rs []rune) string { return string(rs) })
}

func many1Chars(p parser[rune]) parser[string] {
	return mapP(many1(p), func(rs []rune) string { return string(rs) })
}

func optionMaybe[T any](p parser[T]) parser[*T] {
	return alt(mapP(p, func(v T) *T { return &v }), pure[*T](nil))
}

func option[T any](def T, p parser[T]) parser[T] { return alt(p, pure(def)) }

func sepBy1[T, S any](p parser[T], sep parser[S]) parser[[]T] {
	return seq(p, func(first T) parser[[]T] {
		return mapP(many(then(sep, p)), func(rest []T) []T { return append([]T{first}, rest...) })
	})
}

func sepBy[T, S any](p parser[T], sep parser[S]) parser[[]T] {
	return alt(sepBy1(p, sep), pure[[]T](nil))
}

func between[O, C, T any](open parser[O], close parser[C], p parser[T]) parser[T] {
	return skipAfter(then(open, p), close)
}

// lookAhead runs p without consuming input on success.
func lookAhead[T any](p parser[T]) parser[T] {
	return func(s *pstate, pos int) (T, reply) {
		v, r := p(s, pos)
		if r.ok {
			return v, okEmpty(pos, unknownErr(pos))
		}
		return v, r
	}
}

// notFollowedBy succeeds when p fails; it never consumes input. As in
// Parsec, the error is reported where p stopped, and a success carries p's
// error so that its expectations merge into later errors.
func notFollowedBy[T any](p parser[T], show func(T) string) parser[struct{}] {
	return func(s *pstate, pos int) (struct{}, reply) {
		v, r := p(s, pos)
		if r.ok {
			var text string
			if s.collect {
				text = show(v)
			}
			return struct{}{}, reply{err: s.newErr(r.pos, msgUnExpect, text)}
		}
		return struct{}{}, okEmpty(pos, mergeErr(r.err, unknownErr(pos)))
	}
}

func showRune(r rune) string { return haskellShowChar(r) }

// eof is Parsec's eof (notFollowedBy anyToken <?> "end of input"); anyToken
// does not advance the position, so the error points at the extra character.
func eof(s *pstate, pos int) (struct{}, reply) {
	if pos < len(s.in) {
		if !s.collect {
			return struct{}{}, reply{err: pError{pos: pos}}
		}
		r, _ := utf8.DecodeRuneInString(s.in[pos:])
		return struct{}{}, reply{err: pError{pos: pos, msgs: []message{{msgUnExpect, haskellShowChar(r)}, {msgExpect, "end of input"}}}}
	}
	if !s.collect {
		return struct{}{}, okEmpty(pos, pError{pos: pos})
	}
	return struct{}{}, okEmpty(pos, pError{pos: pos, msgs: []message{{msgSysUnExpect, ""}, {msgExpect, "end of input"}}})
}

func void[T any](p parser[T]) parser[struct{}] {
	return mapP(p, func(T) struct{} { return struct{}{} })
}

// guardP fails (without a message) when cond is false.
func guardP(cond bool) parser[struct{}] {
	return func(s *pstate, pos int) (struct{}, reply) {
		if cond {
			return struct{}{}, okEmpty(pos, unknownErr(pos))
		}
		return struct{}{}, reply{err: unknownErr(pos)}
	}
}

// ---- running and rendering ----

// parseError is a failed parse, rendered as PostgREST renders it.
type parseError struct {
	Message string // "\"<source name>\" (line 1, column N)"
	Details string // "unexpected ... expecting ..."
}

// runParser parses all of in with p (p must itself demand end of input
// where that matters). name is the Parsec source name that PostgREST puts
// in the message, e.g. "failed to parse filter (eq.x)".
func runParser[T any](p parser[T], name, in string) (T, *parseError) {
	s := &pstate{in: in}
	v, r := p(s, 0)
	if r.ok {
		return v, nil
	}
	s.collect = true
	_, r = p(s, 0)
	line, col := position(in, r.err.pos)
	return v, &parseError{
		Message: haskellShowString(name) + " (line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ")",
		Details: renderMessages(r.err.msgs),
	}
}

// parseParam is runParser for a query parameter, whose source name is
// "failed to parse <what> (<in>)". The name is built only when the parse
// fails: building it for every parameter cost an allocation each.
func parseParam[T any](p parser[T], what, in string) (T, *parseError) {
	v, r := p(&pstate{in: in}, 0)
	if r.ok {
		return v, nil
	}
	return runParser(p, "failed to parse "+what+" ("+in+")", in)
}

// position converts a byte offset to Parsec's line and column: columns
// count characters, tabs advance to the next multiple of 8 plus one.
func position(in string, pos int) (line, col int) {
	line, col = 1, 1
	for _, r := range in[:min(pos, len(in))] {
		switch r {
		case '\n':
			line++
			col = 1
		case '\t':
			col = col + 8 - (col-1)%8
		default:
			col++
		}
	}
	return line, col
}

// renderMessages is Parsec's showErrorMessages with PostgREST's post
// processing (lines joined by spaces).
func renderMessages(msgs []message) string {
	if len(msgs) == 0 {
		return "unknown parse error"
	}
	// Parsec sorts messages by kind only (a stable sort keeps the order
	// within a kind).
	var sys, unexp, expect, other []string
	for _, m := range msgs {
		switch m.kind {
		case msgSysUnExpect:
			sys = append(sys, m.text)
		case msgUnExpect:
			unexp = append(unexp, m.text)
		case msgExpect:
			expect = append(expect, m.text)
		default:
			other = append(other, m.text)
		}
	}
	var lines []string
	if len(unexp) == 0 && len(sys) > 0 {
		if sys[0] == "" {
			lines = append(lines, "unexpected end of input")
		} else {
			lines = append(lines, "unexpected "+sys[0])
		}
	}
	if s := showMany("unexpected", unexp); s != "" {
		lines = append(lines, s)
	}
	if s := showMany("expecting", expect); s != "" {
		lines = append(lines, s)
	}
	if s := showMany("", other); s != "" {
		lines = append(lines, s)
	}
	return strings.TrimSpace(strings.Join(lines, " "))
}

func showMany(pre string, ms []string) string {
	ms = clean(ms)
	if len(ms) == 0 {
		return ""
	}
	var s string
	if len(ms) == 1 {
		s = ms[0]
	} else {
		s = strings.Join(ms[:len(ms)-1], ", ") + " or " + ms[len(ms)-1]
	}
	if pre == "" {
		return s
	}
	return pre + " " + s
}

// clean drops empty strings and duplicates, keeping the first occurrence.
func clean(ms []string) []string {
	out := ms[:0:0]
	for _, m := range ms {
		if m == "" {
			continue
		}
		dup := false
		for _, o := range out {
			if o == m {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, m)
		}
	}
	return out
}

// haskellShowString renders s as Haskell's show does for a String:
// double-quoted, with escapes for quotes, backslashes, control and
// non-ASCII characters (as decimal codes).
func haskellShowString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	rs := []rune(s)
	for i, r := range rs {
		if r == '"' {
			b.WriteString(`\"`)
			continue
		}
		esc := haskellEscape(r)
		b.WriteString(esc)
		// a numeric escape followed by a digit needs the empty escape \&
		if i+1 < len(rs) && len(esc) > 1 && esc[0] == '\\' && esc[len(esc)-1] >= '0' && esc[len(esc)-1] <= '9' &&
			rs[i+1] >= '0' && rs[i+1] <= '9' {
			b.WriteString(`\&`)
		}
		// "\SO" followed by 'H' is written "\SO\&H" to keep it apart from "\SOH"
		if esc == `\SO` && i+1 < len(rs) && rs[i+1] == 'H' {
			b.WriteString(`\&`)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// haskellShowChar renders r as Haskell's show does for a Char.
func haskellShowChar(r rune) string {
	if r == '\'' {
		return `'\''`
	}
	if r == '"' {
		return `'"'`
	}
	return "'" + haskellEscape(r) + "'"
}

var asciiControlNames = [...]string{
	"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "a", "b", "t", "n", "v", "f", "r", "SO", "SI",
	"DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
}

func haskellEscape(r rune) string {
	switch {
	case r == '\\':
		return `\\`
	case r < 0x20:
		return `\` + asciiControlNames[r]
	case r == 0x7f:
		return `\DEL`
	case r < 0x7f:
		return string(r)
	default:
		return `\` + strconv.Itoa(int(r))
	}
}
