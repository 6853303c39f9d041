package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cloudflare/circl/sign/ed448"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/config"
)

// Test fixtures: keys generated once per test binary, and helpers that sign
// tokens with them. Nothing here is a real credential.

const testSecret = "reallyreallyreallyreallyverysafe"

type testKeySet struct {
	rsa, rsa2                 *rsa.PrivateKey
	ec256, ec384, ec521       *ecdsa.PrivateKey
	ed25519, ed25519b         ed25519.PrivateKey
	ed448                     ed448.PrivateKey
	ed448Seed, ed25519Seed    []byte
	rsaJWK, rsa2JWK           string
	ec256JWK, ec384JWK        string
	ec521JWK                  string
	ed25519JWK, ed448JWK      string
	ed25519PrivJWK            string
	ed25519bJWK               string
	rsaJWKNoAlg, ec256JWKNoID string
}

var testKeys = sync.OnceValue(func() *testKeySet {
	k := &testKeySet{}
	var err error
	must := func(e error) {
		if e != nil {
			panic(e)
		}
	}
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.ec521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(err)
	k.ed25519Seed = make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(k.ed25519Seed)
	k.ed25519 = ed25519.NewKeyFromSeed(k.ed25519Seed)
	_, k.ed25519b, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	k.ed448Seed = make([]byte, ed448.SeedSize)
	_, _ = rand.Read(k.ed448Seed)
	k.ed448 = ed448.NewKeyFromSeed(k.ed448Seed)

	k.rsaJWK = rsaJWK(&k.rsa.PublicKey, `"kid":"rsa1","alg":"RS256"`)
	k.rsaJWKNoAlg = rsaJWK(&k.rsa.PublicKey, `"kid":"rsa1"`)
	k.rsa2JWK = rsaJWK(&k.rsa2.PublicKey, `"kid":"rsa2"`)
	k.ec256JWK = ecJWK(&k.ec256.PublicKey, `"kid":"ec256"`)
	k.ec256JWKNoID = ecJWK(&k.ec256.PublicKey, "")
	k.ec384JWK = ecJWK(&k.ec384.PublicKey, `"kid":"ec384"`)
	k.ec521JWK = ecJWK(&k.ec521.PublicKey, `"kid":"ec521"`)
	k.ed25519JWK = fmt.Sprintf(`{"kty":"OKP","crv":"Ed25519","x":%q,"kid":"ed"}`, b64(k.ed25519.Public().(ed25519.PublicKey)))
	k.ed25519PrivJWK = fmt.Sprintf(`{"kty":"OKP","crv":"Ed25519","x":%q,"d":%q}`, b64(k.ed25519.Public().(ed25519.PublicKey)), b64(k.ed25519Seed))
	k.ed25519bJWK = fmt.Sprintf(`{"kty":"OKP","crv":"Ed25519","x":%q,"kid":"edb"}`, b64(k.ed25519b.Public().(ed25519.PublicKey)))
	k.ed448JWK = fmt.Sprintf(`{"kty":"OKP","crv":"Ed448","x":%q}`, b64(k.ed448.Public().(ed448.PublicKey)))
	return k
})

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(pub *rsa.PublicKey, extra string) string {
	s := fmt.Sprintf(`{"kty":"RSA","n":%q,"e":%q`, b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes()))
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func ecJWK(pub *ecdsa.PublicKey, extra string) string {
	point, err := pub.Bytes() // 0x04 || x || y
	if err != nil {
		panic(err)
	}
	size := (len(point) - 1) / 2
	x, y := point[1:1+size], point[1+size:]
	s := fmt.Sprintf(`{"kty":"EC","crv":%q,"x":%q,"y":%q`, pub.Curve.Params().Name, b64(x), b64(y))
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// signer signs a JWS signing input.
type signer func(input []byte) []byte

func hsSigner(h crypto.Hash, secret []byte) signer {
	return func(input []byte) []byte {
		m := hmac.New(h.New, secret)
		m.Write(input)
		return m.Sum(nil)
	}
}

func rsSigner(h crypto.Hash, k *rsa.PrivateKey) signer {
	return func(input []byte) []byte {
		d := h.New()
		d.Write(input)
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, h, d.Sum(nil))
		if err != nil {
			panic(err)
		}
		return sig
	}
}

