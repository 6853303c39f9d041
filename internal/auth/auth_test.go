package auth

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/restgres/restgres/internal/config"
)

var testNow = time.Unix(1_700_000_000, 0)

func nowPlus(s int64) int64 { return testNow.Unix() + s }

type authCase struct {
	name   string
	cfg    func(*config.Config) // changes to testConfig(); nil for none
	header string               // the Authorization value
	now    time.Time            // zero: testNow
	want   Result               // ClaimsJSON compared as a string
	err    wantErr
}

func runAuthCases(t *testing.T, cases []authCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			a := mustNew(t, cfg)
			now := tc.now
			if now.IsZero() {
				now = testNow
			}
			got, err := a.Authenticate(tc.header, now)
			checkErr(t, err, tc.err)
			if tc.err.Status != 0 {
				return
			}
			if got.Role != tc.want.Role || string(got.ClaimsJSON) != string(tc.want.ClaimsJSON) || got.Authenticated != tc.want.Authenticated {
				t.Fatalf("Authenticate = {%q %s %v}, want {%q %s %v}", got.Role, got.ClaimsJSON, got.Authenticated,
					tc.want.Role, tc.want.ClaimsJSON, tc.want.Authenticated)
			}
		})
	}
}

func author(claimsJSON string) Result {
	return Result{Role: "author", ClaimsJSON: []byte(claimsJSON), Authenticated: true}
}

var anonResult = Result{Role: "anon", ClaimsJSON: []byte(`{"role":"anon"}`)}

func noAnon(c *config.Config)   { c.DBAnonRole = "" }
func noSecret(c *config.Config) { c.JWTSecret = nil }

func TestBearer(t *testing.T) {
	tok := hs256(`{"role":"author"}`)
	ok := author(`{"role":"author"}`)
	runAuthCases(t, []authCase{
		{name: "no header", header: "", want: anonResult},
		{name: "other scheme", header: "Basic dXNlcjpwYXNz", want: anonResult},
		{name: "scheme only in other case", header: "Token " + tok, want: anonResult},
		{name: "bearer prefix of a word", header: "Bearerx " + tok, want: anonResult},
		{name: "Bearer", header: "Bearer " + tok, want: ok},
		{name: "bearer", header: "bearer " + tok, want: ok},
		{name: "BeArEr", header: "BeArEr " + tok, want: ok},
		{name: "tab and spaces", header: "Bearer \t  " + tok, want: ok},
		{name: "no-break space byte", header: "Bearer\xa0" + tok, want: ok},
		{name: "empty after Bearer", header: "Bearer", err: errEmpty},
		{name: "blank after Bearer", header: "Bearer   ", err: errEmpty},
		{name: "empty, no anon role", cfg: noAnon, header: "Bearer ", err: errEmpty},
		{name: "no secret beats empty token", cfg: noSecret, header: "Bearer ", err: errSecretNeeded},
		{name: "no secret, token", cfg: noSecret, header: "Bearer " + tok, err: errSecretNeeded},
		{name: "no secret, no token", cfg: noSecret, header: "", want: anonResult},
		{name: "no anon role, no token", cfg: noAnon, header: "", err: errTokenNeeded},
		{name: "no anon role, other scheme", cfg: noAnon, header: "Basic x", err: errTokenNeeded},
		{name: "trailing blank is part of the token", header: "Bearer " + tok + " ", err: decodeErr(msgBadCrypto, "")},
	})
}

