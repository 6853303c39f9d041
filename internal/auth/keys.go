package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"math"
	"math/big"
	"strings"
	"sync"

	"github.com/cloudflare/circl/sign/ed448"

	"github.com/restgres/restgres/internal/jsonvalue"
)

// This file turns jwt-secret into the set of keys tokens are checked
// against, following PostgREST's parseSecret and the jose-jwt library it
// uses: the value is a JWK set ({"keys": [...]}), else a single JWK, else a
// plain HMAC secret of at least 32 bytes. The JWK rules (which members are
// required, which keys are silently unusable, how alg/use/kid restrict a
// key) are jose-jwt's, because they decide which tokens PostgREST accepts.
// The cryptography itself is Go's crypto packages, plus circl for Ed448,
// which the standard library lacks.

// alg is a JWS algorithm PostgREST can verify (jose-jwt's JwsAlg without
// "none"). PS256/384/512 are absent: jose-jwt does not know them, so a token
// using them fails as an unparseable header.
type alg uint8

const (
	algInvalid alg = iota
	algHS256
	algHS384
	algHS512
	algRS256
	algRS384
	algRS512
	algES256
	algES384
	algES512
	algEdDSA
)

var algNames = [...]string{
	algHS256: "HS256", algHS384: "HS384", algHS512: "HS512",
	algRS256: "RS256", algRS384: "RS384", algRS512: "RS512",
	algES256: "ES256", algES384: "ES384", algES512: "ES512",
	algEdDSA: "EdDSA",
}

func parseAlg(s string) alg {
	for a, name := range algNames {
		if name != "" && name == s {
			return alg(a)
		}
	}
	return algInvalid
}

func (a alg) String() string { return algNames[a] }

// hash returns the digest algorithm of an RS, ES or HS algorithm.
func (a alg) hash() crypto.Hash {
	switch a {
	case algHS256, algRS256, algES256:
		return crypto.SHA256
	case algHS384, algRS384, algES384:
		return crypto.SHA384
	default:
		return crypto.SHA512
	}
}

// knownJWKAlg reports whether jose-jwt can read s as a JWK "alg": any JWS or
// JWE algorithm it implements. A JWK with another alg is kept but unusable.
func knownJWKAlg(s string) bool {
	switch s {
	case "none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
		"ES256", "ES384", "ES512", "EdDSA",
		"RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW":
		return true
	}
	return false
}

type keyType uint8

const (
	// keyUnsupported is a JWK whose kty or alg jose-jwt does not know
	// (an "OKP" X25519 key is an error instead, as there). PostgREST keeps
	// it in the set and never uses it.
	keyUnsupported keyType = iota
	keyHMAC
	keyRSA
	keyEC
	keyEd25519
	keyEd448
)

// key is one verification key of the jwt-secret.
type key struct {
	typ    keyType
	kid    string
	hasKid bool
	// useEnc is "use": "enc": such a key never verifies a signature.
	useEnc bool
	// alg is the JWK's "alg", "" when it names none; a key with an alg only
	// verifies tokens with that alg. A plain secret is an HS256 key.
	alg string

	hmac    *hmacKey
	rsa     *rsa.PublicKey // nil when n/e cannot form a Go key: never verifies
	ec      *ecdsa.PublicKey
	ed25519 ed25519.PublicKey
	ed448   ed448.PublicKey
}

// canVerify is jose-jwt's canDecodeJws: the key may be tried for a token
// with algorithm a and header kid (hasKid false when the header has none).
func (k *key) canVerify(a alg, kid string, hasKid bool) bool {
	if k.useEnc || (hasKid && (!k.hasKid || k.kid != kid)) || (k.alg != "" && k.alg != a.String()) {
		return false
	}
	switch a {
	case algHS256, algHS384, algHS512:
		return k.typ == keyHMAC
	case algRS256, algRS384, algRS512:
		return k.typ == keyRSA
	case algES256, algES384, algES512:
		return k.typ == keyEC
	case algEdDSA:
		return k.typ == keyEd25519 || k.typ == keyEd448
	}
	return false
}

