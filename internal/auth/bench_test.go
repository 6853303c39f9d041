package auth

import (
	"crypto"
	"testing"
)

// benchClaims is a typical third-party token: a few registered claims, a
// nested role.
const benchClaims = `{"sub":"1234567890","iss":"https://issuer.example.com/","aud":"restgres","exp":9999999999,"iat":1700000000,"role":"web_user","email":"user@example.com","app_metadata":{"provider":"email"}}`

func benchAuth(b *testing.B, secret string, cacheEntries int, header string) {
	b.Helper()
	cfg := testConfig()
	cfg.JWTSecret = []byte(secret)
	cfg.JWTCacheMaxEntries = cacheEntries
	a := mustNew(b, cfg)
	if _, err := a.Authenticate(header, testNow); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(header, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnonymous(b *testing.B) {
	benchAuth(b, testSecret, 1000, "")
}

func BenchmarkHS256Cached(b *testing.B) {
	benchAuth(b, testSecret, 1000, "Bearer "+hs256(benchClaims))
}

func BenchmarkHS256Uncached(b *testing.B) {
	benchAuth(b, testSecret, 0, "Bearer "+hs256(benchClaims))
}

func BenchmarkRS256Uncached(b *testing.B) {
	k := testKeys()
	benchAuth(b, k.rsaJWK, 0, "Bearer "+jwt(`{"alg":"RS256","kid":"rsa1"}`, benchClaims, rsSigner(crypto.SHA256, k.rsa)))
}

func BenchmarkRS256Cached(b *testing.B) {
	k := testKeys()
	benchAuth(b, k.rsaJWK, 1000, "Bearer "+jwt(`{"alg":"RS256","kid":"rsa1"}`, benchClaims, rsSigner(crypto.SHA256, k.rsa)))
}

func BenchmarkES256Uncached(b *testing.B) {
	k := testKeys()
	benchAuth(b, k.ec256JWK, 0, "Bearer "+jwt(`{"alg":"ES256"}`, benchClaims, esSigner(crypto.SHA256, k.ec256)))
}

func BenchmarkEdDSAUncached(b *testing.B) {
	k := testKeys()
	benchAuth(b, k.ed25519JWK, 0, "Bearer "+jwt(`{"alg":"EdDSA"}`, benchClaims, edSigner(k.ed25519)))
}

// BenchmarkHS256CachedParallel is the cached path under concurrent
// requests: hits take no lock.
func BenchmarkHS256CachedParallel(b *testing.B) {
	cfg := testConfig()
	cfg.JWTCacheMaxEntries = 1000
	a := mustNew(b, cfg)
	header := "Bearer " + hs256(benchClaims)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := a.Authenticate(header, testNow); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
