// Package fuzzy picks the "Perhaps you meant …" suggestion of an error hint
// (PGRST200, PGRST202, PGRST205) exactly as PostgREST does. Clients and the
// conformance suite compare hints verbatim, so this is a faithful
// reimplementation of the algorithm of the Haskell fuzzyset package at the
// version PostgREST pins (0.2.4), down to its normalisation, its floating-point
// arithmetic and the order in which it breaks ties. It knows nothing of
// schemas or errors: callers choose the candidates and word the hint.
//
// The algorithm, for a query q against a set built from values:
//
//  1. q is lower-cased; a value whose lower-cased form equals it is returned
//     at once with score 1, whatever the minimum score.
//  2. For the gram size n = 3, then n = 2: the lower-cased text is normalised
//     (only letters, numbers, commas and spaces are kept) and padded with '-'
//     at both ends; its n-grams, with their counts, form a vector. Every value
//     sharing an n-gram with q gets the cosine similarity of the two vectors.
//  3. The 50 best of those are re-scored as 1 - d/max(len) with d the
//     Levenshtein distance between the lower-cased (not normalised) texts,
//     then sorted again, best first.
//  4. Scores below the minimum are dropped. If nothing is left, the next gram
//     size is tried; otherwise the values are returned as they were given.
//
// Both sorts are stable: a tie in Levenshtein scores keeps the cosine order,
// and a tie in cosine scores keeps the iteration order of the Haskell
// HashMap Int that fuzzyset collects the matches in, which this package
// reproduces (see hamtCompare). That order follows from the order of the
// values given to [New], so callers that want PostgREST's tie-breaking must
// pass the candidates in the order PostgREST lists them.
package fuzzy