func TestTokenStructure(t *testing.T) {
	sign := hsSigner(crypto.SHA256, []byte(testSecret))
	good := hs256(`{"role":"author"}`)
	h, p, s := splitToken(good)
	runAuthCases(t, []authCase{
		{name: "one part", header: "Bearer abc", err: parts(1)},
		{name: "two parts", header: "Bearer " + h + "." + p, err: parts(2)},
		{name: "four parts", header: "Bearer " + good + ".x", err: parts(4)},
		{name: "dots only", header: "Bearer ..", err: errCrypto},
		{name: "conformance: two parts", header: "Bearer ey9zdGdyZXN0X3Rlc3RfYXV0aG9yIiwiaWQiOiJqZG9lIn0.y4vZuu1dDdwAl0-S00MCRWRYMlJ5YAMSir6Es6WtWx0", err: parts(2)},
		{name: "conformance: random characters", header: "Bearer quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah", err: errCrypto},
		{name: "header padded base64", header: "Bearer " + h + "=." + p + "." + s, err: errCrypto},
		{name: "header standard base64 alphabet", header: "Bearer " + h[:8] + "/" + h[9:] + "." + p + "." + s, err: errCrypto},
		{name: "header not JSON", header: "Bearer " + b64([]byte(`{alg:HS256}`)) + "." + p + "." + s, err: errCrypto},
		{name: "header JSON array", header: "Bearer " + jwt(`["HS256"]`, `{}`, sign), err: errCrypto},
		{name: "header without alg", header: "Bearer " + jwt(`{"typ":"JWT"}`, `{}`, sign), err: errCrypto},
		{name: "alg not a string", header: "Bearer " + jwt(`{"alg":256}`, `{}`, sign), err: errCrypto},
		{name: "alg unknown", header: "Bearer " + jwt(`{"alg":"HS257"}`, `{}`, sign), err: errCrypto},
		{name: "alg in other case", header: "Bearer " + jwt(`{"alg":"hs256"}`, `{}`, sign), err: errCrypto},
		{name: "alg PS256 (jose-jwt has no PSS)", header: "Bearer " + jwt(`{"alg":"PS256"}`, `{}`, sign), err: errCrypto},
		{name: "alg none", header: "Bearer " + b64([]byte(`{"alg":"none"}`)) + "." + b64([]byte(`{"role":"author"}`)) + ".", err: errUnsecured},
		{name: "alg none with a signature", header: "Bearer " + jwt(`{"alg":"none"}`, `{"role":"author"}`, sign), err: errUnsecured},
		{name: "alg none, bad payload", header: "Bearer " + b64([]byte(`{"alg":"none"}`)) + ".!!.", err: errCrypto},
		{name: "JWE header", header: "Bearer " + jwt(`{"alg":"RSA-OAEP","enc":"A256GCM"}`, `{}`, sign), err: errCrypto},
		{name: "enc next to a JWS alg", header: "Bearer " + jwt(`{"alg":"HS256","enc":null}`, `{}`, sign), err: errCrypto},
		{name: "typ not a string", header: "Bearer " + jwt(`{"alg":"HS256","typ":1}`, `{}`, sign), err: errCrypto},
		{name: "cty not a string", header: "Bearer " + jwt(`{"alg":"HS256","cty":{}}`, `{}`, sign), err: errCrypto},
		{name: "kid not a string", header: "Bearer " + jwt(`{"alg":"HS256","kid":1}`, `{}`, sign), err: errCrypto},
		{name: "null typ and kid are absent", header: "Bearer " + jwt(`{"alg":"HS256","typ":null,"kid":null}`, `{"role":"author"}`, sign), want: author(`{"role":"author"}`)},
		{name: "duplicate alg: the last counts", header: "Bearer " + jwt(`{"alg":"none","alg":"HS256"}`, `{"role":"author"}`, sign), want: author(`{"role":"author"}`)},
		{name: "header invalid UTF-8", header: "Bearer " + jwt("{\"alg\":\"HS256\",\"x\":\"\xff\"}", `{}`, sign), err: errCrypto},
		{name: "payload not base64url", header: "Bearer " + h + ".e30=." + s, err: errCrypto},
		{name: "signature not base64url", header: "Bearer " + h + "." + p + ".a+b", err: errCrypto},
		{name: "signature with line break", header: "Bearer " + h + "." + p + "." + s[:10] + "\n" + s[10:], err: errCrypto},
		{name: "wrong secret", header: "Bearer " + jwt(`{"alg":"HS256"}`, `{}`, hsSigner(crypto.SHA256, []byte(strings.Repeat("x", 32)))), err: errNoneValid},
		{name: "conformance: wrong secret", header: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.H3g0RqFzidJC79JOsMrtqpo5I-TDENcFOiIREzFjE08", err: errNoneValid},
		{name: "empty signature", header: "Bearer " + h + "." + p + ".", err: errNoneValid},
		{name: "HS384 with a plain secret (an HS256 key)", header: "Bearer " + jwt(`{"alg":"HS384"}`, `{}`, hsSigner(crypto.SHA384, []byte(testSecret))), err: errNoKey},
		{name: "RS256 with a plain secret", header: "Bearer " + jwt(`{"alg":"RS256"}`, `{}`, sign), err: errNoKey},
		{name: "kid with a plain secret", header: "Bearer " + jwt(`{"alg":"HS256","kid":"a"}`, `{}`, sign), err: errNoKey},
		{name: "claims not an object", header: "Bearer " + jwt(`{"alg":"HS256"}`, `["author"]`, sign), err: claimsErr("Parsing claims failed")},
		{name: "claims not JSON", header: "Bearer " + jwt(`{"alg":"HS256"}`, `{"role":}`, sign), err: claimsErr("Parsing claims failed")},
		{name: "claims invalid UTF-8", header: "Bearer " + jwt(`{"alg":"HS256"}`, "{\"role\":\"\xc3\"}", sign), err: claimsErr("Parsing claims failed")},
		{name: "claims with blanks around", header: "Bearer " + jwt(`{"alg":"HS256"}`, " \n{\"role\":\"author\"}\t", sign), want: author(`{"role":"author"}`)},
	})
}

func splitToken(tok string) (h, p, s string) {
	f := strings.Split(tok, ".")
	return f[0], f[1], f[2]
}

func TestClaims(t *testing.T) {
	aud := func(c *config.Config) { c.JWTAudience = "youraudience" }
	tok := func(claims string) string { return "Bearer " + hs256(claims) }
	runAuthCases(t, []authCase{
		// exp: expired when now - 30 > exp.
		{name: "exp 31s ago", header: tok(fmt.Sprintf(`{"exp":%d}`, nowPlus(-31))), err: claimsErr("JWT expired")},
		{name: "exp 30s ago", header: tok(fmt.Sprintf(`{"exp":%d}`, nowPlus(-30))), want: anonWithClaims(fmt.Sprintf(`{"exp":%d,"role":"anon"}`, nowPlus(-30)))},
		{name: "exp 35s ago (conformance)", header: tok(fmt.Sprintf(`{"exp":%d}`, nowPlus(-35))), err: claimsErr("JWT expired")},
		{name: "exp fraction of a second ahead of now", header: tok(fmt.Sprintf(`{"exp":%d}`, nowPlus(-31))), now: testNow.Add(-999 * time.Millisecond), want: anonWithClaims(fmt.Sprintf(`{"exp":%d,"role":"anon"}`, nowPlus(-31)))},
		{name: "exp string", header: tok(`{"exp":"9999999999"}`), err: claimsErr("The JWT 'exp' claim must be a number")},
		{name: "exp bool", header: tok(`{"exp":true}`), err: claimsErr("The JWT 'exp' claim must be a number")},
		{name: "exp null is absent", header: tok(`{"exp":null}`), want: anonWithClaims(`{"exp":null,"role":"anon"}`)},
		{name: "exp fractional counts as 0", header: tok(`{"exp":9999999999.5}`), err: claimsErr("JWT expired")},
		{name: "exp beyond int64 counts as 0", header: tok(`{"exp":1e30}`), err: claimsErr("JWT expired")},
		{name: "exp integral with a fraction part", header: tok(`{"exp":9999999999.0}`), want: anonWithClaims(`{"exp":9.999999999e9,"role":"anon"}`)},
		{name: "exp in exponent form", header: tok(`{"exp":1e10}`), want: anonWithClaims(`{"exp":10000000000,"role":"anon"}`)},
		// nbf and iat: rejected when now + 30 < value.
		{name: "nbf 31s ahead", header: tok(fmt.Sprintf(`{"nbf":%d}`, nowPlus(31))), err: claimsErr("JWT not yet valid")},
		{name: "nbf 30s ahead", header: tok(fmt.Sprintf(`{"nbf":%d}`, nowPlus(30))), want: anonWithClaims(fmt.Sprintf(`{"nbf":%d,"role":"anon"}`, nowPlus(30)))},
		{name: "nbf not a number", header: tok(`{"nbf":"invalid","role":"author"}`), err: claimsErr("The JWT 'nbf' claim must be a number")},
		{name: "iat 31s ahead", header: tok(fmt.Sprintf(`{"iat":%d}`, nowPlus(31))), err: claimsErr("JWT issued at future")},
		{name: "iat 35s ahead (conformance)", header: tok(fmt.Sprintf(`{"iat":%d}`, nowPlus(35))), err: claimsErr("JWT issued at future")},
		{name: "iat now", header: tok(fmt.Sprintf(`{"iat":%d,"role":"author"}`, nowPlus(0))), want: author(fmt.Sprintf(`{"iat":%d,"role":"author"}`, nowPlus(0)))},
		{name: "iat not a number", header: tok(`{"iat":[1]}`), err: claimsErr("The JWT 'iat' claim must be a number")},
		// Order: exp, nbf, iat, aud, then the role.
		{name: "exp type before aud type", header: tok(`{"exp":"x","aud":1}`), err: claimsErr("The JWT 'exp' claim must be a number")},
		{name: "expired before nbf", header: tok(fmt.Sprintf(`{"exp":1,"nbf":%d}`, nowPlus(100))), err: claimsErr("JWT expired")},
		{name: "nbf before iat", header: tok(fmt.Sprintf(`{"nbf":%d,"iat":"x"}`, nowPlus(100))), err: claimsErr("JWT not yet valid")},
		{name: "iat before aud", header: tok(`{"iat":"x","aud":1}`), cfg: aud, err: claimsErr("The JWT 'iat' claim must be a number")},
		{name: "claims before missing role", cfg: noAnon, header: tok(`{"exp":1}`), err: claimsErr("JWT expired")},
		// aud without jwt-aud: any string or array of strings.
		{name: "aud string, no jwt-aud", header: tok(`{"aud":"x","role":"author"}`), want: author(`{"aud":"x","role":"author"}`)},
		{name: "aud empty string, no jwt-aud", header: tok(`{"aud":""}`), want: anonWithClaims(`{"aud":"","role":"anon"}`)},
		{name: "aud array, no jwt-aud", header: tok(`{"aud":["a","b"]}`), want: anonWithClaims(`{"aud":["a","b"],"role":"anon"}`)},
		{name: "aud null, no jwt-aud", header: tok(`{"aud":null}`), want: anonWithClaims(`{"aud":null,"role":"anon"}`)},
		{name: "aud array with an object", header: tok(`{"aud":[{"invalid":"value"},"test"],"role":"author"}`), err: claimsErr("The JWT 'aud' claim must be a string or an array of strings")},
		{name: "aud number", header: tok(`{"aud":1}`), err: claimsErr("The JWT 'aud' claim must be a string or an array of strings")},
		{name: "aud object", header: tok(`{"aud":{}}`), err: claimsErr("The JWT 'aud' claim must be a string or an array of strings")},
		// aud with jwt-aud.
		{name: "aud matches", cfg: aud, header: tok(`{"aud":"youraudience","role":"author"}`), want: author(`{"aud":"youraudience","role":"author"}`)},
		{name: "aud empty string", cfg: aud, header: tok(`{"aud":""}`), err: claimsErr("JWT not in audience")},
		{name: "aud other", cfg: aud, header: tok(`{"aud":"other"}`), err: claimsErr("JWT not in audience")},
		{name: "aud array with it", cfg: aud, header: tok(`{"aud":["notyouraudience","youraudience","anotheraudience"]}`), want: anonWithClaims(`{"aud":["notyouraudience","youraudience","anotheraudience"],"role":"anon"}`)},
		{name: "aud array without it", cfg: aud, header: tok(`{"aud":["notyouraudience"]}`), err: claimsErr("JWT not in audience")},
		{name: "aud empty array", cfg: aud, header: tok(`{"aud":[]}`), want: anonWithClaims(`{"aud":[],"role":"anon"}`)},
		{name: "aud array with it and a number", cfg: aud, header: tok(`{"aud":["youraudience",1]}`), err: claimsErr("The JWT 'aud' claim must be a string or an array of strings")},
		{name: "aud absent", cfg: aud, header: tok(`{"role":"author"}`), want: author(`{"role":"author"}`)},
		{name: "aud null", cfg: aud, header: tok(`{"aud":null}`), want: anonWithClaims(`{"aud":null,"role":"anon"}`)},
	})
}

func anonWithClaims(claimsJSON string) Result {
	return Result{Role: "anon", ClaimsJSON: []byte(claimsJSON)}
}

func TestRole(t *testing.T) {
	tok := func(claims string) string { return "Bearer " + hs256(claims) }
	key := func(k string) func(*config.Config) { return func(c *config.Config) { c.JWTRoleClaimKey = k } }
	runAuthCases(t, []authCase{
		{name: "role claim", header: tok(`{"role":"author","id":"jdoe"}`), want: author(`{"id":"jdoe","role":"author"}`)},
		{name: "no role claim: anonymous", header: tok(`{"id":"jdoe"}`), want: anonWithClaims(`{"id":"jdoe","role":"anon"}`)},
		{name: "empty claims: anonymous", header: tok(`{}`), want: anonResult},
		{name: "role is the anonymous role", header: tok(`{"role":"anon"}`), want: anonResult},
		{name: "no anon role, token without role", cfg: noAnon, header: tok(`{"id":1}`), err: errTokenNeeded},
		{name: "no anon role, token with role", cfg: noAnon, header: tok(`{"role":"anon"}`), want: Result{Role: "anon", ClaimsJSON: []byte(`{"role":"anon"}`), Authenticated: true}},
		{name: "role number", header: tok(`{"role":1}`), want: Result{Role: "1", ClaimsJSON: []byte(`{"role":"1"}`), Authenticated: true}},
		{name: "role null", header: tok(`{"role":null}`), want: Result{Role: "null", ClaimsJSON: []byte(`{"role":"null"}`), Authenticated: true}},
		{name: "role object", header: tok(`{"role":{"b":1,"a":[true]}}`), want: Result{Role: `{"a":[true],"b":1}`, ClaimsJSON: []byte(`{"role":"{\"a\":[true],\"b\":1}"}`), Authenticated: true}},
		{name: "role empty string", header: tok(`{"role":""}`), want: Result{Role: "", ClaimsJSON: []byte(`{"role":""}`), Authenticated: true}},
		{name: "role with quotes and unicode", header: tok(`{"role":"a \"b\" \u00e9\u0001"}`), want: Result{Role: "a \"b\" é\x01", ClaimsJSON: []byte(`{"role":"a \"b\" é\u0001"}`), Authenticated: true}},
		{name: "duplicate role: the last counts", header: tok(`{"role":"anon","role":"author"}`), want: author(`{"role":"author"}`)},
		{name: "claims printed as PostgREST does", header: tok(`{"z":1,"a":"x","role":"author","n":1.50,"e":1e2,"f":0.05,"big":123456789.5,"neg":-0.0,"arr":[1,{"b":null,"a":true}],"esc":"\/\b"}`),
			want: author(`{"a":"x","arr":[1,{"a":true,"b":null}],"big":1.234567895e8,"e":100,"esc":"/\u0008","f":5.0e-2,"n":1.5,"neg":0.0,"role":"author","z":1}`)},
		{name: "conformance: big jwt claims", header: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmdW4iLCJqdGkiOiJmb28iLCJuYmYiOjEzMDA4MTkzODAsImV4cCI6OTk5OTk5OTk5OSwiaHR0cDovL3Bvc3RncmVzdC5jb20vZm9vIjp0cnVlLCJpc3MiOiJqb2UiLCJyb2xlIjoicG9zdGdyZXN0X3Rlc3RfYXV0aG9yIiwiaWF0IjoxMzAwODE5MzgwfQ.V5fEpXfpb7feqwVqlcDleFdKu86bdwU2cBRT4fcMhXg",
			want: Result{Role: "postgrest_test_author", Authenticated: true,
				ClaimsJSON: []byte(`{"exp":9999999999,"http://postgrest.com/foo":true,"iat":1300819380,"iss":"joe","jti":"foo","nbf":1300819380,"role":"postgrest_test_author","sub":"fun"}`)}},
		// jwt-role-claim-key, RFC 9535.
		{name: "nested key", cfg: key("$.postgrest.roles[1]"), header: tok(`{"postgrest":{"roles":["other","author"]}}`), want: author(`{"postgrest":{"roles":["other","author"]},"role":"author"}`)},
		{name: "realm roles", cfg: key("$.realm_access.roles[0]"), header: tok(`{"realm_access":{"roles":["author","x"]}}`), want: author(`{"realm_access":{"roles":["author","x"]},"role":"author"}`)},
		{name: "negative index", cfg: key("$.roles[-1]"), header: tok(`{"roles":["x","author"]}`), want: author(`{"role":"author","roles":["x","author"]}`)},
		{name: "quoted member", cfg: key("$['https://www.example.com/role'].key"), header: tok(`{"https://www.example.com/role":{"key":"author"}}`), want: author(`{"https://www.example.com/role":{"key":"author"},"role":"author"}`)},
		{name: "equality filter", cfg: key("$.postgrest.roles[?(@ == 'author')]"), header: tok(`{"postgrest":{"roles":["other","author"]}}`), want: author(`{"postgrest":{"roles":["other","author"]},"role":"author"}`)},
		{name: "search filter", cfg: key("$.postgrest.roles[?search(@, '^au')]"), header: tok(`{"postgrest":{"roles":["other","author"]}}`), want: author(`{"postgrest":{"roles":["other","author"]},"role":"author"}`)},
		{name: "filter finds nothing", cfg: key("$.roles[?@ == 'admin']"), header: tok(`{"roles":["author"]}`), want: anonWithClaims(`{"role":"anon","roles":["author"]}`)},
		{name: "first of several results", cfg: key("$.roles[*]"), header: tok(`{"roles":["author","other"]}`), want: author(`{"role":"author","roles":["author","other"]}`)},
		{name: "wildcard over an object goes by key order", cfg: key("$.r.*"), header: tok(`{"r":{"z":"other","a":"author"}}`), want: author(`{"r":{"a":"author","z":"other"},"role":"author"}`)},
		{name: "descendant", cfg: key("$..role"), header: tok(`{"x":{"role":"author"}}`), want: author(`{"role":"author","x":{"role":"author"}}`)},
		{name: "no such path", cfg: key("$.a.b"), header: tok(`{"a":"author"}`), want: anonWithClaims(`{"a":"author","role":"anon"}`)},
		{name: "root itself", cfg: key("$"), header: tok(`{"a":1}`), want: Result{Role: `{"a":1}`, ClaimsJSON: []byte(`{"a":1,"role":"{\"a\":1}"}`), Authenticated: true}},
		// The deprecated syntax.
		{name: "deprecated .role", cfg: key(".role"), header: tok(`{"role":"author"}`), want: author(`{"role":"author"}`)},
		{name: "deprecated nested index", cfg: key(".a.b[1]"), header: tok(`{"a":{"b":["x","author"]}}`), want: author(`{"a":{"b":["x","author"]},"role":"author"}`)},
		{name: "deprecated quoted key", cfg: key(`."https://x/role"`), header: tok(`{"https://x/role":"author"}`), want: author(`{"https://x/role":"author","role":"author"}`)},
		{name: "deprecated starts-with filter", cfg: key(`.roles[?(@ ^== "aut")]`), header: tok(`{"roles":[1,"other","author"]}`), want: author(`{"role":"author","roles":[1,"other","author"]}`)},
		{name: "deprecated not-equal filter", cfg: key(`.roles[?(@ != "other")]`), header: tok(`{"roles":["other","author"]}`), want: author(`{"role":"author","roles":["other","author"]}`)},
		{name: "deprecated null value", cfg: key(".role"), header: tok(`{"role":null}`), want: Result{Role: "null", ClaimsJSON: []byte(`{"role":"null"}`), Authenticated: true}},
		{name: "deprecated missing", cfg: key(".a.b"), header: tok(`{"a":[]}`), want: anonWithClaims(`{"a":[],"role":"anon"}`)},
	})
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		secret string
		key    string
		want   string // a part of the error
	}{
		{name: "short secret", secret: "tooshort", want: "The JWT secret must be at least 32 characters long."},
		{name: "31 bytes", secret: strings.Repeat("x", 31), want: "at least 32"},
		{name: "bad role claim key", secret: testSecret, key: "role", want: "failed to parse role-claim-key value (role)"},
		{name: "unclosed bracket", secret: testSecret, key: "$.a[", want: "role-claim-key"},
		{name: "deprecated filter not last", secret: testSecret, key: `.a[?(@ == "x")].b`, want: "role-claim-key"},
		{name: "unsupported function", secret: testSecret, key: "$.a[?length(@) > 1]", want: "role-claim-key"},
		{name: "JWK without n", secret: `{"kty":"RSA","e":"AQAB"}`, want: "n is required for an RSA key"},
		{name: "JWK without e", secret: `{"kty":"RSA","n":"AQAB"}`, want: "e is required for an RSA key"},
		{name: "JWK with bad base64", secret: `{"kty":"RSA","n":"AQ==","e":"AQAB"}`, want: "could not base64 decode"},
		{name: "JWK RSA with crv", secret: `{"kty":"RSA","n":"AQAB","e":"AQAB","crv":"P-256"}`, want: "Elliptic curve type can't be set"},
		{name: "JWK bad use", secret: `{"kty":"oct","k":"AQAB","use":"both"}`, want: "'use' value must be either 'sig' or 'enc'"},
		{name: "JWK kid not a string", secret: `{"kty":"oct","k":"AQAB","kid":1}`, want: `"kid" must be a string`},
		{name: "JWK oct without k", secret: `{"kty":"oct"}`, want: "k is required for a symmetric key"},
		{name: "JWK EC bad curve", secret: `{"kty":"EC","crv":"P-192","x":"AQ","y":"AQ"}`, want: "crv must be a valid EC curve name"},
		{name: "JWK EC without y", secret: `{"kty":"EC","crv":"P-256","x":"AQ"}`, want: "y is required for an EC key"},
		{name: "JWK OKP X25519", secret: `{"kty":"OKP","crv":"X25519","x":"AQ"}`, want: "Unknown or unsupported OKP type"},
		{name: "JWK Ed25519 short x", secret: `{"kty":"OKP","crv":"Ed25519","x":"AQ"}`, want: "Invalid OKP key data"},
		{name: "JWK Ed25519 d not matching x", secret: fmt.Sprintf(`{"kty":"OKP","crv":"Ed25519","x":%q,"d":%q}`, b64(make([]byte, 32)), b64(make([]byte, 32))), want: "Public key x doesn't match private key d"},
		{name: "JWK kty null", secret: `{"kty":null,"k":"AQAB"}`, want: `"kty" is required`},
		{name: "JWKS keys not an array", secret: `{"keys":{"kty":"oct","k":"AQAB"}}`, want: "not a valid JSON Web Key Set"},
		{name: "JWKS with a bad key", secret: `{"keys":[{"kty":"oct","k":"AQAB"},{"kty":"RSA"}]}`, want: "key 1: n is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.JWTSecret = []byte(tc.secret)
			cfg.JWTRoleClaimKey = tc.key
			a, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, %v; want an error containing %q", a, err, tc.want)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, secret, key string
		deprecated        bool
	}{
		{name: "plain secret", secret: testSecret},
		{name: "JSON object that is no JWK is a plain secret", secret: `{"secret":"reallyreallyreallyverysafe"}`},
		{name: "JWK with unknown kty is kept, unusable", secret: `{"kty":"PQC","x":1}`},
		{name: "JWK with unknown alg is kept, unusable", secret: `{"kty":"RSA","alg":"PS256"}`},
		{name: "JWK with every member ignored that jose-jwt ignores", secret: `{"kty":"oct","k":"","key_ops":["verify"],"x5t#S256":1,"ext":true}`},
		{name: "RSA JWK with only some private members", secret: `{"kty":"RSA","n":"AQAB","e":"AQAB","p":"AQ","q":"AQ"}`},
		{name: "empty JWKS", secret: `{"keys":[]}`},
		{name: "default role key", secret: testSecret, key: ""},
		{name: "deprecated role key", secret: testSecret, key: ".role", deprecated: true},
		{name: "deprecated role key with $ and @", secret: testSecret, key: ".$a.@b[0]", deprecated: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.JWTSecret = []byte(tc.secret)
			cfg.JWTRoleClaimKey = tc.key
			a := mustNew(t, cfg)
			if a.DeprecatedRoleClaimKey() != tc.deprecated {
				t.Fatalf("DeprecatedRoleClaimKey = %v, want %v", a.DeprecatedRoleClaimKey(), tc.deprecated)
			}
		})
	}
}

