package login

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/config"
	"github.com/neosyncio/neosync/cli/internal/oidclogin"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// runOIDC signs the person in at the API's identity provider.
func runOIDC(ctx context.Context, s *session.Session, f *flags) error {
	st, err := s.Settings()
	if err != nil {
		return err
	}
	sys, err := s.ClientFor(st.APIURL, "").Users.GetSystemInformation(ctx, connect.NewRequest(&mgmtv1alpha1.GetSystemInformationRequest{}))
	if err != nil {
		return fmt.Errorf("login failed: cannot ask the API at %s how to sign in: %w", st.APIURL, err)
	}
	switch mode := sys.Msg.GetAuthMode(); {
	case mode == "none":
		return fmt.Errorf("the API at %s runs in single-user mode and needs no login", st.APIURL)
	case mode != "oidc" && f.issuer == "":
		return fmt.Errorf("the API at %s runs in %s mode: log in with --api-key", st.APIURL, mode)
	}
	flow := oidclogin.Flow{Issuer: first(f.issuer, sys.Msg.GetOidcIssuer()), ClientID: first(f.clientID, sys.Msg.GetOidcCliClientId())}
	if flow.ClientID == "" {
		return errors.New("the API names no OIDC client for the CLI (NEOSYNC_OIDC_CLI_CLIENT_ID): pass --client-id")
	}
	flow.Show = func(url string) {
		fmt.Fprintf(s.Err, "Sign in at your identity provider:\n  %s\n", url)
		if !f.noBrowser {
			_ = openBrowser(url)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	tok, err := flow.Run(wctx)
	if err != nil {
		return fmt.Errorf("login failed: %w", err)
	}
	c := s.ClientFor(st.APIURL, tok.IDToken)
	user, err := c.Users.SetUser(ctx, connect.NewRequest(&mgmtv1alpha1.SetUserRequest{AccessToken: tok.AccessToken}))
	if err != nil {
		return fmt.Errorf("login failed: the API refused the sign-in: %w", err)
	}
	acctResp, err := c.Users.GetUserAccounts(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserAccountsRequest{}))
	if err != nil {
		return fmt.Errorf("login failed: %w", err)
	}
	if err := oidclogin.Save(st.Dir, tok); err != nil {
		return err
	}
	// A stored key would take precedence over the sign-in: drop it.
	file := config.File{APIURL: st.APIURL}
	acct, acctErr := session.DefaultAccount(acctResp.Msg.GetAccounts())
	if acctErr == nil {
		file.AccountID, file.AccountName = acct.GetId(), acct.GetName()
	}
	if err := s.SaveFile(file); err != nil {
		return err
	}
	u := user.Msg.GetUser()
	fmt.Fprintf(s.Out, "Logged in to %s as %s", st.APIURL, u.GetDisplayName())
	if u.GetEmail() != "" {
		fmt.Fprintf(s.Out, " <%s>", u.GetEmail())
	}
	fmt.Fprintln(s.Out, ".")
	if acctErr == nil {
		fmt.Fprintf(s.Out, "Account: %s\n", acct.GetName())
	} else {
		fmt.Fprintf(s.Out, "Choose an account with neosync accounts switch NAME (%s).\n", acctErr)
	}
	return nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// openBrowser opens url in the desktop's browser, when there is one.
func openBrowser(url string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	cmd := exec.Command(name, url)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