import (
	"cmp"
	"iter"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// DefaultMinScore is the minimum score of fuzzyset's get and getOne, which
// PostgREST uses for relationship and parameter-list hints; table and
// function hints use getOneWithMinScore 0.75.
const DefaultMinScore = 0.33

// levenshteinCandidates is how many of the best cosine matches fuzzyset
// re-scores with the Levenshtein distance; the rest are dropped.
const levenshteinCandidates = 50

// Match is one result of [Set.Get].
type Match struct {
	// Score is in [0, 1]; 1 means the query equals Value but for case.
	Score float64
	// Value is the candidate as it was given to [New].
	Value string
}

// Set is a set of candidate strings to match queries against. It is
// immutable once built, so one Set may be queried from many goroutines.
type Set struct {
	// exact maps a lower-cased value to the value as given. When two values
	// differ only in case, the one added last is kept.
	exact map[string]string
	// keys holds the lower-cased form of each value added, in the order
	// added: fuzzyset's normalizedEntry (which is not normalised). The index
	// is fuzzyset's item index.
	keys []string
	// magnitudes holds, per item and gram size, the Euclidean norm of the
	// item's gram vector: magnitudes[item*sizes + n-minGram].
	magnitudes []float64
	// grams holds, per gram size (index n-minGram), the items containing
	// each n-gram.
	grams []postingIndex

	minGram, maxGram int
	levenshtein      bool
}

// postingIndex maps each gram to the items containing it: gram g, numbered
// id = ids[g], occurs in postings[offs[id]:offs[id+1]].
type postingIndex struct {
	ids      map[string]int32
	offs     []int32
	postings []posting
}

type posting struct {
	item  int32 // index into Set.keys
	count int32 // occurrences of the gram in the item
}

// New builds the set fuzzyset's fromList builds from values: gram sizes 2
// and 3, Levenshtein re-scoring on. Like fromList, it adds the values from
// the last to the first, which decides the order of tied scores.
//
// Also like fromList, a value is skipped only when a value equal to its
// lower-cased form is already in the set: of "films" and "Films" (in that
// order in values) only "films" is kept, while "Films" given twice is kept
// twice and may then be returned twice by [Set.Get]. Duplicates and other
// case variants of one name share one lower-cased key and are returned as the
// one added last.
func New(values []string) *Set {
	return build(2, 3, true, slices.Backward(values))
}

// build returns fuzzyset's emptySet minGram maxGram levenshtein with the
// values added in the order given. PostgREST only uses defaultSet (2, 3,
// true); tests use others to check against fuzzyset's own test suite.
func build(minGram, maxGram int, levenshtein bool, values iter.Seq2[int, string]) *Set {
	sizes := maxGram - minGram + 1
	s := &Set{
		exact:       make(map[string]string),
		grams:       make([]postingIndex, sizes),
		minGram:     minGram,
		maxGram:     maxGram,
		levenshtein: levenshtein,
	}
	// Number the grams and collect every (gram, item, count) first, then
	// lay the postings of each gram out back to back: one allocation per
	// gram size, not one per gram.
	type occurrence struct {
		gram int32
		posting
	}
	occs := make([][]occurrence, sizes)
	perGram := make([][]int32, sizes) // number of postings of each gram
	for k := range s.grams {
		s.grams[k].ids = make(map[string]int32)
	}
	var (
		starts  []int   // scratch: character offsets, see pad
		count   []int32 // scratch: count[id] of the gram in the current item
		touched []int32 // scratch: the ids with count[id] > 0
	)
	for _, v := range values {
		key := lower(v)
		// fuzzyset's add tests `key elem exactSet`, which looks among the
		// values, not the keys, of its lower-cased-key → value map. Only the
		// value stored under key can equal key, so this is that test.
		if cur, ok := s.exact[key]; ok && cur == key {
			continue
		}
		item := int32(len(s.keys))
		var padded string
		padded, starts = pad(normalize(key), starts[:0])
		for k := range sizes {
			ids, n := s.grams[k].ids, minGram+k
			for i := 0; i+n < len(starts); i++ {
				g := padded[starts[i]:starts[i+n]]
				id, ok := ids[g]
				if !ok {
					id = int32(len(perGram[k]))
					ids[g] = id
					perGram[k] = append(perGram[k], 0)
				}
				if int(id) >= len(count) {
					count = append(count, make([]int32, int(id)+1-len(count))...)
				}
				if count[id] == 0 {
					touched = append(touched, id)
				}
				count[id]++
			}
			sum := 0
			for _, id := range touched {
				c := count[id]
				count[id] = 0
				sum += int(c) * int(c)
				perGram[k][id]++
				occs[k] = append(occs[k], occurrence{id, posting{item, c}})
			}
			touched = touched[:0]
			s.magnitudes = append(s.magnitudes, math.Sqrt(float64(sum)))
		}
		s.keys = append(s.keys, key)
		s.exact[key] = v
	}
	for k := range s.grams {
		idx := &s.grams[k]
		idx.offs = make([]int32, len(perGram[k])+1)
		for id, n := range perGram[k] {
			idx.offs[id+1] = idx.offs[id] + n
		}
		idx.postings = make([]posting, len(occs[k]))
		next := perGram[k] // reused as the fill cursor: postings left to place
		for _, o := range occs[k] {
			next[o.gram]--
			idx.postings[idx.offs[o.gram]+next[o.gram]] = o.posting
		}
	}
	return s
}

// Get returns the values that match query with a score of at least
// minScore, best first: fuzzyset's getWithMinScore, and with
// [DefaultMinScore] its get. A value equal to query but for case is returned
// alone with score 1, even when minScore is above 1.
func (s *Set) Get(query string, minScore float64) []Match {
	key := lower(query)
	if v, ok := s.exact[key]; ok {
		return []Match{{Score: 1, Value: v}}
	}
	norm := normalize(key)
	for n := s.maxGram; n >= s.minGram; n-- {
		if ms := s.matches(key, norm, n, minScore); len(ms) > 0 {
			return ms
		}
	}
	return nil
}

// GetOne returns the best match for query with a score of at least
// minScore, and whether there is one: fuzzyset's getOneWithMinScore, and with
// [DefaultMinScore] its getOne.
func (s *Set) GetOne(query string, minScore float64) (string, bool) {
	ms := s.Get(query, minScore)
	if len(ms) == 0 {
		return "", false
	}
	return ms[0].Value, true
}

type candidate struct {
	item  int
	score float64
}

// matches is fuzzyset's getMatches for gram size n: key is the lower-cased
// query, norm its normalised form.
func (s *Set) matches(key, norm string, n int, minScore float64) []Match {
	qvec := gramVector(norm, n)
	if len(qvec) == 0 {
		return nil
	}
	idx := &s.grams[n-s.minGram]
	dots := make([]int, len(s.keys))
	var cands []candidate
	qsum := 0
	for g, c := range qvec {
		qc := int(c)
		qsum += qc * qc
		id, ok := idx.ids[g]
		if !ok {
			continue
		}
		for _, p := range idx.postings[idx.offs[id]:idx.offs[id+1]] {
			if dots[p.item] == 0 {
				cands = append(cands, candidate{item: int(p.item)})
			}
			dots[p.item] += int(p.count) * qc
		}
	}
	if len(cands) == 0 {
		return nil
	}
	qmag := math.Sqrt(float64(qsum))
	for i := range cands {
		c := &cands[i]
		c.score = float64(dots[c.item]) / (qmag * s.magnitudes[c.item*len(s.grams)+n-s.minGram])
	}
	// fuzzyset lists the matches in the iteration order of a HashMap Int and
	// stable-sorts them by score, descending; so ties go in HashMap order.
	slices.SortFunc(cands, func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return hamtCompare(a.item, b.item)
	})
	if s.levenshtein {
		cands = cands[:min(len(cands), levenshteinCandidates)]
		q := []rune(key)
		var buf []int
		for i := range cands {
			c := &cands[i]
			c.score, buf = levenshteinScore(q, s.keys[c.item], buf)
		}
		slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
	}
	var out []Match
	for _, c := range cands {
		if c.score >= minScore {
			out = append(out, Match{Score: c.score, Value: s.exact[s.keys[c.item]]})
		}
	}
	return out
}