// TestUnusableKeys checks that keys PostgREST loads but cannot use fail
// at request time with its error, not at startup.
func TestUnusableKeys(t *testing.T) {
	k := testKeys()
	offCurve := fmt.Sprintf(`{"kty":"EC","crv":"P-256","x":%q,"y":%q}`, b64([]byte{1}), b64([]byte{2}))
	for _, tc := range []struct {
		name, secret, token string
		err                 wantErr
	}{
		{"unknown kty", `{"kty":"PQC"}`, hs256(`{}`), errNoKey},
		{"empty set", `{"keys":[]}`, hs256(`{}`), errNoKey},
		{"off-curve EC point", offCurve, jwt(`{"alg":"ES256"}`, `{}`, esSigner(crypto.SHA256, k.ec256)), errNoneValid},
		{"RSA e beyond int", fmt.Sprintf(`{"kty":"RSA","n":%q,"e":%q}`, b64(k.rsa.N.Bytes()), b64(bytes.Repeat([]byte{0xff}, 9))), jwt(`{"alg":"RS256"}`, `{}`, rsSigner(crypto.SHA256, k.rsa)), errNoneValid},
		{"RSA e of zero", fmt.Sprintf(`{"kty":"RSA","n":%q,"e":""}`, b64(k.rsa.N.Bytes())), jwt(`{"alg":"RS256"}`, `{}`, rsSigner(crypto.SHA256, k.rsa)), errNoneValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.JWTSecret = []byte(tc.secret)
			_, err := mustNew(t, cfg).Authenticate("Bearer "+tc.token, testNow)
			checkErr(t, err, tc.err)
		})
	}
}

