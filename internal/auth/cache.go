package auth

import (
	"strings"
	"sync"
	"sync/atomic"
)

// cache maps verified tokens to their decoded form, bounded by
// jwt-cache-max-entries and evicting with SIEVE, as PostgREST's JWT cache
// does. SIEVE suits a read-mostly cache: a hit only sets a flag, so hits
// never reorder anything and need no lock (the index is a sync.Map, whose
// lookups do not write shared memory); the list changes only on insertion,
// under mu.
//
// Entries hold what a token decodes to, not a verdict: expiry is checked
// on every lookup against the request's time, so a cached token stops
// working when it expires.
type cache struct {
	max   int
	items sync.Map // token -> *cacheNode; written only with mu held

	mu sync.Mutex
	n  int // entries in items and in the list
	// The list runs from head (newest) to tail (oldest); the hand moves
	// from the tail towards the head looking for an unvisited entry.
	head, tail, hand *cacheNode

	hits, misses, evictions atomic.Uint64
}

type cacheNode struct {
	key        string
	val        *entry
	visited    atomic.Bool
	prev, next *cacheNode // prev is towards the head
}

func newCache(max int) *cache { return &cache{max: max} }

// get returns the entry of token, or nil.
func (c *cache) get(token string) *entry {
	v, ok := c.items.Load(token)
	if !ok {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	n := v.(*cacheNode)
	// Read before writing so that hot entries do not bounce their cache
	// line between cores on every request.
	if !n.visited.Load() {
		n.visited.Store(true)
	}
	return n.val
}

// put inserts the entry of token, evicting one entry when the cache is
// full. A token already present (a concurrent miss on the same token) is
// left as it is.
func (c *cache) put(token string, e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items.Load(token); ok {
		return
	}
	if c.n >= c.max {
		c.evict()
	}
	// Clone: the token is a slice of the request's header, which the cache
	// must not keep alive.
	n := &cacheNode{key: strings.Clone(token), val: e}
	n.next = c.head
	if c.head != nil {
		c.head.prev = n
	}
	c.head = n
	if c.tail == nil {
		c.tail = n
	}
	c.items.Store(n.key, n)
	c.n++
}

// evict removes one entry: the first unvisited one from the hand towards
// the head, clearing the visited flags it passes. Called with mu held.
func (c *cache) evict() {
	n := c.hand
	if n == nil {
		n = c.tail
	}
	for n.visited.Load() {
		n.visited.Store(false)
		if n = n.prev; n == nil {
			n = c.tail
		}
	}
	c.hand = n.prev
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		c.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		c.tail = n.prev
	}
	c.items.Delete(n.key)
	c.n--
	c.evictions.Add(1)
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