// hamtCompare orders item indices as unordered-containers' HashMap Int
// iterates them: hashable hashes an Int to itself, and the hash array mapped
// trie branches on 5 bits at a time from the least significant end, each
// node listing its children in ascending order. So indices below 32 come in
// ascending order, and beyond that 1, 33, 65 come before 2.
func hamtCompare(a, b int) int {
	if a == b {
		return 0
	}
	shift := bits.TrailingZeros(uint(a^b)) / 5 * 5
	return cmp.Compare(uint(a)>>shift&31, uint(b)>>shift&31)
}

// levenshteinScore is text-metrics' levenshteinNorm, as fuzzyset converts it
// to a Double: the exact ratio (m-d)/m, rounded once, where m is the length
// in characters of the longer text and d the edit distance. (1 - d/m
// rounds twice: 1 - 1/3 gives 0.6666666666666667, not fuzzyset's
// 0.6666666666666666.) buf is scratch space, returned for reuse.
func levenshteinScore(a []rune, bs string, buf []int) (float64, []int) {
	b := buf[:0]
	nb := utf8.RuneCountInString(bs)
	// One row of the edit-distance table, over the characters of bs.
	b = slices.Grow(b, nb+1)[:nb+1]
	for j := range b {
		b[j] = j
	}
	for i, ra := range a {
		diag := b[0] // table[i][j-1] of the previous row
		b[0] = i + 1
		j := 1
		for _, rb := range bs {
			up := b[j]
			if ra == rb {
				b[j] = diag
			} else {
				b[j] = 1 + min(diag, up, b[j-1])
			}
			diag = up
			j++
		}
	}
	d := b[nb]
	if d == 0 {
		return 1, b
	}
	m := max(len(a), nb)
	return float64(m-d) / float64(m), b
}