func psSigner(h crypto.Hash, k *rsa.PrivateKey) signer {
	return func(input []byte) []byte {
		d := h.New()
		d.Write(input)
		sig, err := rsa.SignPSS(rand.Reader, k, h, d.Sum(nil), nil)
		if err != nil {
			panic(err)
		}
		return sig
	}
}

func esSigner(h crypto.Hash, k *ecdsa.PrivateKey) signer {
	return func(input []byte) []byte {
		d := h.New()
		d.Write(input)
		r, s, err := ecdsa.Sign(rand.Reader, k, d.Sum(nil))
		if err != nil {
			panic(err)
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig
	}
}

func edSigner(k ed25519.PrivateKey) signer {
	return func(input []byte) []byte { return ed25519.Sign(k, input) }
}

func ed448Signer(k ed448.PrivateKey) signer {
	return func(input []byte) []byte { return ed448.Sign(k, input, "") }
}

// jwt builds a token from a header and claims given as JSON text.
func jwt(header, claims string, sign signer) string {
	input := b64([]byte(header)) + "." + b64([]byte(claims))
	return input + "." + b64(sign([]byte(input)))
}

// hs256 signs claims with the test secret, the common case.
func hs256(claims string) string {
	return jwt(`{"alg":"HS256","typ":"JWT"}`, claims, hsSigner(crypto.SHA256, []byte(testSecret)))
}

// testConfig is the configuration most tests start from.
func testConfig() *config.Config {
	return &config.Config{
		JWTSecret:          []byte(testSecret),
		DBAnonRole:         "anon",
		JWTCacheMaxEntries: 0,
	}
}

func mustNew(t testing.TB, cfg *config.Config) *Authenticator {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// wantErr describes an expected *apierr.Error; a zero Status means success.
type wantErr struct {
	Status          int
	Code, Message   string
	Details         string // "" for null
	WWWAuthenticate string // "" for no header
}

func checkErr(t *testing.T, err error, want wantErr) {
	t.Helper()
	if want.Status == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ae *apierr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want *apierr.Error %s %q", err, err, want.Code, want.Message)
	}
	if ae.Status != want.Status || ae.Code != want.Code || ae.Message != want.Message {
		t.Fatalf("error = %d %s %q, want %d %s %q", ae.Status, ae.Code, ae.Message, want.Status, want.Code, want.Message)
	}
	gotDetails, _ := ae.Details.(string)
	if ae.Details != nil && gotDetails == "" {
		t.Fatalf("details = %#v, want a string or nil", ae.Details)
	}
	if gotDetails != want.Details {
		t.Fatalf("details = %q, want %q", gotDetails, want.Details)
	}
	if got := http.Header(ae.Header).Get("WWW-Authenticate"); got != want.WWWAuthenticate {
		t.Fatalf("WWW-Authenticate = %q, want %q", got, want.WWWAuthenticate)
	}
}

// Expected errors, with the headers PostgREST sends.
func decodeErr(msg, details string) wantErr {
	return wantErr{Status: 401, Code: "PGRST301", Message: msg, Details: details,
		WWWAuthenticate: `Bearer error="invalid_token", error_description="` + msg + `"`}
}

func claimsErr(msg string) wantErr {
	return wantErr{Status: 401, Code: "PGRST303", Message: msg,
		WWWAuthenticate: `Bearer error="invalid_token", error_description="` + strings.ReplaceAll(msg, `"`, `\"`) + `"`}
}

var (
	errEmpty        = decodeErr(msgEmptyToken, "")
	errCrypto       = decodeErr(msgBadCrypto, "")
	errNoKey        = decodeErr(msgKeyError, detailNoKey)
	errNoneValid    = decodeErr(msgKeyError, detailNoneValid)
	errUnsecured    = decodeErr(msgBadAlgorithm, detailUnsecured)
	errTokenNeeded  = wantErr{Status: 401, Code: "PGRST302", Message: "Anonymous access is disabled", WWWAuthenticate: "Bearer"}
	errSecretNeeded = wantErr{Status: 500, Code: "PGRST300", Message: "Server lacks JWT secret"}
)

func parts(n int) wantErr { return decodeErr(fmt.Sprintf("Expected 3 parts in JWT; got %d", n), "") }
