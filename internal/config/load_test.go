package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/restgres/restgres/internal/golden"
)

// loadText loads a config file with the given text and environment.
func loadText(t testing.TB, text string, env ...string) (*Config, error) {
	t.Helper()
	path := ""
	if text != "" {
		path = writeFile(t, t.TempDir(), "restgres.conf", text)
	}
	return Load(path, env)
}

func mustLoad(t testing.TB, text string, env ...string) *Config {
	t.Helper()
	c, err := loadText(t, text, env...)
	if err != nil {
		t.Fatalf("Load(%q, %q): %v", text, env, err)
	}
	return c
}

// settingsOf returns the fields a Config's settings decide: not where
// they came from, not the warnings.
func settingsOf(c *Config) Config {
	x := *c
	x.src, x.FilePath, x.Warnings = nil, "", nil
	return x
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), []byte(got))
}

// TestDefaults checks the defaults against PostgREST v16's --dump-config of
// an empty configuration (its test/io/configs/expected/defaults.config, with
// db-config on), plus our server-max-body-size.
func TestDefaults(t *testing.T) {
	c := mustLoad(t, "")
	checkGolden(t, "defaults.dump", c.Dump())
	want := Config{
		ClientErrorVerbosity:      VerbosityVerbose,
		DBChannel:                 "pgrst",
		DBChannelEnabled:          true,
		DBConfig:                  true,
		DBExtraSearchPath:         []string{"public"},
		DBHoistedTxSettings:       []string{"statement_timeout", "plan_filter.statement_cost_limit", "default_transaction_isolation"},
		DBPool:                    10,
		DBPoolAcquisitionTimeout:  10 * time.Second,
		DBPoolMaxLifetime:         1800 * time.Second,
		DBPoolMaxIdletime:         30 * time.Second,
		DBPoolAutomaticRecovery:   true,
		DBPreparedStatements:      true,
		DBSchemas:                 []string{"public"},
		DBURI:                     "postgresql://",
		JWTRoleClaimKey:           "$.role",
		JWTCacheMaxEntries:        1000,
		LogLevel:                  LogError,
		OpenAPIMode:               OpenAPIFollowPrivileges,
		ServerHost:                "!4",
		ServerPort:                3000,
		ServerUnixSocketMode:      0o660,
		URLUseLegacyTargetNames:   true,
		AdminServerHost:           "!4",
		AdminServerUnixSocketMode: 0o660,
	}
	if got := settingsOf(c); !reflect.DeepEqual(got, want) {
		t.Errorf("defaults =\n%+v\nwant\n%+v", got, want)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
}

// TestEverySetting sets every key to a value other than its default.
func TestEverySetting(t *testing.T) {
	c := mustLoad(t, everySetting)
	checkGolden(t, "every-setting.dump", c.Dump())
	if c.JWTSecret == nil || string(c.JWTSecret) != "securitythroughobscurityinbase64" {
		t.Errorf("JWTSecret = %q", c.JWTSecret)
	}
	if c.DBTxEnd != (TxEnd{RollbackAll: true, AllowOverride: true}) {
		t.Errorf("DBTxEnd = %+v", c.DBTxEnd)
	}
	if c.DBPreConfig != (QualifiedName{"postgrest", "pre_config"}) || c.DBPreRequest != (QualifiedName{"", "please_run_fast"}) {
		t.Errorf("qualified names: %+v %+v", c.DBPreConfig, c.DBPreRequest)
	}
	if c.DBPoolMaxIdletime != time.Minute || c.ServerUnixSocketMode != 0o777 || c.AdminServerUnixSocketMode != 0o666 {
		t.Errorf("idletime %v, modes %o %o", c.DBPoolMaxIdletime, c.ServerUnixSocketMode, c.AdminServerUnixSocketMode)
	}
}

const everySetting = `# every setting, none at its default
client-error-verbosity = "minimal"
db-aggregates-enabled = true
db-anon-role = "root"
db-channel = "postgrest"
db-channel-enabled = false
db-extra-search-path = "public, test"
db-hoisted-tx-settings = "work_mem"
db-max-rows = 1000
db-plan-enabled = true
db-pool = 1
db-pool-acquisition-timeout = 30
db-pool-max-lifetime = 3600
db-pool-max-idletime = 60
db-pool-automatic-recovery = false
db-pre-request = "please_run_fast"
db-prepared-statements = false
db-root-spec = "openapi_v3"
db-schemas = "multi,   tenant,setup"
db-config = false
db-pre-config = "postgrest.pre_config"
db-tx-end = "rollback-allow-override"
db-uri = "tmp_db"
jwt-aud = "https://postgrest.org"
jwt-role-claim-key = "$$.user[0].real_role"
jwt-secret = "c2VjdXJpdHl0aHJvdWdob2JzY3VyaXR5aW5iYXNlNjQ="
jwt-secret-is-base64 = true
jwt-cache-max-entries = 86400
log-level = "info"
log-query = true
openapi-mode = "ignore-privileges"
openapi-security-active = true
openapi-server-proxy-uri = "https://postgrest.org"
server-cors-allowed-origins = "http://example.com"
server-host = "0.0.0.0"
server-port = 80
server-reuseport = true
server-trace-header = "X-Request-Id"
server-timing-enabled = true
server-unix-socket = "/tmp/pgrst_io_test.sock"
server-unix-socket-mode = "777"
server-max-body-size = 1048576
url-use-legacy-target-names = false
admin-server-port = 3001
admin-server-host = "127.0.0.1"
admin-server-unix-socket = "/tmp/admin_io_test.sock"
admin-server-unix-socket-mode = "666"
app.settings.test = "test"
app.settings.test2 = "test"
`

// everySettingEnv is everySetting as environment variables.
func everySettingEnv(t *testing.T) []string {
	t.Helper()
	path := writeFile(t, t.TempDir(), "x.conf", everySetting)
	m, err := parseFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for k, v := range m {
		if s, ok := strings.CutPrefix(k, appSettingsPrefix); ok {
			env = append(env, envAppSettingsPrefix+s+"="+v.text)
		} else {
			env = append(env, envName(k)+"="+v.text)
		}
	}
	return env
}

func TestEnvironmentOnly(t *testing.T) {
	fromFile := mustLoad(t, everySetting)
	fromEnv := mustLoad(t, "", everySettingEnv(t)...)
	if !reflect.DeepEqual(settingsOf(fromEnv), settingsOf(fromFile)) {
		t.Errorf("from the environment:\n%s\nfrom the file:\n%s", fromEnv.Dump(), fromFile.Dump())
	}
	if fromEnv.FilePath != "" {
		t.Errorf("FilePath = %q", fromEnv.FilePath)
	}
}

// TestConformanceRunnerDoubleSource loads settings the way the conformance
// runner passes them: the file and the same values as PGRST_* variables.
func TestConformanceRunnerDoubleSource(t *testing.T) {
	file := "app.settings.app_host = \"localhost\"\napp.settings.external_api_secret = \"0123456789abcdef\"\n" +
		"db-extra-search-path = \"\"\ndb-schemas = \"v1,v2,SPECIAL \\\"@/\\\\#~_-\"\nserver-port = 4000\n"
	env := []string{
		"PGRST_APP_SETTINGS_APP_HOST=localhost", "PGRST_APP_SETTINGS_EXTERNAL_API_SECRET=0123456789abcdef",
		"PGRST_DB_EXTRA_SEARCH_PATH=", `PGRST_DB_SCHEMAS=v1,v2,SPECIAL "@/\#~_-`, "PGRST_SERVER_PORT=4000",
		"PGTZ=UTC", "PGOPTIONS=-c search_path=public,test",
	}
	c := mustLoad(t, file, env...)
	wantApp := []KeyValue{{"app.settings.app_host", "localhost"}, {"app.settings.external_api_secret", "0123456789abcdef"}}
	if !reflect.DeepEqual(c.AppSettings, wantApp) {
		t.Errorf("AppSettings = %q, want %q", c.AppSettings, wantApp)
	}
	if !reflect.DeepEqual(c.DBSchemas, []string{"v1", "v2", `SPECIAL "@/\#~_-`}) {
		t.Errorf("DBSchemas = %q", c.DBSchemas)
	}
	if len(c.DBExtraSearchPath) != 0 || c.DBExtraSearchPath == nil {
		t.Errorf("DBExtraSearchPath = %#v, want empty", c.DBExtraSearchPath)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
}

func TestAppSettings(t *testing.T) {
	tests := []struct {
		name, file string
		env        []string
		want       []KeyValue
	}{
		{"file only", "app.settings.b = \"2\"\napp.settings.a = \"1\"", nil, []KeyValue{{"app.settings.a", "1"}, {"app.settings.b", "2"}}},
		{"env only keeps its case", "", []string{"PGRST_APP_SETTINGS_Name_Var=John"}, []KeyValue{{"app.settings.Name_Var", "John"}}},
		{"env wins, file spelling stays", "app.settings.jwt_secret = \"file\"", []string{"PGRST_APP_SETTINGS_JWT_SECRET=env"}, []KeyValue{{"app.settings.jwt_secret", "env"}}},
		{"group syntax", "app { settings { x = \"1\" } }", nil, []KeyValue{{"app.settings.x", "1"}}},
		{"bare number and boolean", "app.settings.n = 5\napp.settings.b = false", nil, []KeyValue{{"app.settings.b", "false"}, {"app.settings.n", "5"}}},
		{"empty value", "app.settings.e = \"\"", []string{"PGRST_APP_SETTINGS_F="}, []KeyValue{{"app.settings.F", ""}, {"app.settings.e", ""}}},
		{"empty suffix is no setting", "", []string{"PGRST_APP_SETTINGS_=x"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.file, tc.env...)
			if !reflect.DeepEqual(c.AppSettings, tc.want) {
				t.Errorf("AppSettings = %q, want %q", c.AppSettings, tc.want)
			}
		})
	}
}

// TestLoad covers values, aliases, precedence and validation, one row per
// case: a file, an environment, and either a check or an error.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	secretFile := writeFile(t, dir, "secret", "reallyreallyreallyreallyverysafe\n")
	b64File := writeFile(t, dir, "secret64", "cmVhbGx5cmVhbGx5cmVhbGx5cmVhbGx5dmVyeXNhZmU=\n")
	uriFile := writeFile(t, dir, "uri", "  postgres://u@h/db  \n")
	tests := []struct {
		name, file string
		env        []string
		check      func(c *Config) bool // nil when err is set
		err        string               // substring of the error
	}{
		// aliases
		{"db-schema", `db-schema = "a, b"`, nil, func(c *Config) bool { return reflect.DeepEqual(c.DBSchemas, []string{"a", "b"}) }, ""},
		{"max-rows", `max-rows = 5`, nil, func(c *Config) bool { return c.DBMaxRows == 5 }, ""},
		{"pre-request", `pre-request = "s.f"`, nil, func(c *Config) bool { return c.DBPreRequest == QualifiedName{"s", "f"} }, ""},
		{"root-spec", `root-spec = "r"`, nil, func(c *Config) bool { return c.DBRootSpec == QualifiedName{"", "r"} }, ""},
		{"role-claim-key", `role-claim-key = "$$.a.b"`, nil, func(c *Config) bool { return c.JWTRoleClaimKey == "$.a.b" }, ""},
		{"secret-is-base64", "secret-is-base64 = true\njwt-secret = \"cmVhbGx5cmVhbGx5cmVhbGx5cmVhbGx5dmVyeXNhZmU=\"", nil, func(c *Config) bool {
			return c.JWTSecretIsBase64 && string(c.JWTSecret) == "reallyreallyreallyreallyverysafe"
		}, ""},
		{"db-pool-timeout", `db-pool-timeout = 5`, nil, func(c *Config) bool { return c.DBPoolMaxIdletime == 5*time.Second }, ""},
		{"name wins over alias", "db-schemas = \"a\"\ndb-schema = \"b\"", nil, func(c *Config) bool { return c.DBSchemas[0] == "a" }, ""},
		{"db-pool-timeout wins over db-pool-max-idletime", "db-pool-max-idletime = 7\ndb-pool-timeout = 5", nil, func(c *Config) bool { return c.DBPoolMaxIdletime == 5*time.Second }, ""},
		{"empty name falls back to alias", "db-max-rows = \"\"\nmax-rows = 3", nil, func(c *Config) bool { return c.DBMaxRows == 3 }, ""},
		{"alias from env", "", []string{"PGRST_MAX_ROWS=9", "PGRST_DB_SCHEMA=x"}, func(c *Config) bool { return c.DBMaxRows == 9 && c.DBSchemas[0] == "x" }, ""},
		{"env name beats file alias", "max-rows = 3", []string{"PGRST_DB_MAX_ROWS=4"}, func(c *Config) bool { return c.DBMaxRows == 4 }, ""},
		{"admin-server-host falls back to server-host", `server-host = "127.0.0.1"`, nil, func(c *Config) bool { return c.AdminServerHost == "127.0.0.1" }, ""},
		{"admin-server-host set", "server-host = \"a\"\nadmin-server-host = \"b\"", nil, func(c *Config) bool { return c.AdminServerHost == "b" && c.ServerHost == "a" }, ""},

		// precedence
		{"env wins over file", "db-pool = 3", []string{"PGRST_DB_POOL=4"}, func(c *Config) bool { return c.DBPool == 4 }, ""},
		{"empty env unsets the file value", `db-anon-role = "anon"`, []string{"PGRST_DB_ANON_ROLE="}, func(c *Config) bool { return c.DBAnonRole == "" }, ""},
		{"empty env extra search path", "", []string{"PGRST_DB_EXTRA_SEARCH_PATH="}, func(c *Config) bool { return len(c.DBExtraSearchPath) == 0 }, ""},
		{"empty string is unset", "db-channel = \"\"\ndb-pool = \"\"\ndb-config = \"\"", nil, func(c *Config) bool { return c.DBChannel == "pgrst" && c.DBPool == 10 && c.DBConfig }, ""},
		{"lower-case env ignored", "", []string{"pgrst_db_pool=4"}, func(c *Config) bool { return c.DBPool == 10 }, ""},
		{"unknown env warns", "", []string{"PGRST_DB_USE_LEGACY_GUCS=false"}, func(c *Config) bool {
			return len(c.Warnings) == 1 && strings.Contains(c.Warnings[0], "PGRST_DB_USE_LEGACY_GUCS is not a setting")
		}, ""},
		{"interpolation from environ", `db-uri = "postgres://$(DBUSER)@localhost/$$x"`, []string{"DBUSER=bob"}, func(c *Config) bool { return c.DBURI == "postgres://bob@localhost/$x" }, ""},

		// booleans, as PostgREST reads them
		{"bool words", "db-config = off\nlog-query = on", nil, func(c *Config) bool { return !c.DBConfig && c.LogQuery }, ""},
		{"bool strings", "db-channel-enabled = \"FALSE\"\ndb-prepared-statements = \"False\"\nlog-query = \"tRuE\"", nil, func(c *Config) bool { return !c.DBChannelEnabled && !c.DBPreparedStatements && c.LogQuery }, ""},
		{"bool quoted quotes", `jwt-secret-is-base64 = "\"true\""`, nil, func(c *Config) bool { return c.JWTSecretIsBase64 }, ""},
		{"bool numeric strings", "db-channel-enabled = \"0\"\nlog-query = \"2\"\ndb-config = \"-1\"", nil, func(c *Config) bool { return !c.DBChannelEnabled && c.LogQuery && !c.DBConfig }, ""},
		{"bool bare numbers", "log-query = 1\ndb-config = 0", nil, func(c *Config) bool { return c.LogQuery && !c.DBConfig }, ""},
		{"bool env", "", []string{"PGRST_LOG_QUERY=TRUE", "PGRST_DB_CONFIG=false"}, func(c *Config) bool { return c.LogQuery && !c.DBConfig }, ""},
		{"bad bool", `db-config = "yes"`, nil, nil, `config: db-config: expected a boolean (true or false), got "yes" (line 1)`},
		{"bad bool env", "", []string{"PGRST_SERVER_TIMING_ENABLED=maybe"}, nil, `config: server-timing-enabled: expected a boolean (true or false), got "maybe" (PGRST_SERVER_TIMING_ENABLED)`},
		{"bool from float", `db-config = 1.5`, nil, nil, `db-config: expected a boolean`},

		// integers
		{"int from string", `db-pool = " 12 "`, nil, func(c *Config) bool { return c.DBPool == 12 }, ""},
		{"int 1e1", `db-pool = 1e1`, nil, func(c *Config) bool { return c.DBPool == 10 }, ""},
		{"int 20.0", `db-pool = 20.0`, nil, func(c *Config) bool { return c.DBPool == 20 }, ""},
		{"bad int", `db-pool = "ten"`, nil, nil, `config: db-pool: expected an integer, got "ten" (line 1)`},
		{"bad int env", "", []string{"PGRST_DB_POOL=ten"}, nil, `config: db-pool: expected an integer, got "ten" (PGRST_DB_POOL)`},
		{"fractional int", `db-max-rows = 1.5`, nil, nil, `db-max-rows: expected an integer, got 1.5`},
		{"bool for int", `db-max-rows = true`, nil, nil, `db-max-rows: expected an integer, got true`},
		{"list for int", `db-pool = [1]`, nil, nil, `db-pool: expected a single value, got a list [1]`},
		{"pool zero", `db-pool = 0`, nil, nil, `db-pool: must be at least 1, got 0`},
		{"pool huge", `db-pool = 3000000000`, nil, nil, `db-pool: must be between 1 and 2147483647, got 3000000000`},
		{"list for extra search path", `db-extra-search-path = ["a"]`, nil, nil, `db-extra-search-path: expected a single value, got a list`},
		{"negative max rows", `db-max-rows = -1`, nil, nil, `db-max-rows: must be at least 0`},
		{"negative timeout", `db-pool-acquisition-timeout = -1`, nil, nil, `db-pool-acquisition-timeout: must be between 0 and`},
		{"port range", `server-port = 70000`, nil, nil, `server-port: must be between 0 and 65535, got 70000`},
		{"port zero", `server-port = 0`, nil, func(c *Config) bool { return c.ServerPort == 0 }, ""},
		{"admin port zero", `admin-server-port = 0`, nil, nil, `admin-server-port: must be between 1 and 65535`},
		{"admin port equals port", "server-port = 4000\nadmin-server-port = 4000", nil, nil, `config: admin-server-port: cannot be the same as server-port (4000) (line 2)`},
		{"admin port equals default port", `admin-server-port = 3000`, nil, nil, `admin-server-port: cannot be the same as server-port`},
		{"max body size", `server-max-body-size = 1024`, nil, func(c *Config) bool { return c.ServerMaxBodySize == 1024 }, ""},
		{"negative max body size", `server-max-body-size = -1`, nil, nil, `server-max-body-size: must be at least 0`},
		{"max rows zero is no limit", `db-max-rows = 0`, nil, func(c *Config) bool { return c.DBMaxRows == 0 }, ""},
		{"cache off", `jwt-cache-max-entries = 0`, nil, func(c *Config) bool { return c.JWTCacheMaxEntries == 0 }, ""},

		// enumerations
		{"verbosity", `client-error-verbosity = "minimal"`, nil, func(c *Config) bool { return c.ClientErrorVerbosity == VerbosityMinimal }, ""},
		{"bad verbosity", `client-error-verbosity = "Minimal"`, nil, nil, `client-error-verbosity: expected one of verbose, minimal, got "Minimal"`},
		{"log level", `log-level = "debug"`, nil, func(c *Config) bool { return c.LogLevel == LogDebug }, ""},
		{"bad log level", `log-level = "verbose"`, nil, nil, `log-level: expected one of crit, error, warn, info, debug, got "verbose"`},
		{"openapi disabled", `openapi-mode = "disabled"`, nil, func(c *Config) bool { return c.OpenAPIMode == OpenAPIDisabled }, ""},
		{"bad openapi mode", `openapi-mode = "follow-"`, nil, nil, `openapi-mode: expected one of follow-privileges, ignore-privileges, disabled`},
		{"tx commit-allow-override", `db-tx-end = "commit-allow-override"`, nil, func(c *Config) bool { return c.DBTxEnd == TxEnd{AllowOverride: true} }, ""},
		{"tx rollback", `db-tx-end = "rollback"`, nil, func(c *Config) bool { return c.DBTxEnd == TxEnd{RollbackAll: true} }, ""},
		{"bad tx end", `db-tx-end = "abort"`, nil, nil, `db-tx-end: expected one of commit, commit-allow-override, rollback, rollback-allow-override`},

		// lists and names
		{"schemas trimmed", "db-schemas = \" a ,b,\tc \"", nil, func(c *Config) bool { return reflect.DeepEqual(c.DBSchemas, []string{"a", "b", "c"}) }, ""},
		{"unicode schema", `db-schemas = "تست"`, nil, func(c *Config) bool { return c.DBSchemas[0] == "تست" }, ""},
		{"pg_catalog refused", `db-schemas = "public, pg_catalog"`, nil, nil, `config: db-schemas: the schema "pg_catalog" cannot be exposed (line 1)`},
		{"information_schema refused", "", []string{"PGRST_DB_SCHEMAS=information_schema"}, nil, `db-schemas: the schema "information_schema" cannot be exposed (PGRST_DB_SCHEMAS)`},
		{"empty list item", `db-schemas = "a,,b"`, nil, nil, `db-schemas: empty item in the comma-separated list "a,,b"`},
		{"trailing comma", `db-extra-search-path = "public,"`, nil, nil, `db-extra-search-path: empty item`},
		{"hoisted settings", `db-hoisted-tx-settings = "work_mem, statement_timeout"`, nil, func(c *Config) bool {
			return reflect.DeepEqual(c.DBHoistedTxSettings, []string{"work_mem", "statement_timeout"})
		}, ""},
		{"cors origins", `server-cors-allowed-origins = "http://a.com, http://b.com"`, nil, func(c *Config) bool {
			return reflect.DeepEqual(c.ServerCORSAllowedOrigins, []string{"http://a.com", "http://b.com"})
		}, ""},
		{"cors empty is any", `server-cors-allowed-origins = ""`, nil, func(c *Config) bool { return c.ServerCORSAllowedOrigins == nil }, ""},
		{"qualified name split at first dot", `db-pre-request = "a.b.c"`, nil, func(c *Config) bool { return c.DBPreRequest == QualifiedName{"a", "b.c"} }, ""},
		{"string from bare number", `db-anon-role = 5`, nil, func(c *Config) bool { return c.DBAnonRole == "5" }, ""},
		{"list for string", `db-anon-role = ["a"]`, nil, nil, `db-anon-role: expected a single value, got a list ["a"]`},

		// socket modes
		{"socket mode bare", `server-unix-socket-mode = 600`, nil, func(c *Config) bool { return c.ServerUnixSocketMode == 0o600 }, ""},
		{"socket mode string", `admin-server-unix-socket-mode = "0755"`, nil, func(c *Config) bool { return c.AdminServerUnixSocketMode == 0o755 }, ""},
		{"socket mode too low", `server-unix-socket-mode = "577"`, nil, nil, `server-unix-socket-mode: must be between 600 and 777, got "577"`},
		{"socket mode too high", `server-unix-socket-mode = "1777"`, nil, nil, `must be between 600 and 777`},
		{"socket mode not octal", `server-unix-socket-mode = "680"`, nil, nil, `server-unix-socket-mode: expected an octal file mode such as 660, got "680"`},
		{"socket mode garbage", "", []string{"PGRST_ADMIN_SERVER_UNIX_SOCKET_MODE=rw"}, nil, `admin-server-unix-socket-mode: expected an octal file mode`},

		// jwt-secret
		{"secret", `jwt-secret = "reallyreallyreallyreallyverysafe"`, nil, func(c *Config) bool { return string(c.JWTSecret) == "reallyreallyreallyreallyverysafe" }, ""},
		{"secret too short", `jwt-secret = "short"`, nil, nil, `config: jwt-secret: the secret must be at least 32 characters long (or be a JSON Web Key or key set) (line 1)`},
		{"secret from file", `jwt-secret = "@` + secretFile + `"`, nil, func(c *Config) bool { return string(c.JWTSecret) == "reallyreallyreallyreallyverysafe" }, ""},
		{"secret file missing", `jwt-secret = "@/nonexistent/secret"`, nil, nil, `jwt-secret: reading the secret: open /nonexistent/secret`},
		{"base64 secret from file", "jwt-secret-is-base64 = true\njwt-secret = \"@" + b64File + "\"", nil, func(c *Config) bool { return string(c.JWTSecret) == "reallyreallyreallyreallyverysafe" }, ""},
		{"base64 url-safe", "jwt-secret-is-base64 = true\njwt-secret = \"_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-\"", nil, func(c *Config) bool {
			return len(c.JWTSecret) == 34 && c.JWTSecret[0] == 0xff && c.JWTSecret[1] == 0xef
		}, ""},
		{"base64 dot padding", "jwt-secret-is-base64 = true\njwt-secret = \"cmVhbGx5cmVhbGx5cmVhbGx5cmVhbGx5dmVyeXNhZmUhIQ..\"", nil, func(c *Config) bool { return string(c.JWTSecret) == "reallyreallyreallyreallyverysafe!!" }, ""},
		{"base64 unpadded", "jwt-secret-is-base64 = true\njwt-secret = \"cmVhbGx5cmVhbGx5cmVhbGx5cmVhbGx5dmVyeXNhZmUhIQ\"", nil, func(c *Config) bool { return string(c.JWTSecret) == "reallyreallyreallyreallyverysafe!!" }, ""},
		{"bad base64", "jwt-secret-is-base64 = true\njwt-secret = \"not base64 at all!!!!!!!!!!!!!!!!!!!!\"", nil, nil, `jwt-secret: jwt-secret-is-base64 is on but the secret is not valid base64`},
		{"decoded secret too short", "jwt-secret-is-base64 = true\njwt-secret = \"c2hvcnQ=\"", nil, nil, `jwt-secret: the secret must be at least 32 characters long`},
		{"short JWK", `jwt-secret = "{\"kty\":\"oct\",\"k\":\"a\"}"`, nil, func(c *Config) bool { return len(c.JWTSecret) == 21 }, ""},
		{"short JWKS", `jwt-secret = "{\"keys\":[]}"`, nil, func(c *Config) bool { return string(c.JWTSecret) == `{"keys":[]}` }, ""},
		{"secret from env", "", []string{"PGRST_JWT_SECRET=reallyreallyreallyreallyverysafe"}, func(c *Config) bool { return len(c.JWTSecret) == 32 }, ""},

		// db-uri
		{"db-uri from file", `db-uri = "@` + uriFile + `"`, nil, func(c *Config) bool { return c.DBURI == "postgres://u@h/db" }, ""},
		{"db-uri file missing", "", []string{"PGRST_DB_URI=@/nonexistent/uri"}, nil, `config: db-uri: reading the connection string: open /nonexistent/uri: no such file or directory (PGRST_DB_URI)`},

		// jwt-aud
		{"aud string", `jwt-aud = "spec tests"`, nil, func(c *Config) bool { return c.JWTAudience == "spec tests" }, ""},
		{"aud uri", `jwt-aud = "urn:example:aud"`, nil, func(c *Config) bool { return c.JWTAudience == "urn:example:aud" }, ""},
		{"aud bad uri", `jwt-aud = "my aud:x"`, nil, nil, `jwt-aud: "my aud:x" has a ':' but is not a valid URI`},
		{"aud bad uri chars", `jwt-aud = "https://exa mple.com"`, nil, nil, `jwt-aud:`},

		// openapi-server-proxy-uri
		{"proxy uri", `openapi-server-proxy-uri = "https://example.com:8443/basePath"`, nil, func(c *Config) bool { return c.OpenAPIServerProxyURI == "https://example.com:8443/basePath" }, ""},
		{"proxy uri HTTP", `openapi-server-proxy-uri = "HTTP://example.com"`, nil, func(c *Config) bool { return c.OpenAPIServerProxyURI != "" }, ""},
		{"proxy uri ftp", `openapi-server-proxy-uri = "ftp://example.com"`, nil, nil, `openapi-server-proxy-uri: malformed proxy URI "ftp://example.com"`},
		{"proxy uri query", `openapi-server-proxy-uri = "https://example.com/?a=b"`, nil, nil, `malformed proxy URI`},
		{"proxy uri empty query", `openapi-server-proxy-uri = "https://example.com/?"`, nil, nil, `malformed proxy URI`},
		{"proxy uri userinfo", `openapi-server-proxy-uri = "https://u:p@example.com"`, nil, nil, `malformed proxy URI`},
		{"proxy uri fragment", `openapi-server-proxy-uri = "https://example.com/#x"`, nil, nil, `malformed proxy URI`},
		{"proxy uri port", `openapi-server-proxy-uri = "https://example.com:0"`, nil, nil, `malformed proxy URI`},
		{"proxy uri empty port", `openapi-server-proxy-uri = "https://example.com:/x"`, nil, nil, `malformed proxy URI`},
		{"proxy uri relative", `openapi-server-proxy-uri = "/api"`, nil, nil, `malformed proxy URI`},
		{"proxy uri no host", `openapi-server-proxy-uri = "https:///api"`, nil, nil, `malformed proxy URI`},
		{"proxy uri ipv6", `openapi-server-proxy-uri = "http://[::1]:8080/api"`, nil, func(c *Config) bool { return c.OpenAPIServerProxyURI != "" }, ""},

		// jwt-role-claim-key
		{"role claim key", `jwt-role-claim-key = "$$.realm_access.roles[?(@ == \"admin\")]"`, nil, func(c *Config) bool {
			return c.JWTRoleClaimKey == `$.realm_access.roles[?(@ == "admin")]` && len(c.Warnings) == 0
		}, ""},
		{"role claim key env", "", []string{"PGRST_JWT_ROLE_CLAIM_KEY=$.postgrest.a_role"}, func(c *Config) bool { return c.JWTRoleClaimKey == "$.postgrest.a_role" }, ""},
		{"deprecated role claim key warns", `jwt-role-claim-key = ".roles[0]"`, nil, func(c *Config) bool {
			return c.JWTRoleClaimKey == ".roles[0]" && len(c.Warnings) == 1 &&
				c.Warnings[0] == `config: jwt-role-claim-key ".roles[0]" uses the JSPath syntax of PostgREST 14 and earlier, which is deprecated: write the RFC 9535 path "$.roles[0]" instead (line 1)`
		}, ""},
		{"bad role claim key", "", []string{"PGRST_JWT_ROLE_CLAIM_KEY=$.my_role;;domain"}, nil, `config: jwt-role-claim-key: failed to parse role-claim-key value ($.my_role;;domain)`},
		// Valid RFC 9535, but not to aeson-jsonpath, so PostgREST and auth.New refuse them.
		{"role claim key with a negative decimal", `jwt-role-claim-key = "$$[?@.a == -1.5]"`, nil, nil, `config: jwt-role-claim-key: failed to parse role-claim-key value ($[?@.a == -1.5]) (line 1)`},
		{"role claim key with a blank slice step", `jwt-role-claim-key = "$$.roles[1:2: ]"`, nil, nil, `config: jwt-role-claim-key: failed to parse role-claim-key value ($.roles[1:2: ]) (line 1)`},

		// keys
		{"unknown key", "db-pool = 1\n\ndb-shemas = \"x\"", nil, nil, `config: unknown key "db-shemas" (line 3)`},
		{"first unknown key in file order", "zzz = 1\naaa = 2", nil, nil, `unknown key "zzz" (line 1)`},
		{"unknown key in group", `db { shemas = "x" }`, nil, nil, `unknown key "db.shemas" (line 1)`},
		{"app.settings alone", `app.settings = "x"`, nil, nil, `unknown key "app.settings"`},
		{"app setting list", `app.settings.x = [1]`, nil, nil, `app.settings.x: expected a string, got a list`},
		{"retired key warns", `db-use-legacy-gucs = false`, nil, func(c *Config) bool {
			return len(c.Warnings) == 1 && strings.Contains(c.Warnings[0], "db-use-legacy-gucs is ignored: removed in PostgREST 12 (line 1)")
		}, ""},
		{"internal key accepted", `internal-schema-cache-query-sleep = 10`, nil, func(c *Config) bool { return len(c.Warnings) == 0 }, ""},
		{"syntax error", "db-pool = ten", nil, nil, `config: line 1: db-pool: a value must be`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadText(t, tc.file, tc.env...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Load(%q, %q) error = %v, want it to contain %q", tc.file, tc.env, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%q, %q): %v", tc.file, tc.env, err)
			}
			if !tc.check(c) {
				t.Errorf("Load(%q, %q): check failed; got\n%s\nwarnings %q", tc.file, tc.env, c.Dump(), c.Warnings)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load("/nonexistent/restgres.conf", nil); err == nil || !strings.Contains(err.Error(), "config: open /nonexistent/restgres.conf") {
		t.Errorf("error = %v", err)
	}
}

func TestLoadIsRepeatable(t *testing.T) {
	path := writeFile(t, t.TempDir(), "r.conf", "db-pool = 3\n")
	a, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("db-pool = 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.DBPool != 3 || b.DBPool != 4 {
		t.Errorf("first load %d, second %d", a.DBPool, b.DBPool)
	}
}

func TestReloadKeepsDBURI(t *testing.T) {
	path := writeFile(t, t.TempDir(), "r.conf", "db-uri = \"postgres:///one\"\ndb-pool = 3\n")
	old, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("db-uri = \"postgres:///two\"\ndb-pool = 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := Reload(old, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.DBURI != "postgres:///one" || n.DBPool != 4 || n.FilePath != path {
		t.Errorf("after reload: uri %q, pool %d, path %q", n.DBURI, n.DBPool, n.FilePath)
	}
}

// TestRoundTrip loads Dump's output back and compares.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	secretFile := writeFile(t, dir, "secret", "reallyreallyreallyreallyverysafe\n")
	tests := []struct {
		name, file string
		env        []string
	}{
		{"defaults", "", nil},
		{"every setting", everySetting, nil},
		{"tricky strings", `db-anon-role = "a \"quoted\" \\ back$$slash` + "\n" + `multi-line"
db-uri = "postgres://u:p$$w@h/db?x=\\y"
jwt-aud = "aud with # hash"
db-schemas = "v1,v2,SPECIAL \"@/\\#~_-"
db-extra-search-path = ""
server-trace-header = "X-Ünïcode-€"
app.settings.dollar = "$$(HOME)"
app.settings.tab = "a\tb"
jwt-role-claim-key = "$$['https://example.com/role'][?search(@, '^a.*')]"
`, nil},
		{"secret from file", `jwt-secret = "@` + secretFile + `"`, nil},
		{"binary base64 secret", "jwt-secret-is-base64 = true\njwt-secret = \"_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-\"", nil},
		{"environment", "", []string{"PGRST_APP_SETTINGS_2FA=on", "PGRST_DB_SCHEMAS=a,b", "PGRST_SERVER_CORS_ALLOWED_ORIGINS=http://x"}},
		{"deprecated role claim key", `jwt-role-claim-key = ".\"https://x.com/r\"[?(@ ^== \"a\")]"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.file, tc.env...)
			dump := c.Dump()
			back, err := loadText(t, dump)
			if err != nil {
				t.Fatalf("loading the dump:\n%s\n%v", dump, err)
			}
			if !reflect.DeepEqual(settingsOf(back), settingsOf(c)) {
				t.Errorf("round trip differs:\n%s\nloaded back:\n%s", dump, back.Dump())
			}
			if again := back.Dump(); again != dump {
				t.Errorf("second dump differs:\n%s\nfirst:\n%s", again, dump)
			}
		})
	}
}

func TestDumpQuoting(t *testing.T) {
	c := mustLoad(t, `db-anon-role = "a\"b\\c$$d"`)
	if !strings.Contains(c.Dump(), `db-anon-role = "a\"b\\c$$d"`+"\n") {
		t.Errorf("dump:\n%s", c.Dump())
	}
	c = mustLoad(t, `jwt-role-claim-key = "$$.x"`)
	if !strings.Contains(c.Dump(), `jwt-role-claim-key = "$$.x"`+"\n") {
		t.Errorf("dump:\n%s", c.Dump())
	}
}

func TestExample(t *testing.T) {
	ex := Example()
	checkGolden(t, "example.conf", ex)
	c, err := loadText(t, ex)
	if err != nil {
		t.Fatalf("loading Example(): %v", err)
	}
	if !reflect.DeepEqual(settingsOf(c), settingsOf(mustLoad(t, ""))) {
		t.Errorf("Example() does not give the defaults:\n%s", c.Dump())
	}
	for _, k := range keys {
		if !strings.Contains(ex, "\n"+k.name+" = ") && !strings.Contains(ex, "\n# "+k.name+" = ") {
			t.Errorf("Example() does not list %s", k.name)
		}
		if k.sample != "" {
			// Uncommented, the sample must load too.
			if _, err := loadText(t, k.name+" = "+k.sample); err != nil {
				t.Errorf("sample of %s: %v", k.name, err)
			}
		}
	}
	for _, line := range strings.Split(c.Dump(), "\n") {
		if key, _, ok := strings.Cut(line, " = "); ok && !strings.Contains(ex, key+" = ") {
			t.Errorf("Example() does not list dumped key %s", key)
		}
	}
}

func TestDatabaseSettingNames(t *testing.T) {
	got := strings.Join(DatabaseSettingNames(), " ")
	// PostgREST's in-database names, with jwt_cache_max_entries for its
	// stale jwt_cache_max_lifetime.
	for _, n := range []string{"db_aggregates_enabled", "client_error_verbosity", "db_anon_role", "db_pre_config",
		"db_extra_search_path", "db_max_rows", "db_plan_enabled", "db_pre_request", "db_prepared_statements",
		"db_root_spec", "db_schemas", "db_tx_end", "db_hoisted_tx_settings", "jwt_aud", "jwt_role_claim_key",
		"jwt_secret", "jwt_secret_is_base64", "jwt_cache_max_entries", "openapi_mode", "openapi_security_active",
		"openapi_server_proxy_uri", "server_cors_allowed_origins", "server_trace_header", "server_timing_enabled",
		"url_use_legacy_target_names"} {
		if !strings.Contains(" "+got+" ", " "+n+" ") {
			t.Errorf("DatabaseSettingNames lacks %s", n)
		}
	}
	if n := len(DatabaseSettingNames()); n != 25 {
		t.Errorf("%d names, want 25: %s", n, got)
	}
}

func TestWithDatabaseSettings(t *testing.T) {
	c := mustLoad(t, "db-schemas = \"file\"\njwt-aud = \"file\"\ndb-max-rows = 5\ndb-uri = \"postgres:///db\"",
		"PGRST_DB_SCHEMAS=env", "PGRST_DB_ANON_ROLE=env_anon")
	c = c.WithRoleSettings(map[string][]KeyValue{"r": {{"work_mem", "1MB"}}}, map[string]string{"r": "serializable"})
	n, err := c.WithDatabaseSettings([]KeyValue{{"db_schemas", "db1, db2"}, {"pgrst.jwt_aud", "db"}, {"jwt_secret", "reallyreallyreallyreallyverysafe"}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(n.DBSchemas, []string{"db1", "db2"}) || n.JWTAudience != "db" || string(n.JWTSecret) != "reallyreallyreallyreallyverysafe" {
		t.Errorf("database settings not applied:\n%s", n.Dump())
	}
	if n.DBAnonRole != "env_anon" || n.DBMaxRows != 5 || n.DBURI != "postgres:///db" || n.FilePath != c.FilePath {
		t.Errorf("file and environment settings lost:\n%s", n.Dump())
	}
	if n.RoleIsolationLevel["r"] != "serializable" || len(n.RoleSettings["r"]) != 1 {
		t.Errorf("role settings lost: %v %v", n.RoleSettings, n.RoleIsolationLevel)
	}
	if c.DBSchemas[0] != "env" || c.JWTSecret != nil {
		t.Errorf("the receiver changed: %q", c.DBSchemas)
	}
	// Applying again starts from the file and environment, not from n.
	m, err := n.WithDatabaseSettings(nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.DBSchemas[0] != "env" || m.JWTAudience != "file" {
		t.Errorf("settings of an earlier database read stuck: %q %q", m.DBSchemas, m.JWTAudience)
	}

	if _, err := c.WithDatabaseSettings([]KeyValue{{"db_uri", "postgres:///evil"}}); err == nil || err.Error() != "config: pgrst.db_uri cannot be set in the database" {
		t.Errorf("db_uri from the database: %v", err)
	}
	if _, err := c.WithDatabaseSettings([]KeyValue{{"db_max_rows", "many"}}); err == nil || err.Error() != `config: db-max-rows: expected an integer, got "many" (pgrst.db_max_rows)` {
		t.Errorf("bad database value: %v", err)
	}
	// A Config built by hand has no sources: the database settings apply
	// over the defaults.
	h, err := (&Config{DBURI: "x"}).WithDatabaseSettings([]KeyValue{{"db_max_rows", "7"}})
	if err != nil || h.DBMaxRows != 7 || h.DBPool != 10 || h.DBURI != "x" {
		t.Errorf("hand-built Config: %v %+v", err, h)
	}
}

func TestEnumStrings(t *testing.T) {
	if VerbosityMinimal.String() != "minimal" || OpenAPIIgnorePrivileges.String() != "ignore-privileges" || LogWarn.String() != "warn" || LogLevel(9).String() != "9" {
		t.Error("enum names")
	}
	for _, tx := range []string{"commit", "commit-allow-override", "rollback", "rollback-allow-override"} {
		c := mustLoad(t, `db-tx-end = "`+tx+`"`)
		if c.DBTxEnd.String() != tx {
			t.Errorf("TxEnd.String() = %q, want %q", c.DBTxEnd.String(), tx)
		}
	}
}

// FuzzLoad checks that no file makes Load panic, and that whatever loads
// dumps to something that loads back equal.
func FuzzLoad(f *testing.F) {
	f.Add(everySetting)
	f.Add(`db-schemas = "a,b"` + "\napp.settings.x = \"$$\"\njwt-role-claim-key = \"$$.a[?(@ == 1)]\"")
	f.Add("server-unix-socket-mode = 700\njwt-aud = \"a:b\"\nopenapi-server-proxy-uri = \"http://[::1]/\"")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		path := writeFile(t, dir, "fuzz.conf", s)
		c, err := Load(path, nil)
		if err != nil {
			return
		}
		back, err := Load(writeFile(t, dir, "back.conf", c.Dump()), nil)
		if err != nil {
			t.Fatalf("the dump of %q does not load: %v\n%s", s, err, c.Dump())
		}
		if !reflect.DeepEqual(settingsOf(back), settingsOf(c)) {
			t.Fatalf("round trip of %q differs:\n%s\n%s", s, c.Dump(), back.Dump())
		}
	})
}
