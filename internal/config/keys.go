package config

import "strings"

// keyInfo describes one setting: its names, where it may come from, and the
// words Example prints for it.
type keyInfo struct {
	name    string   // the key in a config file, e.g. "db-schemas"
	aliases []string // older names PostgREST still reads, weaker than name
	// aliasFirst makes the alias win over name when both are set, as
	// db-pool-timeout does over db-pool-max-idletime in PostgREST.
	aliasFirst bool
	inDB       bool   // settable in the database as pgrst.<name with '_'>
	section    string // heading in Example
	about      string // what the setting does, for Example; lines split on \n
	// sample is a value in file syntax, shown commented out in Example, for
	// settings that have no default worth writing down.
	sample string
}

// keys lists every setting, in Example's order.
var keys = []keyInfo{
	{name: "db-uri", section: "Database", about: "How to reach PostgreSQL: a libpq URI such as\n\"postgres://authenticator:password@localhost:5432/mydb\" or a key=value string;\nparts left out come from the PG* environment variables. \"@path\" reads it\nfrom a file."},
	{name: "db-schemas", aliases: []string{"db-schema"}, inDB: true, section: "Database", about: "Comma-separated schemas the API exposes; the first is the default one.\nClients pick another with the Accept-Profile / Content-Profile headers."},
	{name: "db-anon-role", inDB: true, section: "Database", about: "Role for requests without a JWT. Unset: such requests are refused.", sample: `"anon"`},
	{name: "db-extra-search-path", inDB: true, section: "Database", about: "Schemas added to the search_path of every request (e.g. where extensions\nlive). They get no endpoints. \"\" adds none."},
	{name: "db-max-rows", aliases: []string{"max-rows"}, inDB: true, section: "Database", about: "Upper bound on the rows a read returns. Unset or 0: no bound.", sample: `1000`},
	{name: "db-pre-request", aliases: []string{"pre-request"}, inDB: true, section: "Database", about: "Function called in every request's transaction after the role is set,\nbefore the query; it may raise to refuse the request.", sample: `"public.check_request"`},
	{name: "db-root-spec", aliases: []string{"root-spec"}, inDB: true, section: "Database", about: "Function whose result replaces the OpenAPI document at the root path.", sample: `"root"`},
	{name: "db-tx-end", inDB: true, section: "Database", about: "How request transactions end: commit, commit-allow-override, rollback or\nrollback-allow-override (the -allow-override forms obey Prefer: tx=...)."},
	{name: "db-prepared-statements", inDB: true, section: "Database", about: "Prepare statements on the server. Turn off behind a transaction-mode\nconnection pooler (e.g. PgBouncer)."},
	{name: "db-aggregates-enabled", inDB: true, section: "Database", about: "Allow aggregate functions (count(), sum(), ...) in select=. Guard large\ntables with statement timeouts before turning this on."},
	{name: "db-plan-enabled", inDB: true, section: "Database", about: "Answer Accept: application/vnd.pgrst.plan with the EXPLAIN of the query."},
	{name: "db-hoisted-tx-settings", inDB: true, section: "Database", about: "Function settings (SET clauses) that are applied to the whole transaction\nwhen such a function is called over /rpc."},
	{name: "db-channel", section: "Database", about: "NOTIFY channel listened on for 'reload schema' and 'reload config'."},
	{name: "db-channel-enabled", section: "Database", about: "Listen on db-channel at all."},
	{name: "db-config", section: "Database", about: "Read pgrst.* settings from the database (see db-pre-config); they win over\nthe file and the environment."},
	{name: "db-pre-config", inDB: true, section: "Database", about: "Function that sets pgrst.* settings with set_config(); run when the\nconfiguration is (re)loaded and db-config is on.", sample: `"postgrest.pre_config"`},

	{name: "db-pool", section: "Connection pool", about: "Most connections kept open to PostgreSQL."},
	{name: "db-pool-acquisition-timeout", section: "Connection pool", about: "Seconds a request waits for a free connection before it fails (504)."},
	{name: "db-pool-max-lifetime", section: "Connection pool", about: "Seconds after which a connection is closed and replaced."},
	{name: "db-pool-max-idletime", aliases: []string{"db-pool-timeout"}, aliasFirst: true, section: "Connection pool", about: "Seconds an unused connection stays open."},
	{name: "db-pool-automatic-recovery", section: "Connection pool", about: "Keep retrying when the database goes away, instead of exiting."},

	{name: "jwt-secret", inDB: true, section: "Authentication", about: "HMAC secret (32 characters at least), or a JSON Web Key or key set, to\nverify JWTs with. \"@path\" reads it from a file. Unset: JWTs are refused.", sample: `"reallyreallyreallyreallyverysafe"`},
	{name: "jwt-secret-is-base64", aliases: []string{"secret-is-base64"}, inDB: true, section: "Authentication", about: "jwt-secret is base64 (URL-safe characters accepted); it is decoded first."},
	{name: "jwt-aud", inDB: true, section: "Authentication", about: "Audience a JWT's aud claim must contain. A value with ':' must be a URI.", sample: `"https://api.example.com"`},
	{name: "jwt-role-claim-key", aliases: []string{"role-claim-key"}, inDB: true, section: "Authentication", about: "JSON path (RFC 9535) to the role inside the JWT claims. In this file\n$ is written $$."},
	{name: "jwt-cache-max-entries", inDB: true, section: "Authentication", about: "How many verified JWTs to remember; 0 turns the cache off."},

	{name: "server-host", section: "Server", about: "Address to listen on. Besides host names and addresses: * (any),\n*4 (any, IPv4 first), !4 (any IPv4), *6 (any, IPv6 first), !6 (any IPv6)."},
	{name: "server-port", section: "Server", about: "TCP port to listen on; 0 picks a free one."},
	{name: "server-reuseport", section: "Server", about: "Set SO_REUSEPORT so several processes can share server-port."},
	{name: "server-unix-socket", section: "Server", about: "Listen on this unix socket instead of host and port.", sample: `"/tmp/restgres.sock"`},
	{name: "server-unix-socket-mode", section: "Server", about: "Octal file mode of server-unix-socket, between 600 and 777."},
	{name: "server-cors-allowed-origins", inDB: true, section: "Server", about: "Comma-separated origins CORS requests may come from. Unset: any origin.", sample: `"https://example.com, https://www.example.com"`},
	{name: "server-trace-header", inDB: true, section: "Server", about: "Request header copied to the response, to follow a request through logs.", sample: `"X-Request-Id"`},
	{name: "server-timing-enabled", inDB: true, section: "Server", about: "Send a Server-Timing header with the time spent in each stage."},
	{name: "server-max-body-size", section: "Server", about: "restgres extension, not a PostgREST setting: largest request body in bytes\n(larger ones get 413). 0: no limit."},
	{name: "client-error-verbosity", inDB: true, section: "Server", about: "\"verbose\" error bodies carry code, message, details and hint; \"minimal\"\nones only code and message."},
	{name: "url-use-legacy-target-names", inDB: true, section: "Server", about: "Allow filters, orders and limits on an aliased embedding to use the\ntable name instead of the alias (deprecated PostgREST behaviour)."},

	{name: "admin-server-host", section: "Admin server", about: "Address of the admin server (/live, /ready, /metrics). Unset: server-host."},
	{name: "admin-server-port", section: "Admin server", about: "Port of the admin server, which runs only when this is set. It must differ\nfrom server-port.", sample: `3001`},
	{name: "admin-server-unix-socket", section: "Admin server", about: "Unix socket for the admin server instead of host and port.", sample: `"/tmp/restgres-admin.sock"`},
	{name: "admin-server-unix-socket-mode", section: "Admin server", about: "Octal file mode of admin-server-unix-socket, between 600 and 777."},

	{name: "openapi-mode", inDB: true, section: "OpenAPI", about: "follow-privileges (show what the role may use), ignore-privileges (show\neverything) or disabled (the root path answers 404)."},
	{name: "openapi-security-active", inDB: true, section: "OpenAPI", about: "Describe JWT bearer authentication in the OpenAPI document."},
	{name: "openapi-server-proxy-uri", inDB: true, section: "OpenAPI", about: "Public http(s) URL of the API when behind a proxy, used in the OpenAPI\ndocument. No query string or user info.", sample: `"https://example.com/api"`},

	{name: "log-level", section: "Logging", about: "crit, error, warn, info or debug."},
	{name: "log-query", section: "Logging", about: "Also log each request's SQL at log-level."},
}

