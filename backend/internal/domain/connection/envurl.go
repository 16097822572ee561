package connection

import "github.com/neosyncio/neosync/backend/pkg/sqlconnect"

// EnvURLs is how the API treats connections that name their URL with
// url_from_env: the worker reads the variable when a job runs, and the
// API reads its own copy, if it has one, for checks, schema reads and the
// data streams of `neosync sync`.
type EnvURLs struct {
	// Allowed lets accounts save such connections. On an instance with
	// several accounts any of them could name any NEOSYNC_URL_* variable,
	// so it is off there unless the operator turns it on.
	Allowed bool
	// Lookup reads the API's environment (restricted to NEOSYNC_URL_*);
	// nil reads nothing.
	Lookup func(string) (string, bool)
}

// resolve fills in cfg's URL from the API's environment. A variable the
// API does not have is a *sqlconnect.ConfigError that says the worker
// resolves it at run time.
func (e EnvURLs) resolve(cfg sqlconnect.Config) (sqlconnect.Config, error) {
	if cfg.URLFromEnv == "" {
		return cfg, nil
	}
	lookup := e.Lookup
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	if v, ok := lookup(cfg.URLFromEnv); !ok || v == "" {
		return cfg, &sqlconnect.ConfigError{Field: "url_from_env", Reason: cfg.URLFromEnv + " is not set on the API, so it cannot connect from here; the worker reads it when a job runs (set it on the API too for checks, the schema view and neosync sync)"}
	}
	return cfg.FromEnv(lookup)
}
