package sqlconnect

import (
	"fmt"
	"regexp"
)

// EnvURLPrefix starts the name of every environment variable a connection
// may read its URL from (url_from_env). The prefix keeps a tenant from
// naming the process's other variables — NEOSYNC_API_KEY, PGPASSWORD,
// cloud credentials — as a "URL" whose value an error might echo.
const EnvURLPrefix = "NEOSYNC_URL_"

var envURLName = regexp.MustCompile(`^` + EnvURLPrefix + `[A-Z0-9_]{1,64}$`)

// ValidEnvURLName reports whether name may be used as url_from_env.
func ValidEnvURLName(name string) bool { return envURLName.MatchString(name) }

// validateEnvURL checks a configuration that reads its URL from the
// environment: a valid variable name and nothing else that says where to
// connect, since the variable's URL replaces it all at run time.
func (c Config) validateEnvURL() error {
	if !ValidEnvURLName(c.URLFromEnv) {
		return &ConfigError{Field: "url_from_env", Reason: fmt.Sprintf("%q is not a valid name: it must be %s followed by 1–64 upper-case letters, digits or '_'", c.URLFromEnv, EnvURLPrefix)}
	}
	if c.URL != "" || c.Host != "" || c.User != "" || c.Password != "" || c.Database != "" || c.Port != 0 {
		return &ConfigError{Field: "url_from_env", Reason: "cannot be combined with a url or connection fields"}
	}
	return nil
}

// FromEnv returns c with its URL read from the environment through lookup
// when it names a url_from_env variable (and c unchanged otherwise). The
// worker and the CLI call it with os.LookupEnv just before opening; the
// value is never stored. A variable that is unset or empty is a
// *ConfigError naming the variable — never its value — and so is a value
// that is not a valid URL for the driver.
func (c Config) FromEnv(lookup func(string) (string, bool)) (Config, error) {
	if c.URLFromEnv == "" {
		return c, nil
	}
	if err := c.validateEnvURL(); err != nil {
		return c, err
	}
	v, ok := lookup(c.URLFromEnv)
	if !ok || v == "" {
		return c, &ConfigError{Field: "url_from_env", Reason: fmt.Sprintf("the environment variable %s is not set where this connection is opened (set it on every worker that runs the job, or on the machine running the CLI)", c.URLFromEnv)}
	}
	out := c
	out.URL, out.URLFromEnv = v, ""
	if _, err := out.dsn(); err != nil {
		if ce, ok := err.(*ConfigError); ok {
			return c, &ConfigError{Field: "url_from_env", Reason: "the value of " + c.URLFromEnv + ": " + ce.Reason, Err: ce.Err}
		}
		return c, err
	}
	return out, nil
}

// errEnvURLUnresolved is Open's answer for a configuration whose URL lives in
// an environment the caller did not resolve (the API's, by default).
func (c Config) errEnvURLUnresolved() error {
	return &ConfigError{Field: "url_from_env", Reason: fmt.Sprintf("the URL is read from %s on the worker at run time; it is not available here", c.URLFromEnv)}
}
