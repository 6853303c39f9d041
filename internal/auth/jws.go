package auth

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/jsonvalue"
)

// PGRST301 messages and details, as PostgREST (Error.hs) and jose-jwt word
// them.
const (
	msgEmptyToken   = "Empty JWT is sent in Authorization header"
	msgBadCrypto    = "JWT cryptographic operation failed"
	msgBadAlgorithm = "Wrong or unsupported encoding algorithm"
	msgKeyError     = "No suitable key or wrong key type"

	detailUnsecured = "JWT is unsecured but expected 'alg' was not 'none'"
	detailNoKey     = "No suitable key was found to decode the JWT"
	detailNoneValid = "None of the keys was able to decode the JWT"
)

func errBadCrypto() *apierr.Error { return apierr.JWTDecode(msgBadCrypto, "") }

// verify decodes a token and checks its signature, returning its claims.
// The order of the checks, and so which error a broken token gets, follows
// PostgREST's parseToken and jose-jwt's decode:
//
//   - an empty token, or one without exactly three dot-separated parts;
//   - a header that is not base64url JSON naming a JWS algorithm jose-jwt
//     implements (with string or null typ, cty and kid), a payload or a
//     signature that is not base64url: all "cryptographic operation
//     failed";
//   - alg "none": "wrong or unsupported encoding algorithm";
//   - no key usable for the alg and kid, or none that verifies: "no
//     suitable key", with details telling the two apart;
//   - claims that are not a JSON object: PGRST303 "Parsing claims failed".
//
// size is the length of the decoded claims, a hint for encoding them again.
func (a *Authenticator) verify(token string) (claims jsonvalue.Value, size int, err *apierr.Error) {
	if token == "" {
		return jsonvalue.Value{}, 0, apierr.JWTDecode(msgEmptyToken, "")
	}
	if n := strings.Count(token, ".") + 1; n != 3 {
		return jsonvalue.Value{}, 0, apierr.JWTDecode("Expected 3 parts in JWT; got "+strconv.Itoa(n), "")
	}
	dot1 := strings.IndexByte(token, '.')
	dot2 := dot1 + 1 + strings.IndexByte(token[dot1+1:], '.')

	// One copy of the token serves as the signing input and the base64
	// source, one buffer receives the three decoded parts, and one string
	// holds the decoded header and payload for the JSON parser.
	raw := []byte(token)
	buf := make([]byte, base64.RawURLEncoding.DecodedLen(len(raw)))
	hn, ok := decodePart(buf, raw[:dot1])
	if !ok {
		return jsonvalue.Value{}, 0, errBadCrypto()
	}
	pn, ok := decodePart(buf[hn:], raw[dot1+1:dot2])
	if !ok {
		return jsonvalue.Value{}, 0, errBadCrypto()
	}
	text := string(buf[:hn+pn])
	hdr, ok := jsonvalue.Parse(text[:hn])
	if !ok || hdr.Kind != jsonvalue.Object {
		return jsonvalue.Value{}, 0, errBadCrypto()
	}
	algV := hdr.Get("alg")
	if algV != nil && algV.Kind == jsonvalue.String && algV.Text == "none" {
		// jose-jwt reads no signature for an unsecured token.
		return jsonvalue.Value{}, 0, apierr.JWTDecode(msgBadAlgorithm, detailUnsecured)
	}
	// A header with "enc" is a JWE, which cannot have three parts.
	if hdr.Has("enc") || algV == nil || algV.Kind != jsonvalue.String {
		return jsonvalue.Value{}, 0, errBadCrypto()
	}
	al := parseAlg(algV.Text)
	if al == algInvalid {
		return jsonvalue.Value{}, 0, errBadCrypto()
	}
	for _, name := range [...]string{"typ", "cty"} {
		if v := hdr.Get(name); v != nil && v.Kind != jsonvalue.Null && v.Kind != jsonvalue.String {
			return jsonvalue.Value{}, 0, errBadCrypto()
		}
	}
	var kid string
	var hasKid bool
	if v := hdr.Get("kid"); v != nil && v.Kind != jsonvalue.Null {
		if v.Kind != jsonvalue.String {
			return jsonvalue.Value{}, 0, errBadCrypto()
		}
		kid, hasKid = v.Text, true
	}
	sn, ok := decodePart(buf[hn+pn:], raw[dot2+1:])
	if !ok {
		return jsonvalue.Value{}, 0, errBadCrypto()
	}
	sig := buf[hn+pn : hn+pn+sn]

	input := raw[:dot2]
	tried, verified := false, false
	for _, k := range a.keys {
		if !k.canVerify(al, kid, hasKid) {
			continue
		}
		tried = true
		if k.verify(al, input, sig) {
			verified = true
			break
		}
	}
	switch {
	case !tried:
		return jsonvalue.Value{}, 0, apierr.JWTDecode(msgKeyError, detailNoKey)
	case !verified:
		return jsonvalue.Value{}, 0, apierr.JWTDecode(msgKeyError, detailNoneValid)
	}

	claims, ok = jsonvalue.Parse(text[hn:])
	if !ok || claims.Kind != jsonvalue.Object {
		return jsonvalue.Value{}, 0, apierr.JWTClaims("Parsing claims failed")
	}
	return claims, pn, nil
}

// decodePart decodes one unpadded base64url part of a token into dst,
// with the rules of decodeBase64URL.
func decodePart(dst, src []byte) (int, bool) {
	if bytes.IndexByte(src, '\r') >= 0 || bytes.IndexByte(src, '\n') >= 0 {
		return 0, false
	}
	n, err := base64.RawURLEncoding.Decode(dst, src)
	return n, err == nil
}