// verify checks sig over the signing input (header.payload as sent).
func (k *key) verify(a alg, input, sig []byte) bool {
	switch k.typ {
	case keyHMAC:
		return k.hmac.verify(a, input, sig)
	case keyRSA:
		if k.rsa == nil {
			return false
		}
		// jose-jwt (crypton) reads the signature as an integer, so one with
		// its leading zero bytes dropped, which some signers emit, verifies;
		// Go wants exactly the modulus size.
		size := (k.rsa.N.BitLen() + 7) / 8
		for len(sig) > size && sig[0] == 0 {
			sig = sig[1:]
		}
		if len(sig) < size {
			padded := make([]byte, size)
			copy(padded[size-len(sig):], sig)
			sig = padded
		}
		digest := digestOf(a.hash(), input)
		return rsa.VerifyPKCS1v15(k.rsa, a.hash(), digest, sig) == nil
	case keyEC:
		if k.ec == nil {
			return false
		}
		// jose-jwt splits the signature in halves whatever the curve, and
		// does not tie the hash to the curve (ES256 with a P-384 key works).
		half := len(sig) / 2
		r := new(big.Int).SetBytes(sig[:half])
		s := new(big.Int).SetBytes(sig[half:])
		return ecdsa.Verify(k.ec, digestOf(a.hash(), input), r, s)
	case keyEd25519:
		return ed25519.Verify(k.ed25519, input, sig)
	case keyEd448:
		return ed448.Verify(k.ed448, input, sig, "")
	}
	return false
}

func digestOf(h crypto.Hash, input []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(input)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(input)
		return d[:]
	default:
		d := sha512.Sum512(input)
		return d[:]
	}
}

// hmacKey keeps HMAC states per algorithm in pools: hmac.New hashes the
// key and allocates, which would otherwise happen for every token checked.
type hmacKey struct {
	pools [3]sync.Pool // of *hmacState: HS256, HS384, HS512
}

type hmacState struct {
	h   hash.Hash
	sum [sha512.Size]byte
}

func newHMACKey(secret []byte) *hmacKey {
	secret = bytes.Clone(secret)
	k := &hmacKey{}
	for i, h := range []func() hash.Hash{sha256.New, sha512.New384, sha512.New} {
		k.pools[i].New = func() any { return &hmacState{h: hmac.New(h, secret)} }
	}
	return k
}

func (k *hmacKey) verify(a alg, input, sig []byte) bool {
	pool := &k.pools[a-algHS256]
	s := pool.Get().(*hmacState)
	s.h.Reset()
	_, _ = s.h.Write(input)
	ok := hmac.Equal(s.h.Sum(s.sum[:0]), sig)
	pool.Put(s)
	return ok
}

// minSecretLen is PostgREST's lower bound for a plain jwt-secret, in bytes.
const minSecretLen = 32

// parseSecret builds the key set from the jwt-secret bytes (already read
// from @file and base64-decoded by the config).
//
// One deliberate difference from PostgREST: when the value is a JSON object
// with a "keys" or "kty" member that is not a valid JWK set or JWK,
// PostgREST silently falls back to using the JSON text itself as an HMAC
// secret, so every real token fails and anyone who knows the (public) JWK
// text can sign HS256 tokens. That is refused here with the reason.
func parseSecret(secret []byte) ([]*key, error) {
	if v, ok := jsonvalue.Parse(string(secret)); ok && v.Kind == jsonvalue.Object {
		set := v.Get("keys")
		var setErr error
		if set != nil {
			keys, err := parseJWKSet(set)
			if err == nil {
				return keys, nil
			}
			setErr = err
		}
		k, err := parseJWK(&v)
		if err == nil {
			return []*key{k}, nil
		}
		if setErr != nil {
			return nil, fmt.Errorf("jwt-secret is not a valid JSON Web Key Set: %w", setErr)
		}
		if v.Has("kty") {
			return nil, fmt.Errorf("jwt-secret is not a valid JSON Web Key: %w", err)
		}
	}
	if len(secret) < minSecretLen {
		return nil, errors.New("The JWT secret must be at least 32 characters long.")
	}
	return []*key{{typ: keyHMAC, alg: "HS256", hmac: newHMACKey(secret)}}, nil
}

