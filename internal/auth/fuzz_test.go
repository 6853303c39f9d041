package auth

import (
	"crypto"
	"encoding/json"
	"errors"
	"testing"

	"github.com/restgres/restgres/internal/apierr"
)

// FuzzAuthenticate feeds arbitrary Authorization values to an
// Authenticator with a JWK set of every key type. Property: no panic; an
// error is a 401 *apierr.Error with a PGRST30x code; a success carries a
// JSON object whose "role" is the role.
func FuzzAuthenticate(f *testing.F) {
	k := testKeys()
	claims := `{"role":"author","exp":9999999999,"aud":["a"],"x":{"y":[1.5e3]}}`
	for _, s := range []string{
		"", "Bearer", "Bearer a.b.c", "bearer " + hs256(claims),
		"Bearer " + jwt(`{"alg":"RS256","kid":"rsa1"}`, claims, rsSigner(crypto.SHA256, k.rsa)),
		"Bearer " + jwt(`{"alg":"ES256"}`, claims, esSigner(crypto.SHA256, k.ec256)),
		"Bearer " + jwt(`{"alg":"EdDSA"}`, claims, edSigner(k.ed25519)),
		"Bearer " + jwt(`{"alg":"none"}`, claims, func([]byte) []byte { return nil }),
	} {
		f.Add(s)
	}
	cfg := testConfig()
	cfg.JWTSecret = []byte(`{"keys":[` + k.rsaJWK + `,` + k.ec256JWK + `,` + k.ed25519JWK + `,{"kty":"oct","k":"` + b64([]byte(testSecret)) + `"}]}`)
	cfg.JWTRoleClaimKey = "$..role"
	cfg.JWTCacheMaxEntries = 4
	a, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header string) {
		res, err := a.Authenticate(header, testNow)
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Status != 401 || (ae.Code != "PGRST301" && ae.Code != "PGRST303") {
				t.Fatalf("Authenticate(%q) error = %#v", header, err)
			}
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(res.ClaimsJSON, &obj); err != nil || obj["role"] != res.Role {
			t.Fatalf("Authenticate(%q) claims %s (%v) do not carry role %q", header, res.ClaimsJSON, err, res.Role)
		}
	})
}
