package fuzzy

import (
	"strings"
	"unicode"
)

// lower is Haskell's Data.Text.toLower. That applies the full Unicode
// lower-case mapping, which differs from Go's simple mapping in one
// character: 'İ' (U+0130) becomes "i̇" (i and U+0307), two characters, where
// Go gives "i". The difference matters: both the Levenshtein distance and
// the grams count characters.
func lower(s string) string {
	if strings.ContainsRune(s, '\u0130') {
		s = strings.ReplaceAll(s, "\u0130", "i\u0307")
	}
	return strings.ToLower(s)
}

// normalize is fuzzyset's normalized applied to already lower-cased text: it
// keeps letters, numbers, commas and spaces, as Haskell's Data.Char defines
// them, and drops everything else: "_", "-", ".", "(", ")" and so on.
func normalize(key string) string {
	keep := func(r rune) rune {
		if isAlphaNum(r) || isSpace(r) || r == ',' {
			return r
		}
		return -1
	}
	return strings.Map(keep, key)
}

// isAlphaNum is Haskell's Data.Char.isAlphaNum: general category L* or N*.
// Marks (M*) are not kept, so a combining character is dropped.
func isAlphaNum(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// isSpace is Haskell's Data.Char.isSpace: ' ', '\t' to '\r', U+00A0, and
// above U+0377 the category Zs. Unlike Go's unicode.IsSpace it excludes
// U+0085, U+2028 and U+2029.
func isSpace(r rune) bool {
	if r <= 0x377 {
		return r == ' ' || '\t' <= r && r <= '\r' || r == 0xa0
	}
	return unicode.Is(unicode.Zs, r)
}

// gramVector is fuzzyset's gramVector for text already normalised: the
// number of times each n-gram (n characters) occurs in norm padded with '-'
// at both ends.
func gramVector(norm string, n int) map[string]int32 {
	padded, starts := pad(norm, nil)
	vec := make(map[string]int32, len(starts))
	countGrams(padded, starts, n, vec)
	return vec
}

// pad returns norm padded with '-' at both ends, and appends to starts the
// byte offset of each of its characters and then its length, so that
// characters i to j-1 are padded[starts[i]:starts[j]].
func pad(norm string, starts []int) (string, []int) {
	padded := "-" + norm + "-"
	for i := range padded {
		starts = append(starts, i)
	}
	return padded, append(starts, len(padded))
}

// countGrams adds to vec the n-grams of padded, whose character offsets
// starts holds (see pad). The grams are substrings of padded: no copies.
func countGrams(padded string, starts []int, n int, vec map[string]int32) {
	for i := 0; i+n < len(starts); i++ {
		vec[padded[starts[i]:starts[i+n]]]++
	}
}