// appSettingsPrefix starts the keys of free-form settings that every request
// sets as transaction-local GUCs (current_setting('app.settings.x')).
const appSettingsPrefix = "app.settings."

// ignoredKeys are accepted and ignored: internal PostgREST test knobs.
var ignoredKeys = map[string]bool{
	"internal-schema-cache-query-sleep":                true,
	"internal-schema-cache-query-sleep-before-queries": true,
}

// retiredKeys are settings older PostgREST versions had. PostgREST v16
// ignores every unknown key; we refuse unknown keys to catch typos, but
// accept these with a warning so that old files still start.
var retiredKeys = map[string]string{
	"db-use-legacy-gucs":     "removed in PostgREST 12",
	"raw-media-types":        "removed in PostgREST 12",
	"jwt-cache-max-lifetime": "replaced by jwt-cache-max-entries in PostgREST 14",
	"server-proxy-uri":       "renamed openapi-server-proxy-uri in PostgREST 7",
}

// keyNames maps every accepted name, aliases included, to its keyInfo.
var keyNames = func() map[string]*keyInfo {
	m := map[string]*keyInfo{}
	for i := range keys {
		m[keys[i].name] = &keys[i]
		for _, a := range keys[i].aliases {
			m[a] = &keys[i]
		}
	}
	return m
}()

// envName is the environment variable of a key: PGRST_ then the key in
// upper case with '-' as '_' (PostgREST's rule).
func envName(key string) string {
	return "PGRST_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// dbName is the in-database name of a key without its "pgrst." prefix.
func dbName(key string) string { return strings.ReplaceAll(key, "-", "_") }

// envKeys maps PGRST_* names back to keys, aliases and ignored keys too.
var envKeys = func() map[string]string {
	m := map[string]string{}
	for name := range keyNames {
		m[envName(name)] = name
	}
	for name := range ignoredKeys {
		m[envName(name)] = name
	}
	return m
}()

// envAppSettingsPrefix starts environment variables for app.settings.*.
const envAppSettingsPrefix = "PGRST_APP_SETTINGS_"

// DatabaseSettingNames lists the settings that may come from the database,
// as the names QueryDatabaseSettings returns them (without "pgrst."). They
// are PostgREST's list, except that jwt_cache_max_entries replaces
// PostgREST's jwt_cache_max_lifetime, a leftover name its parser no longer
// reads; the documentation names jwt_cache_max_entries.
func DatabaseSettingNames() []string {
	var names []string
	for _, k := range keys {
		if k.inDB {
			names = append(names, dbName(k.name))
		}
	}
	return names
}
