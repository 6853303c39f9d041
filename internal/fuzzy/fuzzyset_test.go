package fuzzy

import (
	"math"
	"slices"
	"testing"
)

// The rows below are the expectations of the Haskell fuzzyset package, at
// the version PostgREST pins (0.2.4): its test suite (test/Spec.hs) and the
// examples of its documentation (Data/FuzzySet.hs, README.md). Their orders
// of tied scores pin down the tie-breaking; the non-default gram sizes and
// the runs without Levenshtein isolate the cosine stage.

var states = []string{
	"Alabama", "Alaska", "American Samoa", "Arizona", "Arkansas",
	"California", "Colorado", "Connecticut", "Delaware", "District of Columbia",
	"Florida", "Georgia", "Guam", "Hawaii", "Idaho",
	"Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
	"Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan",
	"Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
	"Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
	"North Carolina", "North Dakota", "Northern Marianas Islands", "Ohio", "Oklahoma",
	"Oregon", "Pennsylvania", "Puerto Rico", "Rhode Island", "South Carolina",
	"South Dakota", "Tennessee", "Texas", "Utah", "Vermont",
	"Virginia", "Virgin Islands", "Washington", "West Virginia", "Wisconsin",
	"Wyoming",
}

// added is fuzzyset's emptySet minGram maxGram levenshtein `add` v1 `add`
// v2 …: the values are added in the order given.
func added(minGram, maxGram int, levenshtein bool, values ...string) *Set {
	return build(minGram, maxGram, levenshtein, slices.All(values))
}

// fromList is fuzzyset's addMany (emptySet …) values, which adds the values
// from the last to the first, as New does.
func fromList(minGram, maxGram int, levenshtein bool, values []string) *Set {
	r := slices.Clone(values)
	slices.Reverse(r)
	return added(minGram, maxGram, levenshtein, r...)
}

// sameMatches compares values exactly and scores to 1e-12: some of the
// expected scores were printed by older fuzzyset versions that computed
// 1 - d/m, which differs from (m-d)/m in the last bit.
func sameMatches(got, want []Match) bool {
	return slices.EqualFunc(got, want, func(a, b Match) bool {
		return a.Value == b.Value && math.Abs(a.Score-b.Score) <= 1e-12
	})
}

