// Package session holds what every command runs with: where output goes, the
// environment, the resolved settings (API URL, key, account) and the API
// client built from them. Commands receive a *Session instead of reading
// globals, so tests can inject writers and environments.
package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/term"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/config"
	"github.com/neosyncio/neosync/cli/internal/oidclogin"
)

// Session is the shared dependency of every command.
type Session struct {
	// Out receives command output; Err receives warnings and progress.
	Out io.Writer
	Err io.Writer
	// In is read by commands that accept input on stdin (login --api-key -).
	In io.Reader
	// LookupEnv reads the environment (os.LookupEnv outside tests).
	LookupEnv func(string) (string, bool)
	// HTTPClient carries API calls; nil means apiclient.DefaultHTTPClient.
	HTTPClient connect.HTTPClient
	// Overrides are the global flags (--api-url, --account), set by root.
	Overrides config.Overrides

	settings *config.Settings
	client   *apiclient.Client
	accounts []*mgmtv1alpha1.UserAccount
}

// New returns a session over the process's standard streams and environment.
func New() *Session {
	return &Session{Out: os.Stdout, Err: os.Stderr, In: os.Stdin, LookupEnv: os.LookupEnv}
}

// Getenv returns an environment variable, "" when unset.
func (s *Session) Getenv(key string) string {
	v, _ := s.LookupEnv(key)
	return v
}

// Settings resolves (once) the configuration directory, file and settings.
func (s *Session) Settings() (config.Settings, error) {
	if s.settings != nil {
		return *s.settings, nil
	}
	dir, err := config.Dir(s.Getenv)
	if err != nil {
		return config.Settings{}, err
	}
	f, err := config.Load(dir)
	if err != nil {
		return config.Settings{}, err
	}
	st, err := config.Resolve(dir, f, s.Getenv, s.Overrides)
	if err != nil {
		return config.Settings{}, err
	}
	s.settings = &st
	return st, nil
}

// Client returns the API client for the resolved settings.
func (s *Session) Client() (*apiclient.Client, error) {
	if s.client != nil {
		return s.client, nil
	}
	st, err := s.Settings()
	if err != nil {
		return nil, err
	}
	bearer := st.APIKey
	if bearer == "" {
		// No key: the person's sign-in from `neosync login`, if any,
		// refreshed when its ID token has expired.
		tok, ok, err := oidclogin.Load(st.Dir)
		if err != nil {
			return nil, err
		}
		if ok {
			if bearer, err = oidclogin.Fresh(context.Background(), nil, st.Dir, tok, time.Now()); err != nil {
				return nil, err
			}
		}
	}
	s.client = apiclient.New(s.httpClient(), st.APIURL, bearer)
	return s.client, nil
}

// ClientFor returns a client for an explicit URL and key (login checks a key
// before storing it).
func (s *Session) ClientFor(url, key string) *apiclient.Client {
	return apiclient.New(s.httpClient(), url, key)
}

func (s *Session) httpClient() connect.HTTPClient {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	return apiclient.DefaultHTTPClient()
}

// Accounts lists (once) the accounts the caller may use.
func (s *Session) Accounts(ctx context.Context) ([]*mgmtv1alpha1.UserAccount, error) {
	if s.accounts != nil {
		return s.accounts, nil
	}
	c, err := s.Client()
	if err != nil {
		return nil, err
	}
	resp, err := c.Users.GetUserAccounts(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserAccountsRequest{}))
	if err != nil {
		return nil, err
	}
	s.accounts = resp.Msg.GetAccounts()
	return s.accounts, nil
}

// Account returns the account commands act in: --account, else the one
// stored by `neosync accounts switch`, else the only account, else the
// personal account.
func (s *Session) Account(ctx context.Context) (*mgmtv1alpha1.UserAccount, error) {
	st, err := s.Settings()
	if err != nil {
		return nil, err
	}
	accts, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	if st.Account != "" {
		if a := FindAccount(accts, st.Account); a != nil {
			return a, nil
		}
		if s.Overrides.Account != "" {
			return nil, fmt.Errorf("no account named %q for this caller (see neosync accounts list)", st.Account)
		}
		name := st.File.AccountName
		if name == "" {
			name = st.Account
		}
		return nil, fmt.Errorf("the selected account %q is not available with these credentials: run neosync accounts switch NAME", name)
	}
	return DefaultAccount(accts)
}

// DefaultAccount picks the account used when none is selected: the only
// one, else the personal one.
func DefaultAccount(accts []*mgmtv1alpha1.UserAccount) (*mgmtv1alpha1.UserAccount, error) {
	if len(accts) == 1 {
		return accts[0], nil
	}
	for _, a := range accts {
		if a.GetType() == mgmtv1alpha1.UserAccountType_USER_ACCOUNT_TYPE_PERSONAL {
			return a, nil
		}
	}
	if len(accts) == 0 {
		return nil, fmt.Errorf("these credentials give access to no account")
	}
	return nil, fmt.Errorf("%d accounts are available: choose one with neosync accounts switch NAME", len(accts))
}

// FindAccount finds an account by id or by name (case-insensitive).
func FindAccount(accts []*mgmtv1alpha1.UserAccount, nameOrID string) *mgmtv1alpha1.UserAccount {
	for _, a := range accts {
		if a.GetId() == nameOrID {
			return a
		}
	}
	for _, a := range accts {
		if strings.EqualFold(a.GetName(), nameOrID) {
			return a
		}
	}
	return nil
}

// IsTerminal reports whether w is a terminal that can redraw (not
// TERM=dumb) and CI is not set, i.e. whether a live, redrawn view is
// appropriate. The CLI prints no colours, so NO_COLOR needs nothing more.
func (s *Session) IsTerminal(w io.Writer) bool {
	if s.Getenv("CI") != "" || s.Getenv("GITHUB_ACTIONS") != "" || s.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// SaveFile writes the configuration file and forgets cached settings.
func (s *Session) SaveFile(f config.File) error {
	st, err := s.Settings()
	if err != nil {
		return err
	}
	if err := config.Save(st.Dir, f); err != nil {
		return err
	}
	s.settings, s.client, s.accounts = nil, nil, nil
	return nil
}

// ClientAndAccount returns the API client and the account to act in.
func (s *Session) ClientAndAccount(ctx context.Context) (*apiclient.Client, *mgmtv1alpha1.UserAccount, error) {
	c, err := s.Client()
	if err != nil {
		return nil, nil, err
	}
	a, err := s.Account(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// LiveWidth is the terminal width when w is a terminal suited to a live
// view, and 0 when plain lines are needed (a pipe, a file, CI).
func (s *Session) LiveWidth(w io.Writer) int {
	if !s.IsTerminal(w) {
		return 0
	}
	width, _, err := term.GetSize(int(w.(*os.File).Fd()))
	if err != nil || width <= 0 {
		return 80
	}
	return width
}
