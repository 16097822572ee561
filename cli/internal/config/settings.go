package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Settings is what a command connects with, after precedence is applied.
type Settings struct {
	// Dir is the configuration directory and File its content.
	Dir  string
	File File
	// APIURL is the API's base URL, without a trailing slash.
	APIURL string
	// APIURLSource says where APIURL came from, for whoami.
	APIURLSource string
	// APIKey is empty when no key is configured (single-user mode).
	APIKey string
	// APIKeySource says where APIKey came from, for whoami.
	APIKeySource string
	// Account is the account name or id asked for with --account, else the
	// one stored in the file; empty means "the only account".
	Account string
}

// Overrides are the values given on the command line; empty means unset.
type Overrides struct {
	APIURL  string
	Account string
}

// Resolve applies precedence: overrides, then the environment, then the
// file, then defaults. It validates the URL so a typo fails before any call.
func Resolve(dir string, f File, getenv func(string) string, o Overrides) (Settings, error) {
	s := Settings{Dir: dir, File: f}
	switch {
	case o.APIURL != "":
		s.APIURL, s.APIURLSource = o.APIURL, "--api-url"
	case strings.TrimSpace(getenv(EnvAPIURL)) != "":
		s.APIURL, s.APIURLSource = strings.TrimSpace(getenv(EnvAPIURL)), EnvAPIURL
	case f.APIURL != "":
		s.APIURL, s.APIURLSource = f.APIURL, "config file"
	default:
		s.APIURL, s.APIURLSource = DefaultAPIURL, "default"
	}
	u, err := NormalizeURL(s.APIURL)
	if err != nil {
		return s, fmt.Errorf("%s (from %s)", err, s.APIURLSource)
	}
	s.APIURL = u
	switch {
	case strings.TrimSpace(getenv(EnvAPIKey)) != "":
		s.APIKey, s.APIKeySource = strings.TrimSpace(getenv(EnvAPIKey)), EnvAPIKey
	case f.APIKey != "":
		s.APIKey, s.APIKeySource = f.APIKey, "config file"
	default:
		s.APIKeySource = "none"
	}
	s.Account = o.Account
	if s.Account == "" {
		s.Account = f.AccountID
	}
	return s, nil
}

// NormalizeURL checks that raw is an http(s) URL with a host and returns it
// without a trailing slash.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("API URL %q is not an http:// or https:// URL with a host (e.g. %s)", raw, DefaultAPIURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("API URL %q must not carry credentials; use an API key", u.Redacted())
	}
	return strings.TrimRight(u.String(), "/"), nil
}