func TestAlgorithms(t *testing.T) {
	k := testKeys()
	binary := make([]byte, 48) // what jwt-secret-is-base64 may decode to
	_, _ = rand.Read(binary)
	claims := `{"role":"author"}`
	ok := author(`{"role":"author"}`)
	secret := func(s string) func(*config.Config) { return func(c *config.Config) { c.JWTSecret = []byte(s) } }
	set := func(jwks ...string) func(*config.Config) {
		return secret(`{"keys":[` + strings.Join(jwks, ",") + `]}`)
	}
	oct := func(key []byte, extra string) string {
		return fmt.Sprintf(`{"kty":"oct","k":%q%s}`, b64(key), extra)
	}
	bearer := func(header string, sign signer) string { return "Bearer " + jwt(header, claims, sign) }
	runAuthCases(t, []authCase{
		{name: "HS256 plain", header: bearer(`{"alg":"HS256"}`, hsSigner(crypto.SHA256, []byte(testSecret))), want: ok},
		{name: "HS256 binary secret", cfg: secret(string(binary)), header: bearer(`{"alg":"HS256"}`, hsSigner(crypto.SHA256, binary)), want: ok},
		{name: "HS384 binary secret is still an HS256 key", cfg: secret(string(binary)), header: bearer(`{"alg":"HS384"}`, hsSigner(crypto.SHA384, binary)), err: errNoKey},
		{name: "HS256 oct JWK", cfg: secret(oct(binary, "")), header: bearer(`{"alg":"HS256"}`, hsSigner(crypto.SHA256, binary)), want: ok},
		{name: "HS384 oct JWK", cfg: secret(oct(binary, "")), header: bearer(`{"alg":"HS384"}`, hsSigner(crypto.SHA384, binary)), want: ok},
		{name: "HS512 oct JWK with short key", cfg: secret(oct([]byte("k"), "")), header: bearer(`{"alg":"HS512"}`, hsSigner(crypto.SHA512, []byte("k"))), want: ok},
		{name: "HS512 oct JWK with alg HS256", cfg: secret(oct(binary, `,"alg":"HS256"`)), header: bearer(`{"alg":"HS512"}`, hsSigner(crypto.SHA512, binary)), err: errNoKey},
		{name: "oct JWK with use enc", cfg: secret(oct(binary, `,"use":"enc"`)), header: bearer(`{"alg":"HS256"}`, hsSigner(crypto.SHA256, binary)), err: errNoKey},
		{name: "oct JWK with key_ops decrypt still verifies", cfg: secret(oct(binary, `,"key_ops":["decrypt"]`)), header: bearer(`{"alg":"HS256"}`, hsSigner(crypto.SHA256, binary)), want: ok},
		{name: "RS256", cfg: secret(k.rsaJWK), header: bearer(`{"alg":"RS256"}`, rsSigner(crypto.SHA256, k.rsa)), want: ok},
		{name: "RS384 against a JWK with alg RS256", cfg: secret(k.rsaJWK), header: bearer(`{"alg":"RS384"}`, rsSigner(crypto.SHA384, k.rsa)), err: errNoKey},
		{name: "RS384", cfg: secret(k.rsaJWKNoAlg), header: bearer(`{"alg":"RS384"}`, rsSigner(crypto.SHA384, k.rsa)), want: ok},
		{name: "RS512", cfg: secret(k.rsaJWKNoAlg), header: bearer(`{"alg":"RS512"}`, rsSigner(crypto.SHA512, k.rsa)), want: ok},
		{name: "RS256 wrong key", cfg: secret(k.rsaJWK), header: bearer(`{"alg":"RS256"}`, rsSigner(crypto.SHA256, k.rsa2)), err: errNoneValid},
		{name: "RS256 signature as HS256", cfg: secret(k.rsaJWK), header: bearer(`{"alg":"HS256"}`, hsSigner(crypto.SHA256, []byte(testSecret))), err: errNoKey},
		{name: "PS256 with an RSA JWK", cfg: secret(k.rsaJWKNoAlg), header: bearer(`{"alg":"PS256"}`, psSigner(crypto.SHA256, k.rsa)), err: errCrypto},
		{name: "RSA JWK with private members verifies with its public part", cfg: secret(strings.TrimSuffix(k.rsaJWKNoAlg, "}") + fmt.Sprintf(`,"d":%q}`, b64(k.rsa.D.Bytes()))), header: bearer(`{"alg":"RS256"}`, rsSigner(crypto.SHA256, k.rsa)), want: ok},
		{name: "ES256", cfg: secret(k.ec256JWK), header: bearer(`{"alg":"ES256"}`, esSigner(crypto.SHA256, k.ec256)), want: ok},
		{name: "ES384", cfg: secret(k.ec384JWK), header: bearer(`{"alg":"ES384"}`, esSigner(crypto.SHA384, k.ec384)), want: ok},
		{name: "ES512", cfg: secret(k.ec521JWK), header: bearer(`{"alg":"ES512"}`, esSigner(crypto.SHA512, k.ec521)), want: ok},
		{name: "ES256 with a P-384 key (jose-jwt ties no curve to the alg)", cfg: secret(k.ec384JWK), header: bearer(`{"alg":"ES256"}`, esSigner(crypto.SHA256, k.ec384)), want: ok},
		{name: "ES256 wrong key", cfg: secret(k.ec256JWK), header: bearer(`{"alg":"ES256"}`, esSigner(crypto.SHA256, k.ec384)), err: errNoneValid},
		{name: "ES256 DER signature", cfg: secret(k.ec256JWK), header: bearer(`{"alg":"ES256"}`, func(in []byte) []byte {
			d := crypto.SHA256.New()
			d.Write(in)
			sig, _ := k.ec256.Sign(rand.Reader, d.Sum(nil), nil)
			return sig
		}), err: errNoneValid},
		{name: "EdDSA Ed25519", cfg: secret(k.ed25519JWK), header: bearer(`{"alg":"EdDSA"}`, edSigner(k.ed25519)), want: ok},
		{name: "EdDSA Ed25519 private JWK", cfg: secret(k.ed25519PrivJWK), header: bearer(`{"alg":"EdDSA"}`, edSigner(k.ed25519)), want: ok},
		{name: "EdDSA Ed448", cfg: secret(k.ed448JWK), header: bearer(`{"alg":"EdDSA"}`, ed448Signer(k.ed448)), want: ok},
		{name: "EdDSA wrong key", cfg: secret(k.ed25519JWK), header: bearer(`{"alg":"EdDSA"}`, edSigner(k.ed25519b)), err: errNoneValid},
		{name: "OKP JWK ignores use enc and alg", cfg: secret(strings.TrimSuffix(k.ed25519JWK, "}") + `,"use":"enc","alg":"RS256"}`), header: bearer(`{"alg":"EdDSA"}`, edSigner(k.ed25519)), want: ok},
		// JWK sets and kid.
		{name: "set: no kid tries every key", cfg: set(k.rsaJWK, k.ec256JWK, k.ed25519JWK), header: bearer(`{"alg":"EdDSA"}`, edSigner(k.ed25519)), want: ok},
		{name: "set: no kid, second of two RSA keys", cfg: set(k.rsaJWKNoAlg, k.rsa2JWK), header: bearer(`{"alg":"RS256"}`, rsSigner(crypto.SHA256, k.rsa2)), want: ok},
		{name: "set: kid selects the key", cfg: set(k.rsaJWKNoAlg, k.rsa2JWK), header: bearer(`{"alg":"RS256","kid":"rsa2"}`, rsSigner(crypto.SHA256, k.rsa2)), want: ok},
		{name: "set: kid of another key", cfg: set(k.rsaJWKNoAlg, k.rsa2JWK), header: bearer(`{"alg":"RS256","kid":"rsa1"}`, rsSigner(crypto.SHA256, k.rsa2)), err: errNoneValid},
		{name: "set: unknown kid", cfg: set(k.rsaJWKNoAlg, k.rsa2JWK), header: bearer(`{"alg":"RS256","kid":"nope"}`, rsSigner(crypto.SHA256, k.rsa2)), err: errNoKey},
		{name: "set: kid against a key without kid", cfg: set(k.ec256JWKNoID), header: bearer(`{"alg":"ES256","kid":"ec256"}`, esSigner(crypto.SHA256, k.ec256)), err: errNoKey},
		{name: "set: unsupported keys are skipped", cfg: set(`{"kty":"RSA","alg":"PS256","n":"AQAB","e":"AQAB"}`, `{"kty":"PQC"}`, k.ed448JWK), header: bearer(`{"alg":"EdDSA"}`, ed448Signer(k.ed448)), want: ok},
		{name: "set: encryption keys are skipped", cfg: set(strings.TrimSuffix(k.rsaJWKNoAlg, "}")+`,"use":"enc"}`, strings.TrimSuffix(k.rsa2JWK, "}")+`,"alg":"RSA-OAEP"}`), header: bearer(`{"alg":"RS256"}`, rsSigner(crypto.SHA256, k.rsa)), err: errNoKey},
		{name: "set: HS256 secret and RSA keys", cfg: set(oct([]byte(testSecret), ""), k.rsaJWK), header: bearer(`{"alg":"HS256"}`, hsSigner(crypto.SHA256, []byte(testSecret))), want: ok},
	})
}

