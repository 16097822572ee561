package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDirPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"NEOSYNC_CONFIG_DIR wins", map[string]string{EnvConfigDir: "/cfg", EnvXDGConfig: "/xdg", "HOME": "/home/u"}, "/cfg"},
		{"then XDG_CONFIG_HOME/neosync", map[string]string{EnvXDGConfig: "/xdg", "HOME": "/home/u"}, "/xdg/neosync"},
		{"then ~/.neosync", map[string]string{"HOME": "/home/u"}, "/home/u/.neosync"},
		{"blank values are unset", map[string]string{EnvConfigDir: "  ", "HOME": "/home/u"}, "/home/u/.neosync"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Dir(env(tc.env))
			if err != nil || got != tc.want {
				t.Fatalf("Dir = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestResolvePrecedence(t *testing.T) {
	t.Parallel()
	file := File{APIURL: "http://file:1", APIKey: "file-key", AccountID: "file-acct"}
	tests := []struct {
		name                string
		file                File
		env                 map[string]string
		over                Overrides
		wantURL, wantURLSrc string
		wantKey, wantKeySrc string
		wantAccount         string
	}{
		{"defaults", File{}, nil, Overrides{}, DefaultAPIURL, "default", "", "none", ""},
		{"file", file, nil, Overrides{}, "http://file:1", "config file", "file-key", "config file", "file-acct"},
		{"env over file", file, map[string]string{EnvAPIURL: "http://env:2/", EnvAPIKey: "env-key"}, Overrides{},
			"http://env:2", EnvAPIURL, "env-key", EnvAPIKey, "file-acct"},
		{"flags over env", file, map[string]string{EnvAPIURL: "http://env:2"}, Overrides{APIURL: "https://flag:3", Account: "team"},
			"https://flag:3", "--api-url", "file-key", "config file", "team"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Resolve("/d", tc.file, env(tc.env), tc.over)
			if err != nil {
				t.Fatal(err)
			}
			if s.APIURL != tc.wantURL || s.APIURLSource != tc.wantURLSrc || s.APIKey != tc.wantKey || s.APIKeySource != tc.wantKeySrc || s.Account != tc.wantAccount {
				t.Fatalf("got %+v", s)
			}
		})
	}
}

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"http://127.0.0.1:8080/":    "http://127.0.0.1:8080",
		" https://neosync.example ": "https://neosync.example",
		"http://h:1/prefix/":        "http://h:1/prefix",
	} {
		if got, err := NormalizeURL(raw); err != nil || got != want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, bad := range []string{"", "foo", "127.0.0.1:8080", "ftp://h", "http://", "http://u:p@h:1"} {
		if _, err := NormalizeURL(bad); err == nil {
			t.Errorf("NormalizeURL(%q) accepted", bad)
		}
	}
	if _, err := NormalizeURL("http://u:secret@h:1"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("credentials error leaks or is missing: %v", err)
	}
}

func TestSaveLoad(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "neosync")
	if f, err := Load(dir); err != nil || f != (File{}) {
		t.Fatalf("missing file: %+v, %v", f, err)
	}
	want := File{APIURL: "http://h:1", APIKey: "neo_ak_x", AccountID: "id", AccountName: "team"}
	if err := Save(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil || got != want {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s mode %v, want %v", path, st.Mode().Perm(), mode)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("api_url: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("bad YAML: %v", err)
	}
}