func TestFuzzysetGet(t *testing.T) {
	detectives := added(2, 3, true, "Bruce Wayne", "Charlie Chan", "Frank Columbo",
		"Hercule Poirot", "Jane Marple", "Lisbeth Salander", "Nancy Drew", "Nero Wolfe",
		"Perry Mason", "Philip Marlowe", "Sherlock Holmes")
	set4 := added(2, 3, false, "Alaska", "Alabama", "Guam")
	set5 := fromList(2, 3, false, states)
	set6 := New(states)
	set7 := fromList(2, 4, true, states)
	tests := []struct {
		name  string
		set   *Set
		query string
		want  []Match
	}{
		// Without Levenshtein: cosine scores only.
		{"set4", set4, "flask", []Match{{0.3651483716701107, "Alaska"}}},
		{"set4", set4, "lambda", []Match{{0.40089186286863654, "Alabama"}}},
		{"set4", set4, "lambada", []Match{{0.5, "Alabama"}}},
		{"set4", set4, "alabama", []Match{{1, "Alabama"}}},
		{"set4", set4, "al", []Match{{0.4364357804719848, "Alaska"}, {0.40824829046386296, "Alabama"}}},
		{"set4", set4, "albama", []Match{{0.6172133998483676, "Alabama"}}},
		{"set4", set4, "Alabaska", []Match{{0.7216878364870323, "Alaska"}, {0.5345224838248487, "Alabama"}}},
		{"set5", set5, "homeland", []Match{{0.37499999999999994, "Maryland"}}},
		{"set5", set5, "connectedcut", []Match{{0.6963106238227914, "Connecticut"}}},
		{"set5", set5, "oregano", []Match{{0.4629100498862757, "Oregon"}}},
		{"set5", set5, "akeloxasas", []Match{{0.4622501635210243, "Arkansas"}, {0.45291081365783836, "Texas"}, {0.4193139346887673, "Kansas"}}},
		{"set5", set5, "alaskansas", []Match{{0.6454972243679029, "Kansas"}, {0.6454972243679029, "Alaska"}, {0.5590169943749475, "Arkansas"}}},
		{"set5", set5, "South", []Match{{0.5163977794943222, "South Dakota"}, {0.47809144373375745, "South Carolina"}}},
		{"set5", set5, "penicillivania", []Match{{0.46291004988627577, "Pennsylvania"}}},
		{"set5", set5, "Michisota", []Match{{0.4714045207910316, "Michigan"}, {0.4444444444444444, "Minnesota"}}},
		{"set5", set5, "New Mix", []Match{{0.47809144373375745, "New Mexico"}, {0.40089186286863654, "New York"}, {0.35856858280031806, "New Jersey"}}},
		{"set5", set5, "Waioming", []Match{{0.5345224838248487, "Wyoming"}}},
		{"set5", set5, "Landland", []Match{{0.5103103630798287, "Maryland"}, {0.41666666666666674, "Rhode Island"}}},
		// With Levenshtein, the default.
		{"set6", set6, "wyome", []Match{{0.5714285714285714, "Wyoming"}}},
		{"set6", set6, "Louisianaland", []Match{{0.6923076923076923, "Louisiana"}, {0.3846153846153846, "Maryland"}, {0.3846153846153846, "Rhode Island"}, {0.36, "Northern Marianas Islands"}}},
		{"set6", set6, "ia", []Match{{0.5, "Iowa"}, {0.4, "Idaho"}}},
		{"set6", set6, "flaska", []Match{{0.8333333333333334, "Alaska"}, {0.5, "Nebraska"}, {0.4285714285714286, "Florida"}}},
		{"set7", set7, "Alaskansas", []Match{{0.7, "Arkansas"}, {0.6, "Kansas"}, {0.6, "Alaska"}, {0.5, "Alabama"}}},
		{"set7", set7, "Transylvania", []Match{{0.75, "Pennsylvania"}, {0.3333333333333333, "California"}}},
		// The examples of the documentation, on fromList states.
		{"statesSet", set6, "Burger Islands", []Match{{0.7142857142857143, "Virgin Islands"}, {0.5714285714285714, "Rhode Island"}, {0.44, "Northern Marianas Islands"}, {0.35714285714285715, "Maryland"}}},
		{"statesSet", set6, "Why-oh-me-ing", []Match{{0.5384615384615384, "Wyoming"}}},
		{"statesSet", set6, "Connect a cat", []Match{{0.6923076923076923, "Connecticut"}}},
		{"statesSet", set6, "CanOfSauce", []Match{{0.4, "Kansas"}}},
		{"statesSet", set6, "Alaska", []Match{{1, "Alaska"}}},
		// The documentation, written for fuzzyset 0.1, lists these ties as
		// Kansas, Alaska, Alabama, Nebraska and California, Arkansas,
		// Kansas: 0.1 re-scored an unsorted list. 0.2.4 stable-sorts a list
		// sorted by cosine score, so ties keep the cosine order (Alaska
		// 0.596, Kansas 0.511, Nebraska 0.442, Alabama 0.158).
		{"statesSet", set6, "Alaskanbraskansas", []Match{{0.47058823529411764, "Arkansas"}, {0.35294117647058826, "Alaska"}, {0.35294117647058826, "Kansas"}, {0.35294117647058826, "Nebraska"}, {0.35294117647058826, "Alabama"}}},
		{"statesSet", set6, "Transylvania", []Match{{0.75, "Pennsylvania"}, {1.0 / 3, "California"}, {1.0 / 3, "Kansas"}, {1.0 / 3, "Arkansas"}}},
		{"shaggy", added(2, 3, true, "Shaggy Rogers", "Fred Jones", "Daphne Blake", "Velma Dinkley"), "Shaggy Jones", []Match{{0.7692307692307693, "Shaggy Rogers"}, {0.5, "Fred Jones"}}},
		{"covfefe", added(2, 3, false, "tea", "biscuits", "cake", "coffee"), "covfefe", []Match{{0.5976143046671968, "coffee"}}},
		{"xxx", added(2, 3, true, "xxx"), "xxx", []Match{{1, "xxx"}}},
		{"percolator", added(2, 3, true, "Jurassic Park", "Terminator", "The Matrix"), "percolator", []Match{{0.6, "Terminator"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name+" "+tc.query, func(t *testing.T) {
			if got := tc.set.Get(tc.query, DefaultMinScore); !sameMatches(got, tc.want) {
				t.Errorf("Get(%q) = %v, want %v", tc.query, got, tc.want)
			}
		})
	}

	// getMatches detectives "Gumshoe" 0 2, with and without Levenshtein.
	gumshoe := []struct {
		levenshtein bool
		want        []Match
	}{
		{true, []Match{{0.2142857142857143, "Philip Marlowe"}, {0.19999999999999996, "Sherlock Holmes"}, {0.19999999999999996, "Nero Wolfe"}, {0.18181818181818177, "Bruce Wayne"}, {0.18181818181818177, "Jane Marple"}, {0.07692307692307687, "Frank Columbo"}}},
		{false, []Match{{0.17677669529663687, "Sherlock Holmes"}, {0.10660035817780521, "Nero Wolfe"}, {0.10206207261596574, "Bruce Wayne"}, {0.10206207261596574, "Jane Marple"}, {0.0944911182523068, "Frank Columbo"}, {0.09128709291752767, "Philip Marlowe"}}},
	}
	for _, tc := range gumshoe {
		detectives.levenshtein = tc.levenshtein
		key := lower("Gumshoe")
		if got := detectives.matches(key, normalize(key), 2, 0); !sameMatches(got, tc.want) {
			t.Errorf("detectives, levenshtein %v: matches(Gumshoe, 2) = %v, want %v", tc.levenshtein, got, tc.want)
		}
	}
}

// TestFuzzysetLargeSet is fuzzyset's "Large set" test: 132 and 133 copies of
// one name (all kept, see New) push the best match through the cut to the
// 50 best cosine scores.
func TestFuzzysetLargeSet(t *testing.T) {
	for _, n := range []int{132, 133} {
		values := append(slices.Repeat([]string{"John Smith"}, n), "Joseph Dombrowski")
		s := added(2, 3, true, values...)
		if got := s.Get("Joe Dombrowski", 0.72); len(got) != 1 || got[0].Value != "Joseph Dombrowski" {
			t.Errorf("%d copies: Get = %v, want Joseph Dombrowski alone", n, got)
		}
	}
}

func TestLevenshteinScore(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"hello", "yello", 0.8},
		{"fellow", "yello", 4.0 / 6},
		{"fellow", "yellow", 5.0 / 6},
		{"propeller", "yellow", 3.0 / 9},
		{"propeller", "teller", 5.0 / 9},
		{"balloon", "spoon", 3.0 / 7},
		{"balloon", "electron", 0.25},
		{"spectrum", "electron", 0.5},
		{"spectrum", "techno", 0.25},
		{"technology", "techno", 0.6},
		{"technology", "logic", 0.2},
		{"toxic", "logic", 0.6},
		{"sawa", "sawa", 1},
		{"fez", "baz", 1.0 / 3},
		{"", "", 1},
		{"", "abc", 0},
		{"abc", "", 0},
		{"héllo", "hello", 0.8}, // characters, not bytes
	}
	for _, tc := range tests {
		// Exact: the ratio rounded once, as fromRational rounds it.
		if got, _ := levenshteinScore([]rune(tc.a), tc.b, nil); got != tc.want {
			t.Errorf("levenshteinScore(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestGramVector(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want map[string]int
	}{
		{"xxx", 2, map[string]int{"-x": 1, "xx": 2, "x-": 1}},
		{"xxx", 3, map[string]int{"-xx": 1, "xx-": 1, "xxx": 1}},
		{"xxxxxxx", 4, map[string]int{"-xxx": 1, "xxxx": 4, "xxx-": 1}},
		{"bananasananas", 2, map[string]int{"-b": 1, "ba": 1, "an": 4, "na": 4, "as": 2, "sa": 1, "s-": 1}},
		{"bananasananas", 3, map[string]int{"-ba": 1, "ban": 1, "ana": 4, "nan": 2, "nas": 2, "asa": 1, "san": 1, "as-": 1}},
		{"charade", 3, map[string]int{"-ch": 1, "cha": 1, "har": 1, "ara": 1, "rad": 1, "ade": 1, "de-": 1}},
		{"aFl1pP!.,nG FL0^ppy+", 2, map[string]int{"-a": 1, "af": 1, "fl": 2, "l1": 1, "1p": 1, "pp": 2, "p,": 1, ",n": 1, "ng": 1, "g ": 1, " f": 1, "l0": 1, "0p": 1, "py": 1, "y-": 1}},
		{"", 2, map[string]int{"--": 1}},
		{"", 3, map[string]int{}},
		{"über", 2, map[string]int{"-ü": 1, "üb": 1, "be": 1, "er": 1, "r-": 1}},
	}
	for _, tc := range tests {
		got := gramVector(normalize(lower(tc.in)), tc.n)
		if len(got) != len(tc.want) {
			t.Errorf("gramVector(%q, %d) = %v, want %v", tc.in, tc.n, got, tc.want)
			continue
		}
		for g, c := range tc.want {
			if int(got[g]) != c {
				t.Errorf("gramVector(%q, %d) = %v, want %v", tc.in, tc.n, got, tc.want)
				break
			}
		}
	}
}

func TestHAMTCompare(t *testing.T) {
	// unordered-containers branches on the low 5 bits first: 0, 32, 64 share
	// the first slot, then come 1, 33, and so on.
	got := []int{0, 1, 2, 31, 32, 33, 63, 64, 65, 1024, 1025}
	slices.SortFunc(got, hamtCompare)
	want := []int{0, 1024, 32, 64, 1, 1025, 33, 65, 2, 31, 63}
	if !slices.Equal(got, want) {
		t.Errorf("sorted by hamtCompare: %v, want %v", got, want)
	}
}

// TestTieOrder checks that a full tie (same cosine score, same Levenshtein
// score) among more than 32 values comes out in HashMap Int order of the
// item indices: index i is the value at position 39-i, since New adds from
// the last value.
func TestTieOrder(t *testing.T) {
	var values []string
	for _, x := range "efghijklmnopqrstuvwxyz" {
		for _, y := range "efghijklmnopqrstuvwxyz" {
			if x != y && len(values) < 40 {
				values = append(values, "abcd"+string(x)+string(y))
			}
		}
	}
	var want []string
	for _, idx := range []int{0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39} {
		want = append(want, values[39-idx])
	}
	for idx := 8; idx < 32; idx++ {
		want = append(want, values[39-idx])
	}
	var got []string
	for _, m := range New(values).Get("abcd", 0) {
		if m.Score != 4.0/6 {
			t.Fatalf("Get(abcd): %v scores %v, want all 4/6", m.Value, m.Score)
		}
		got = append(got, m.Value)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Get(abcd) = %v, want %v", got, want)
	}
}

// TestNormalization covers the text handling fuzzyset inherits from
// Haskell's Data.Text and Data.Char.
func TestNormalization(t *testing.T) {
	tests := []struct {
		in, lower, norm string
	}{
		{"Test_Table", "test_table", "testtable"},
		{"(name, param, val)", "(name, param, val)", "name, param, val"},
		{"Destroido Corp.", "destroido corp.", "destroido corp"},
		{"İstanbul", "i\u0307stanbul", "istanbul"}, // full mapping; U+0307 is a mark
		{"ÄÖÜ ß", "äöü ß", "äöü ß"},
		{"tab\there\u00a0nbsp", "tab\there\u00a0nbsp", "tab\there\u00a0nbsp"},
		{"a\u2028b\u0085c\u3000d", "a\u2028b\u0085c\u3000d", "abc\u3000d"}, // Zs only above U+0377
		{"x²½Ⅻ", "x²½ⅻ", "x²½ⅻ"},                                           // all numbers, not just digits
		{"日本語", "日本語", "日本語"},
	}
	for _, tc := range tests {
		if got := lower(tc.in); got != tc.lower {
			t.Errorf("lower(%q) = %q, want %q", tc.in, got, tc.lower)
		}
		if got := normalize(lower(tc.in)); got != tc.norm {
			t.Errorf("normalize(lower(%q)) = %q, want %q", tc.in, got, tc.norm)
		}
	}
}

// TestAddKeepsFuzzysetDuplicates checks fuzzyset's add: it skips a value
// only when the set already holds a value equal to its lower-cased form.
func TestAddKeepsFuzzysetDuplicates(t *testing.T) {
	tests := []struct {
		values  []string // given to New, which adds the last first
		entries int
		exact   string // value returned for an exact match of "films"
	}{
		{[]string{"films", "films"}, 1, "films"},
		{[]string{"Films", "Films"}, 2, "Films"},
		{[]string{"Films", "films"}, 1, "films"}, // "films" added first; "Films" skipped
		{[]string{"films", "Films"}, 2, "films"}, // "Films" added first, then "films" too
		{[]string{"FILMS", "Films"}, 2, "FILMS"}, // both kept; the last added wins
	}
	for _, tc := range tests {
		s := New(tc.values)
		if len(s.keys) != tc.entries {
			t.Errorf("New(%q): %d entries, want %d", tc.values, len(s.keys), tc.entries)
		}
		if got, _ := s.GetOne("FiLmS", 2); got != tc.exact {
			t.Errorf("New(%q).GetOne(FiLmS) = %q, want %q", tc.values, got, tc.exact)
		}
	}
	// Twice kept, twice found.
	if got := New([]string{"Films", "Films"}).Get("film", DefaultMinScore); len(got) != 2 {
		t.Errorf("New(Films, Films).Get(film) = %v, want Films twice", got)
	}
}

func TestEdgeCases(t *testing.T) {
	if got := New(nil).Get("x", 0); got != nil {
		t.Errorf("New(nil).Get = %v, want nil", got)
	}
	if got, ok := New(nil).GetOne("x", 0); ok {
		t.Errorf("New(nil).GetOne = %q, want none", got)
	}
	// Only the empty normalised form shares the 2-gram "--" with "".
	s := New([]string{"_", "a", "ab"})
	if got := s.Get("", 0); len(got) != 1 || got[0].Value != "_" {
		t.Errorf("Get(\"\") = %v, want [_] alone", got)
	}
	// "()" normalises to "" too, but Levenshtein compares "()" with "_".
	if got := s.Get("()", 0); len(got) != 1 || got[0].Value != "_" || got[0].Score != 0 {
		t.Errorf("Get(\"()\") = %v, want [{0 _}]", got)
	}
	// Nothing shares a 3-gram with "ax", so 2-grams decide: "-a" with both.
	// Both are one edit away (0.5); the cosine order breaks the tie: "a"
	// 1/sqrt(6) before "ab" 1/3.
	if got := s.Get("ax", 0); len(got) != 2 || got[0].Value != "a" || got[1].Value != "ab" {
		t.Errorf("Get(ax) = %v, want a then ab", got)
	}
	if got := s.Get("ax", 0.6); got != nil {
		t.Errorf("Get(ax, 0.6) = %v, want nil", got)
	}
	// A gram size counts as matched only if something passes minScore:
	// "qqqqqqbcyqqq" shares the 3-gram "bcy" with "xbcy" but scores 2/12;
	// "zbcw" shares only the 2-gram "bc" and scores 2/4.
	s = New([]string{"qqqqqqbcyqqq", "zbcw"})
	if got := s.Get("xbcy", 0.5); len(got) != 1 || got[0].Value != "zbcw" {
		t.Errorf("Get(xbcy, 0.5) = %v, want [zbcw]", got)
	}
	if got := s.Get("xbcy", 0.1); len(got) != 1 || got[0].Value != "qqqqqqbcyqqq" {
		t.Errorf("Get(xbcy, 0.1) = %v, want [qqqqqqbcyqqq]", got)
	}
	// Invalid UTF-8 neither panics nor matches as letters.
	s = New([]string{"_", "a", "ab"})
	if got := s.Get("a\xff\xfe", DefaultMinScore); len(got) == 0 || got[0].Value != "a" {
		t.Errorf("Get(a\\xff\\xfe) = %v, want a first", got)
	}
}