// TestConformanceJWK replays Feature.Auth.AsymmetricJwtSpec: PostgREST's
// RS256 JWK (as a JWK and as a set) and a token signed with it.
func TestConformanceJWK(t *testing.T) {
	const jwk = `{"alg":"RS256","e":"AQAB","key_ops":["verify"],"kty":"RSA","n":"0etQ2Tg187jb04MWfpuogYGV75IFrQQBxQaGH75eq_FpbkyoLcEpRUEWSbECP2eeFya2yZ9vIO5ScD-lPmovePk4Aa4SzZ8jdjhmAbNykleRPCxMg0481kz6PQhnHRUv3nF5WP479CnObJKqTVdEagVL66oxnX9VhZG9IZA7k0Th5PfKQwrKGyUeTGczpOjaPqbxlunP73j9AfnAt4XCS8epa-n3WGz1j-wfpr_ys57Aq-zBCfqP67UYzNpeI1AoXsJhD9xSDOzvJgFRvc3vm2wjAW4LEMwi48rCplamOpZToIHEPIaPzpveYQwDnB1HFTR1ove9bpKJsHmi-e2uzQ","use":"sig"}`
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJyb2xlIjogInBvc3RncmVzdF90ZXN0X2F1dGhvciJ9Cg.CBOYWDvqgAR0YYnZnyDGTQi6AJLc2Pds6_eV3YuBG6I36mj_h05eLhkEKNEDA5ZteMzCiY83P60rC_xtxVd7B6vo3BeF5uoanPS3rrbuHzKPwzsrgrD_CqvEuJ4n7Q9epkQiLsNkcexneENZDRqFjbwZx3DrXiCWwlK3Ytr5NAIGxmy0od-0xNpb2U1nXQyO_Q3mumWFViRt4tmFn_3goDHNKG3Ha_AzImfUNvHnWL78kAc4rbn15vLtWXD8PwtSnZaB4lY4V6RfsaW937srQsmRetvytM1i_bHBnjkjQLAqGbXPyItjtlXPs0uGNBadE8-wgkLtfmSCC4v2DjUthw"
	for _, secret := range []string{jwk, `{"keys": [` + jwk + `]}`} {
		cfg := testConfig()
		cfg.JWTSecret = []byte(secret)
		cfg.DBAnonRole = "postgrest_test_anonymous"
		got, err := mustNew(t, cfg).Authenticate("Bearer "+token, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got.Role != "postgrest_test_author" || !got.Authenticated || string(got.ClaimsJSON) != `{"role":"postgrest_test_author"}` {
			t.Fatalf("got %q %s %v", got.Role, got.ClaimsJSON, got.Authenticated)
		}
	}
}

// TestConformanceAudience replays Feature.Auth.AudienceJwtSecretSpec with
// its base64 secret (decoded by the config, as here).
func TestConformanceAudience(t *testing.T) {
	cfg := testConfig()
	cfg.JWTSecret = []byte("reallyreallyreallyreallyverysafe") // cmVhbGx5...ZmU= decoded
	cfg.JWTSecretIsBase64 = true
	cfg.JWTAudience = "youraudience"
	a := mustNew(t, cfg)
	for tok, want := range map[string]wantErr{
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJ5b3VyYXVkaWVuY2UiLCJleHAiOjk5OTk5OTk5OTksImlkIjoiamRvZSIsInJvbGUiOiJwb3N0Z3Jlc3RfdGVzdF9hdXRob3IifQ.6YacBKMaUljORcFXbVGrS0rLfkHtKHChJqV5zgCPgj0":                                                   {},
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiIiLCJleHAiOjk5OTk5OTk5OTksImlkIjoiamRvZSIsInJvbGUiOiJwb3N0Z3Jlc3RfdGVzdF9hdXRob3IifQ.MEJTBS1Aq8LlHLd59lpDF1nKx-poHduTDlSANzYwD3w":                                                                   claimsErr("JWT not in audience"),
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsibm90eW91cmF1ZGllbmNlIl0sImV4cCI6OTk5OTk5OTk5OSwiaWQiOiJqZG9lIiwicm9sZSI6InBvc3RncmVzdF90ZXN0X2F1dGhvciJ9.-dmkKBytXdDWuVnBQay3OFvPLYirtlQ-_s2TaDAPY9U":                                             claimsErr("JWT not in audience"),
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOltdLCJleHAiOjk5OTk5OTk5OTksImlkIjoiamRvZSIsInJvbGUiOiJwb3N0Z3Jlc3RfdGVzdF9hdXRob3IifQ.z0PEOBv5QXlzB8Z34RhR4sV6Wr-k2iOHzTmBW-_8EtY":                                                                   {},
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsibm90eW91cmF1ZGllbmNlIiwieW91cmF1ZGllbmNlIiwiYW5vdGhlcmF1ZGllbmNlIl0sImV4cCI6OTk5OTk5OTk5OSwiaWQiOiJqZG9lIiwicm9sZSI6InBvc3RncmVzdF90ZXN0X2F1dGhvciJ9.S5p7z2Jl15GaEe9B2iNIwkaQL8PDqyoTB4-cEJePfaM": {},
	} {
		_, err := a.Authenticate("Bearer "+tok, testNow)
		checkErr(t, err, want)
	}
}

// TestRoleClaimFixtures replays the role claim key cases of PostgREST's
// io tests: 200 there means the role is postgrest_test_author here, 401 an
// anonymous request, a role that does not exist or a rejected audience.
func TestRoleClaimFixtures(t *testing.T) {
	const author = "postgrest_test_author"
	for _, tc := range []struct {
		key, claims, aud string
		role             string // "" when the request fails with claimsErr(failure)
		failure          string
	}{
		{key: "$.postgrest.a_role", claims: `{"postgrest":{"a_role":"postgrest_test_author"},"other":"claims"}`, role: author},
		{key: "$.customObject.manyRoles[1]", claims: `{"customObject":{"manyRoles":["other","postgrest_test_author"]},"other":{}}`, role: author},
		{key: `$["https://www.example.com/roles"][0].value`, claims: `{"https://www.example.com/roles":[{"value":"postgrest_test_author"}],"other":666}`, role: author},
		{key: "$.myDomain[3]", claims: `{"myDomain":["other","postgrest_test_author"],"other":1.23}`, role: "anon"},
		{key: "$.myRole", claims: `{"role":"postgrest_test_author","other":true}`, role: "anon"},
		{key: `$.realm_access.roles[?(@ == "postgrest_test_author")]`, claims: `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, role: author},
		{key: `$.realm_access.roles[?(@ != "other")]`, claims: `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, role: author},
		{key: ".postgrest.a_role", claims: `{"postgrest":{"a_role":"postgrest_test_author"},"other":"claims"}`, role: author},
		{key: ".customObject.manyRoles[1]", claims: `{"customObject":{"manyRoles":["other","postgrest_test_author"]},"other":{}}`, role: author},
		{key: `."https://www.example.com/roles"[0].value`, claims: `{"https://www.example.com/roles":[{"value":"postgrest_test_author"}],"other":666}`, role: author},
		{key: ".myDomain[3]", claims: `{"myDomain":["other","postgrest_test_author"],"other":1.23}`, role: "anon"},
		{key: ".myRole", claims: `{"role":"postgrest_test_author","other":true}`, role: "anon"},
		{key: `.realm_access.roles[?(@ == "postgrest_test_author")]`, claims: `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, role: author},
		{key: `.realm_access.roles[?(@ != "other")]`, claims: `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, role: author},
		{key: `.realm_access.roles[?(@ ^== "postgrest_te")]`, claims: `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, role: author},
		{key: `.realm_access.roles[?(@ ==^ "st_test_author")]`, claims: `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, role: author},
		{key: `.realm_access.roles[?(@ *== "_test_")]`, claims: `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, role: author},
		{key: `.realm_access.roles[?(@ == "string")]`, claims: `{"realm_access":{"roles":[{"obj_key":"obj_value"}]}}`, role: "anon"},
		// jwt-aud = postgrest_test_author, the role taken from aud.
		{key: "$.aud", aud: author, claims: `{"aud":"postgrest_test_author"}`, role: author},
		{key: "$.aud", aud: author, claims: `{"aud":"postgrest_test_invalid"}`, failure: "JWT not in audience"},
		{key: "$.aud[0]", aud: author, claims: `{"aud":["postgrest_test_author"]}`, role: author},
		{key: "$.aud[1]", aud: author, claims: `{"aud":["postgrest_test_author","postgrest_test_invalid"]}`, role: "postgrest_test_invalid"},
		{key: ".aud", aud: author, claims: `{"aud":"postgrest_test_author"}`, role: author},
		{key: ".aud", aud: author, claims: `{"aud":"postgrest_test_invalid"}`, failure: "JWT not in audience"},
		{key: ".aud[0]", aud: author, claims: `{"aud":["postgrest_test_author"]}`, role: author},
		{key: ".aud[1]", aud: author, claims: `{"aud":["postgrest_test_author","postgrest_test_invalid"]}`, role: "postgrest_test_invalid"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			cfg := testConfig()
			cfg.JWTRoleClaimKey = tc.key
			cfg.JWTAudience = tc.aud
			got, err := mustNew(t, cfg).Authenticate("Bearer "+hs256(tc.claims), testNow)
			if tc.failure != "" {
				checkErr(t, err, claimsErr(tc.failure))
				return
			}
			if err != nil || got.Role != tc.role {
				t.Fatalf("role = %q, %v; want %q", got.Role, err, tc.role)
			}
		})
	}
	for _, key := range []string{"$.my_role;;domain", "@@.role.other", "role.other", ".role##", ".my_role;;domain", ".#$$%&$%/", "1234", ".role[?(@ =)]"} {
		cfg := testConfig()
		cfg.JWTRoleClaimKey = key
		if _, err := New(cfg); err == nil || err.Error() != "failed to parse role-claim-key value ("+key+")" {
			t.Errorf("New(%q) error = %v", key, err)
		}
	}
}

// TestPostgRESTTokens replays literal tokens from PostgREST's error spec.
func TestPostgRESTTokens(t *testing.T) {
	runAuthCases(t, []authCase{
		{name: "partial token", header: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGFuIG9iamVjdA", err: parts(2)},
		{name: "alg none", header: "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI", err: errUnsecured},
		{name: "no claims", header: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.CUIP5V9thWsGGFsFyGijSZf1fJMfarLHI9CEJL-TGNk", want: anonResult},
		{name: "role from a login function", header: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoicG9zdGdyZXN0X3Rlc3RfYXV0aG9yIiwiaWQiOiJqZG9lIn0.B-lReuGNDwAlU1GOC476MlO0vAt9JNoHIlxg2vwMaO0",
			want: Result{Role: "postgrest_test_author", ClaimsJSON: []byte(`{"id":"jdoe","role":"postgrest_test_author"}`), Authenticated: true}},
	})
}

// TestRSASignatureLength checks that an RS256 signature whose leading zero
// byte was dropped, or that carries an extra one, still verifies, as it
// does with jose-jwt, which reads signatures as integers.
func TestRSASignatureLength(t *testing.T) {
	k := testKeys()
	cfg := testConfig()
	cfg.JWTSecret = []byte(k.rsaJWK)
	a := mustNew(t, cfg)
	sign := rsSigner(crypto.SHA256, k.rsa)
	for i := 0; ; i++ {
		input := b64([]byte(`{"alg":"RS256"}`)) + "." + b64(fmt.Appendf(nil, `{"role":"author","n":%d}`, i))
		sig := sign([]byte(input))
		if sig[0] != 0 {
			continue
		}
		for _, s := range [][]byte{sig[1:], append([]byte{0}, sig...)} {
			if _, err := a.Authenticate("Bearer "+input+"."+b64(s), testNow); err != nil {
				t.Fatalf("signature of %d bytes: %v", len(s), err)
			}
		}
		return
	}
}