func parseJWKSet(set *jsonvalue.Value) ([]*key, error) {
	if set.Kind != jsonvalue.Array {
		return nil, errors.New(`"keys" must be an array`)
	}
	keys := make([]*key, 0, len(set.Arr))
	for i := range set.Arr {
		k, err := parseJWK(&set.Arr[i])
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// jwkFields are the JWK members jose-jwt reads; the others (key_ops,
// x5t#S256, ...) are ignored, as there.
type jwkFields struct {
	kty, crv, kid, use, alg   string
	hasCrv, hasKid, hasUse    bool
	n, e, d, p, q, dp, dq, qi []byte
	k, x, y                   []byte
	hasN, hasE, hasD, hasP    bool
	hasQ, hasDP, hasDQ, hasQI bool
	hasK, hasX, hasY          bool
}

// parseJWK reads one JWK as jose-jwt's FromJSON Jwk does.
func parseJWK(v *jsonvalue.Value) (*key, error) {
	if v.Kind != jsonvalue.Object {
		return nil, errors.New("a JWK must be a JSON object")
	}
	// An unknown (non-null) alg or kty makes the key unsupported, not an
	// error: JWK sets from identity providers carry keys for other uses.
	if a := v.Get("alg"); a != nil && a.Kind != jsonvalue.Null && (a.Kind != jsonvalue.String || !knownJWKAlg(a.Text)) {
		return &key{typ: keyUnsupported}, nil
	}
	if t := v.Get("kty"); t != nil && t.Kind != jsonvalue.Null {
		if t.Kind != jsonvalue.String {
			return &key{typ: keyUnsupported}, nil
		}
		switch t.Text {
		case "RSA", "EC", "OKP", "oct":
		default:
			return &key{typ: keyUnsupported}, nil
		}
	}
	var f jwkFields
	var err error
	str := func(name string) (string, bool) {
		m := v.Get(name)
		if m == nil || m.Kind == jsonvalue.Null || err != nil {
			return "", false
		}
		if m.Kind != jsonvalue.String {
			err = fmt.Errorf("%q must be a string", name)
			return "", false
		}
		return m.Text, true
	}
	bin := func(name string) ([]byte, bool) {
		s, ok := str(name)
		if !ok {
			return nil, false
		}
		b, ok := decodeBase64URL(s)
		if !ok {
			err = fmt.Errorf("%q: could not base64 decode bytes", name)
			return nil, false
		}
		return b, true
	}
	var hasKty bool
	f.kty, hasKty = str("kty")
	if err == nil && !hasKty {
		err = errors.New(`"kty" is required`)
	}
	f.n, f.hasN = bin("n")
	f.e, f.hasE = bin("e")
	f.d, f.hasD = bin("d")
	f.p, f.hasP = bin("p")
	f.q, f.hasQ = bin("q")
	f.dp, f.hasDP = bin("dp")
	f.dq, f.hasDQ = bin("dq")
	f.qi, f.hasQI = bin("qi")
	f.k, f.hasK = bin("k")
	f.crv, f.hasCrv = str("crv")
	f.x, f.hasX = bin("x")
	f.y, f.hasY = bin("y")
	f.use, f.hasUse = str("use")
	if err == nil && f.hasUse && f.use != "sig" && f.use != "enc" {
		err = errors.New("'use' value must be either 'sig' or 'enc'")
	}
	f.alg, _ = str("alg")
	f.kid, f.hasKid = str("kid")
	str("x5u")
	str("x5t")
	if m := v.Get("x5c"); m != nil && m.Kind != jsonvalue.Null && err == nil {
		if m.Kind != jsonvalue.Array {
			err = errors.New(`"x5c" must be an array of strings`)
		}
		for i := range m.Arr {
			if m.Arr[i].Kind != jsonvalue.String {
				err = errors.New(`"x5c" must be an array of strings`)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	k := &key{kid: f.kid, hasKid: f.hasKid, useEnc: f.hasUse && f.use == "enc", alg: f.alg}
	// jose-jwt only objects to the parameters of another key type when all
	// of them are present (it checks them with sequence over Maybe).
	allRSAPrivate := f.hasP && f.hasQ && f.hasDP && f.hasDQ && f.hasQI
	allRSA := f.hasN && f.hasE && allRSAPrivate
	noEC := func(kind string) error {
		if f.hasCrv {
			return fmt.Errorf("Elliptic curve type can't be set for an %s key", kind)
		}
		if f.hasX && f.hasY {
			return fmt.Errorf("Elliptic curve coordinates can't be set for an %s key", kind)
		}
		return nil
	}
	switch f.kty {
	case "RSA":
		if !f.hasN {
			return nil, errors.New("n is required for an RSA key")
		}
		if !f.hasE {
			return nil, errors.New("e is required for an RSA key")
		}
		if err := noEC("RSA"); err != nil {
			return nil, err
		}
		if !f.hasD && allRSAPrivate {
			return nil, errors.New("RSA private parameters can't be set for a public key")
		}
		k.typ = keyRSA
		k.rsa = rsaPublicKey(f.n, f.e)
	case "oct":
		if !f.hasK {
			return nil, errors.New("k is required for a symmetric key")
		}
		if allRSA && f.hasD {
			return nil, errors.New("RSA parameters can't be set for a symmetric key")
		}
		if err := noEC("RSA"); err != nil {
			return nil, err
		}
		k.typ = keyHMAC
		k.hmac = newHMACKey(f.k)
	case "OKP":
		if !f.hasCrv {
			return nil, errors.New("crv is required for an OKP key")
		}
		if !f.hasX {
			return nil, errors.New("x is required for an OKP key")
		}
		if allRSA {
			return nil, errors.New("RSA parameters can't be set for an OKP key")
		}
		// jose-jwt gives OKP keys use "sig" and alg EdDSA whatever the JWK says.
		k.useEnc, k.alg = false, "EdDSA"
		switch f.crv {
		case "Ed25519":
			if err := checkOKP(f, ed25519.SeedSize, ed25519.PublicKeySize, func(seed []byte) []byte {
				return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
			}); err != nil {
				return nil, err
			}
			k.typ, k.ed25519 = keyEd25519, ed25519.PublicKey(f.x)
		case "Ed448":
			if err := checkOKP(f, ed448.SeedSize, ed448.PublicKeySize, func(seed []byte) []byte {
				return ed448.NewKeyFromSeed(seed).Public().(ed448.PublicKey)
			}); err != nil {
				return nil, err
			}
			k.typ, k.ed448 = keyEd448, ed448.PublicKey(f.x)
		default:
			return nil, errors.New("Unknown or unsupported OKP type")
		}
	case "EC":
		if !f.hasCrv {
			return nil, errors.New("crv is required for an elliptic curve key")
		}
		var curve elliptic.Curve
		switch f.crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, errors.New("crv must be a valid EC curve name")
		}
		if !f.hasX {
			return nil, errors.New("x is required for an EC key")
		}
		if !f.hasY {
			return nil, errors.New("y is required for an EC key")
		}
		if allRSA {
			return nil, errors.New("RSA parameters can't be set for an elliptic curve key")
		}
		k.typ = keyEC
		k.ec = ecPublicKey(curve, f.x, f.y)
	}
	return k, nil
}

// checkOKP applies jose-jwt's checks to an Ed25519 or Ed448 JWK: key sizes,
// and a private d must match the public x.
func checkOKP(f jwkFields, seedSize, pubSize int, public func(seed []byte) []byte) error {
	if f.hasD && len(f.d) != seedSize {
		return errors.New("Invalid OKP key data")
	}
	if len(f.x) != pubSize {
		return errors.New("Invalid OKP key data")
	}
	if f.hasD && !bytes.Equal(public(f.d), f.x) {
		return errors.New("Public key x doesn't match private key d")
	}
	return nil
}

// rsaPublicKey builds the key from n and e as unsigned big-endian integers.
// An e that Go cannot hold gives nil: the key stays in the set but never
// verifies, which is what such a key amounts to with jose-jwt too.
func rsaPublicKey(n, e []byte) *rsa.PublicKey {
	eb := new(big.Int).SetBytes(e)
	if !eb.IsInt64() || eb.Int64() > math.MaxInt {
		return nil
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eb.Int64())}
}

// ecPublicKey builds the key from x and y as unsigned big-endian integers
// (jose-jwt reads them with os2ip, so the length is not checked). A point
// that is not on the curve gives nil: jose-jwt loads it and then fails to
// verify with it, and so does this package.
func ecPublicKey(curve elliptic.Curve, x, y []byte) *ecdsa.PublicKey {
	size := (curve.Params().BitSize + 7) / 8
	point := make([]byte, 1, 1+2*size)
	point[0] = 4 // uncompressed
	for _, c := range [][]byte{x, y} {
		c = bytes.TrimLeft(c, "\x00")
		if len(c) > size {
			return nil
		}
		point = append(point, make([]byte, size-len(c))...)
		point = append(point, c...)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil
	}
	return pub
}

// decodeBase64URL decodes unpadded base64url as jose-jwt does (memory's
// Base64URLUnpadded): no padding, no line breaks (which Go's decoder would
// otherwise skip).
func decodeBase64URL(s string) ([]byte, bool) {
	if strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, '\n') >= 0 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}
