package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/restgres/restgres/internal/config"
)

func cachedAuth(t *testing.T, max int) *Authenticator {
	t.Helper()
	cfg := testConfig()
	cfg.JWTCacheMaxEntries = max
	return mustNew(t, cfg)
}

func wantStats(t *testing.T, a *Authenticator, requests, hits, evictions uint64) {
	t.Helper()
	r, h, e := a.CacheStats()
	if r != requests || h != hits || e != evictions {
		t.Fatalf("CacheStats = %d requests, %d hits, %d evictions; want %d, %d, %d", r, h, e, requests, hits, evictions)
	}
}

func TestCacheHit(t *testing.T) {
	a := cachedAuth(t, 10)
	h := "Bearer " + hs256(`{"role":"author","n":1.50}`)
	first, err := a.Authenticate(h, testNow)
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.Authenticate(h, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if first.Role != second.Role || string(first.ClaimsJSON) != string(second.ClaimsJSON) || first.Authenticated != second.Authenticated {
		t.Fatalf("hit %+v differs from miss %+v", second, first)
	}
	wantStats(t, a, 2, 1, 0)
	// The same token after a different scheme spelling is the same entry.
	if _, err := a.Authenticate("bearer  "+h[len("Bearer "):], testNow); err != nil {
		t.Fatal(err)
	}
	wantStats(t, a, 3, 2, 0)
}

// TestCacheExpiry checks that a cached token is still checked against the
// clock: it stops working when exp passes, and a token not yet valid
// starts working, both without being decoded again.
func TestCacheExpiry(t *testing.T) {
	a := cachedAuth(t, 10)
	h := "Bearer " + hs256(fmt.Sprintf(`{"role":"author","exp":%d,"nbf":%d}`, nowPlus(100), nowPlus(40)))
	_, err := a.Authenticate(h, testNow)
	checkErr(t, err, claimsErr("JWT not yet valid"))
	if _, err := a.Authenticate(h, testNow.Add(10*time.Second)); err != nil {
		t.Fatalf("at +10s: %v", err)
	}
	if _, err := a.Authenticate(h, testNow.Add(130*time.Second)); err != nil {
		t.Fatalf("at +130s (within the skew): %v", err)
	}
	_, err = a.Authenticate(h, testNow.Add(131*time.Second))
	checkErr(t, err, claimsErr("JWT expired"))
	wantStats(t, a, 4, 3, 0)
}

func TestCacheErrorsNotCached(t *testing.T) {
	a := cachedAuth(t, 10)
	for range 2 {
		_, err := a.Authenticate("Bearer a.b.c", testNow)
		checkErr(t, err, errCrypto)
		_, err = a.Authenticate("Bearer "+hs256(`[]`), testNow)
		checkErr(t, err, claimsErr("Parsing claims failed"))
	}
	wantStats(t, a, 4, 0, 0)
	if n := a.cache.len(); n != 0 {
		t.Fatalf("cache holds %d entries after errors", n)
	}
}

// TestCacheEviction follows SIEVE: a hit marks an entry visited; eviction
// walks from the oldest entry, sparing (and unmarking) visited ones.
func TestCacheEviction(t *testing.T) {
	a := cachedAuth(t, 2)
	tok := func(i int) string { return "Bearer " + hs256(fmt.Sprintf(`{"role":"r%d"}`, i)) }
	auth := func(i int) {
		t.Helper()
		res, err := a.Authenticate(tok(i), testNow)
		if err != nil || res.Role != fmt.Sprintf("r%d", i) {
			t.Fatalf("token %d: %q, %v", i, res.Role, err)
		}
	}
	cached := func(i int) bool { return a.cache.get(tok(i)[len("Bearer "):]) != nil }

	auth(1) // miss
	auth(2) // miss
	auth(1) // hit: 1 visited
	auth(3) // miss, full: 1 is spared, 2 is evicted
	wantStats(t, a, 4, 1, 1)
	if a.cache.len() != 2 {
		t.Fatalf("cache holds %d entries, want 2", a.cache.len())
	}
	if !cached(1) || cached(2) || !cached(3) {
		t.Fatalf("cached 1, 2, 3 = %v, %v, %v; want true, false, true", cached(1), cached(2), cached(3))
	}
	// cached() looked 1 and 3 up, marking both. The hand, back at the
	// oldest entry (1), unmarks 1 and 3 in one turn round and evicts 1.
	auth(4)
	if cached(1) || !cached(3) || !cached(4) {
		t.Fatalf("after 4: cached 1, 3, 4 = %v, %v, %v; want false, true, true", cached(1), cached(3), cached(4))
	}
}

func TestCacheDisabled(t *testing.T) {
	for _, max := range []int{0, -1} {
		a := cachedAuth(t, max)
		if a.cache != nil {
			t.Fatalf("jwt-cache-max-entries = %d: cache is on", max)
		}
		if _, err := a.Authenticate("Bearer "+hs256(`{"role":"author"}`), testNow); err != nil {
			t.Fatal(err)
		}
		wantStats(t, a, 0, 0, 0)
	}
	// Without a secret there is nothing to cache.
	a := mustNew(t, &config.Config{DBAnonRole: "anon", JWTCacheMaxEntries: 10})
	if a.cache != nil {
		t.Fatal("cache is on without jwt-secret")
	}
}

// TestCacheConcurrent is for the race detector: many goroutines hitting,
// missing and evicting at once.
func TestCacheConcurrent(t *testing.T) {
	a := cachedAuth(t, 8)
	tokens := make([]string, 20)
	for i := range tokens {
		tokens[i] = "Bearer " + hs256(fmt.Sprintf(`{"role":"r%d"}`, i))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := (i*7 + g) % len(tokens)
				res, err := a.Authenticate(tokens[k], testNow)
				if err != nil || res.Role != fmt.Sprintf("r%d", k) {
					t.Errorf("token %d: %q, %v", k, res.Role, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := a.cache.len(); n > 8 {
		t.Fatalf("cache holds %d entries, more than 8", n)
	}
	if r, _, _ := a.CacheStats(); r != 8*500 {
		t.Fatalf("%d cache requests counted, want %d", r, 8*500)
	}
}
