// Package auth verifies the JWT of a request and picks the database role it
// runs as, exactly as PostgREST does: the same Bearer parsing, the same
// keys (a secret, a JWK or a JWK set in jwt-secret), the same claim checks
// with their 30-second clock skew, the same role claim key syntax and the
// same errors (PGRST300-303, with their WWW-Authenticate headers).
//
// It works on plain values: the Authorization header value in, a role and
// the claims JSON out. It does not know HTTP, the database or the schema,
// and it never logs or returns a token.
package auth

import (
	"time"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/config"
	"github.com/restgres/restgres/internal/jsonpath"
	"github.com/restgres/restgres/internal/jsonvalue"
)

// Authenticator checks requests against one configuration. It is safe for
// concurrent use. Build a new one when the configuration is reloaded (the
// verified-token cache goes with it).
type Authenticator struct {
	keys     []*key // nil when jwt-secret is unset
	audience string // jwt-aud; "" accepts any audience
	anonRole string // db-anon-role; "" when unset

	rolePath *jsonpath.Path // jwt-role-claim-key

	cache *cache // nil when jwt-cache-max-entries <= 0 or no secret

	anonClaims []byte // {"role":"<anon>"}, shared by anonymous requests
}

// Result is who a request runs as.
type Result struct {
	// Role is the database role: the role claim, or db-anon-role when the
	// request has no token or its token has no role claim. A role claim
	// that is not a JSON string is its JSON text (1 -> "1", null ->
	// "null"), and an empty string stays empty: PostgREST passes both on
	// to the database, which then refuses them.
	Role string
	// ClaimsJSON is the value for the request.jwt.claims setting: the
	// token's claims with "role" set to Role, keys in order, numbers as
	// PostgREST prints them; {"role":"<anon>"} without a token. The slice
	// is shared between requests and must not be modified.
	ClaimsJSON []byte
	// Authenticated is PostgREST's test for answering an insufficient
	// privilege error (42501) with 403 rather than 401: the role is not
	// db-anon-role. A verified token without a role claim, or whose role is
	// the anonymous one, therefore counts as anonymous.
	Authenticated bool
}

// New builds an Authenticator from the JWT settings of cfg: jwt-secret
// (already read from its file and base64-decoded), jwt-aud,
// jwt-role-claim-key, jwt-cache-max-entries and db-anon-role. It parses the
// secret and the role claim key once; an error says which is invalid.
func New(cfg *config.Config) (*Authenticator, error) {
	a := &Authenticator{audience: cfg.JWTAudience, anonRole: cfg.DBAnonRole}
	if len(cfg.JWTSecret) > 0 {
		keys, err := parseSecret(cfg.JWTSecret)
		if err != nil {
			return nil, err
		}
		a.keys = keys
	}
	claimKey := cfg.JWTRoleClaimKey
	if claimKey == "" {
		claimKey = config.DefaultRoleClaimKey
	}
	p, err := jsonpath.Parse(claimKey)
	if err != nil {
		return nil, err
	}
	a.rolePath = p
	if a.keys != nil && cfg.JWTCacheMaxEntries > 0 {
		a.cache = newCache(cfg.JWTCacheMaxEntries)
	}
	if a.anonRole != "" {
		a.anonClaims = appendClaimsWithRole(nil, &jsonvalue.Value{Kind: jsonvalue.Object}, a.anonRole)
	}
	return a, nil
}

// DeprecatedRoleClaimKey reports whether jwt-role-claim-key uses the
// pre-v16 syntax, for which PostgREST logs a warning at startup and on
// reload.
func (a *Authenticator) DeprecatedRoleClaimKey() bool { return a.rolePath.Deprecated() }

// CacheStats returns the counters behind PostgREST's
// pgrst_jwt_cache_requests_total, pgrst_jwt_cache_hits_total and
// pgrst_jwt_cache_evictions_total; all zero when the cache is off.
func (a *Authenticator) CacheStats() (requests, hits, evictions uint64) {
	if a.cache == nil {
		return 0, 0, 0
	}
	hits = a.cache.hits.Load()
	return hits + a.cache.misses.Load(), hits, a.cache.evictions.Load()
}

// Authenticate checks the value of the request's Authorization header (""
// when there is none; with several, the first, as PostgREST reads it) at
// time now and returns the role to use. A header that is not a Bearer
// credential is ignored, as in PostgREST: the request is anonymous. The
// error is an *apierr.Error (PGRST300, PGRST301, PGRST302 or PGRST303).
func (a *Authenticator) Authenticate(authorization string, now time.Time) (Result, error) {
	token, ok := bearerToken(authorization)
	if !ok {
		if a.anonRole == "" {
			return Result{}, apierr.JWTTokenRequired()
		}
		return Result{Role: a.anonRole, ClaimsJSON: a.anonClaims}, nil
	}
	if a.keys == nil {
		return Result{}, apierr.JWTSecretMissing()
	}
	var e *entry
	if a.cache != nil {
		e = a.cache.get(token)
	}
	if e == nil {
		var err *apierr.Error
		if e, err = a.decode(token); err != nil {
			return Result{}, err
		}
		if a.cache != nil {
			a.cache.put(token, e)
		}
	}
	if err := e.check(now.Unix()); err != nil {
		return Result{}, err
	}
	return Result{Role: e.role, ClaimsJSON: e.claimsJSON, Authenticated: e.authenticated}, nil
}

// bearerToken extracts the token as wai-extra's extractBearerAuth does,
// which PostgREST uses: the scheme is everything up to the first blank
// and must be "bearer" in any case; the token is the rest with leading
// blanks removed (it may be empty). Blanks are Data.Word8's isSpace bytes.
func bearerToken(h string) (string, bool) {
	i := 0
	for i < len(h) && !isWord8Space(h[i]) {
		i++
	}
	if !isBearer(h[:i]) {
		return "", false
	}
	for i < len(h) && isWord8Space(h[i]) {
		i++
	}
	return h[i:], true
}

func isWord8Space(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 }

func isBearer(s string) bool {
	const want = "bearer"
	if len(s) != len(want) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != want[i] && c+('a'-'A') != want[i] {
			return false
		}
	}
	return true
}
