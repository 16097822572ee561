// Package config locates, reads and writes the CLI's configuration file and
// resolves the settings a command runs with. Precedence, highest first:
// command-line flags, environment variables (NEOSYNC_API_URL,
// NEOSYNC_API_KEY), the configuration file, built-in defaults.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Environment variables the CLI reads.
const (
	EnvConfigDir  = "NEOSYNC_CONFIG_DIR"
	EnvAPIURL     = "NEOSYNC_API_URL"
	EnvAPIKey     = "NEOSYNC_API_KEY"
	EnvXDGConfig  = "XDG_CONFIG_HOME"
	DefaultAPIURL = "http://127.0.0.1:8080"
	// FileName is the configuration file inside the configuration directory.
	FileName = "config.yaml"
)

// File is the configuration file's content. It holds an API key, so it is
// written with mode 0600 in a directory with mode 0700.
type File struct {
	// APIURL is the API the key belongs to (set by `neosync login`).
	APIURL string `yaml:"api_url,omitempty"`
	// APIKey is the account API key stored by `neosync login`.
	APIKey string `yaml:"api_key,omitempty"`
	// AccountID and AccountName record the account chosen by
	// `neosync accounts switch` (or at login when there is only one).
	AccountID   string `yaml:"account_id,omitempty"`
	AccountName string `yaml:"account_name,omitempty"`
}

// Dir returns the configuration directory: $NEOSYNC_CONFIG_DIR, else
// $XDG_CONFIG_HOME/neosync, else ~/.neosync.
func Dir(getenv func(string) string) (string, error) {
	if d := strings.TrimSpace(getenv(EnvConfigDir)); d != "" {
		return d, nil
	}
	if x := strings.TrimSpace(getenv(EnvXDGConfig)); x != "" {
		return filepath.Join(x, "neosync"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find a configuration directory: set %s", EnvConfigDir)
		}
		home = h
	}
	return filepath.Join(home, ".neosync"), nil
}

// Load reads the file in dir; a missing file is an empty File.
func Load(dir string) (File, error) {
	path := filepath.Join(dir, FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", path, err)
	}
	var f File
	if err := yaml.Unmarshal(b, &f); err != nil {
		return File{}, fmt.Errorf("%s is not valid YAML: %s", path, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return f, nil
}

// Save writes f to dir atomically with mode 0600, creating dir with mode 0700.
func Save(dir string, f File) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	b, err := yaml.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("write configuration in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close() // the write already failed
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close() // the write already failed
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	path := filepath.Join(dir, FileName)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
