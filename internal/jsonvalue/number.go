package jsonvalue

import (
	"math"
	"strconv"
	"strings"
)

// decimal is a number split the way Haskell's Data.Scientific holds it,
// which is what PostgREST compares, bounds and prints: value =
// sign * coef * 10^exp, with coef a string of decimal digits. Keeping the
// digits (rather than a float64) makes exp claims beyond 2^53, equality in
// JSONPath filters and the printed form of request.jwt.claims exact.
type decimal struct {
	neg  bool
	coef string // leading zeros removed; "" is zero
	exp  int64
}

// expLimit bounds exponents so that arithmetic on them cannot overflow. A
// number like 1e999999999999999999 is saturated; such values are absurd in a
// JWT and Scientific would not print them differently in any way a client
// could rely on.
const expLimit = 1_000_000_000_000_000

// parseDecimal reads a number literal: an optional '-', digits, an optional
// fraction and an optional exponent. Leading zeros are accepted because the
// JSONPath grammar PostgREST uses accepts them in decimal literals; strict
// JSON syntax is checked by the JSON parser before it calls this.
func parseDecimal(lit string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(lit) && lit[i] == '-' {
		d.neg = true
		i++
	}
	start := i
	for i < len(lit) && isDigit(lit[i]) {
		i++
	}
	intDigits := lit[start:i]
	if intDigits == "" {
		return decimal{}, false
	}
	var fracDigits string
	if i < len(lit) && lit[i] == '.' {
		i++
		start = i
		for i < len(lit) && isDigit(lit[i]) {
			i++
		}
		fracDigits = lit[start:i]
		if fracDigits == "" {
			return decimal{}, false
		}
	}
	var exp int64
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		expNeg := false
		if i < len(lit) && (lit[i] == '+' || lit[i] == '-') {
			expNeg = lit[i] == '-'
			i++
		}
		start = i
		for i < len(lit) && isDigit(lit[i]) {
			if exp < expLimit {
				exp = exp*10 + int64(lit[i]-'0')
			}
			i++
		}
		if i == start {
			return decimal{}, false
		}
		exp = min(exp, expLimit)
		if expNeg {
			exp = -exp
		}
	}
	if i != len(lit) {
		return decimal{}, false
	}
	digits := intDigits + fracDigits
	d.coef = strings.TrimLeft(digits, "0")
	d.exp = exp - int64(len(fracDigits))
	return d, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// normalized strips trailing zeros from the coefficient, so that equal
// values have equal representations.
func (d decimal) normalized() decimal {
	if d.coef == "" {
		return decimal{}
	}
	t := strings.TrimRight(d.coef, "0")
	d.exp += int64(len(d.coef) - len(t))
	d.coef = t
	return d
}

func (d decimal) sign() int {
	switch {
	case d.coef == "":
		return 0
	case d.neg:
		return -1
	default:
		return 1
	}
}

// compareDecimals returns -1, 0 or +1 as a is less than, equal to or
// greater than b.
func compareDecimals(a, b decimal) int {
	a, b = a.normalized(), b.normalized()
	sa, sb := a.sign(), b.sign()
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	// Both are 0.coef × 10^(len(coef)+exp) in magnitude.
	ea, eb := int64(len(a.coef))+a.exp, int64(len(b.coef))+b.exp
	c := 0
	switch {
	case ea < eb:
		c = -1
	case ea > eb:
		c = 1
	default:
		// No trailing zeros: where one string is a prefix of the other the
		// longer has more non-zero digits and is larger, as string order says.
		c = strings.Compare(a.coef, b.coef)
	}
	if sa < 0 {
		c = -c
	}
	return c
}

// int64Value is Scientific's toBoundedInteger for Int64, falling back to 0
// as PostgREST does (fromMaybe 0): a fractional or out-of-range exp, nbf or
// iat therefore counts as the epoch.
func (d decimal) int64Value() int64 {
	n := d.normalized()
	if n.coef == "" {
		return 0
	}
	if n.exp < 0 || int64(len(n.coef))+n.exp > 19 {
		return 0
	}
	var u uint64
	for i := 0; i < len(n.coef); i++ {
		u = u*10 + uint64(n.coef[i]-'0')
	}
	for range n.exp {
		if u > math.MaxUint64/10 {
			return 0
		}
		u *= 10
	}
	if n.neg {
		if u > 1<<63 {
			return 0
		}
		return int64(-u) // wraps to MinInt64 for 1<<63, which is in range
	}
	if u > math.MaxInt64 {
		return 0
	}
	return int64(u)
}

// appendAesonNumber appends the number literal lit the way aeson encodes
// the Scientific it parsed from it, so that request.jwt.claims carries the
// text PostgREST would send: an integer when the unnormalised exponent is in
// [0, 1024] (1.50e2 -> 150), otherwise Scientific's Generic format (1.50 ->
// 1.5, 0.05 -> 5.0e-2, 1e2000 -> 1.0e2000). lit must be a valid number.
func appendAesonNumber(b []byte, lit string) []byte {
	d, ok := parseDecimal(lit)
	if !ok {
		return append(b, lit...) // not reached for parsed JSON
	}
	if d.exp >= 0 && d.exp <= 1024 {
		if d.coef == "" {
			return append(b, '0')
		}
		if d.neg {
			b = append(b, '-')
		}
		b = append(b, d.coef...)
		for range d.exp {
			b = append(b, '0')
		}
		return b
	}
	n := d.normalized()
	if n.coef == "" {
		return append(b, "0.0"...)
	}
	if n.neg {
		b = append(b, '-')
	}
	e := int64(len(n.coef)) + n.exp // value is 0.coef × 10^e
	if e < 0 || e > 7 {
		b = append(b, n.coef[0], '.')
		if len(n.coef) > 1 {
			b = append(b, n.coef[1:]...)
		} else {
			b = append(b, '0')
		}
		b = append(b, 'e')
		return strconv.AppendInt(b, e-1, 10)
	}
	if e == 0 {
		b = append(b, "0."...)
		return append(b, n.coef...)
	}
	if int64(len(n.coef)) <= e {
		b = append(b, n.coef...)
		for range e - int64(len(n.coef)) {
			b = append(b, '0')
		}
		return append(b, ".0"...)
	}
	b = append(b, n.coef[:e]...)
	b = append(b, '.')
	return append(b, n.coef[e:]...)
}
