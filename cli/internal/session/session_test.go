package session

import (
	"strings"
	"testing"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

func acct(id, name string, personal bool) *mgmtv1alpha1.UserAccount {
	t := mgmtv1alpha1.UserAccountType_USER_ACCOUNT_TYPE_TEAM
	if personal {
		t = mgmtv1alpha1.UserAccountType_USER_ACCOUNT_TYPE_PERSONAL
	}
	return &mgmtv1alpha1.UserAccount{Id: id, Name: name, Type: t}
}

func TestDefaultAccount(t *testing.T) {
	t.Parallel()
	team, other, personal := acct("1", "team", false), acct("2", "other", false), acct("3", "personal", true)
	tests := []struct {
		name    string
		accts   []*mgmtv1alpha1.UserAccount
		want    string
		wantErr string
	}{
		{"only account", []*mgmtv1alpha1.UserAccount{team}, "1", ""},
		{"personal among several", []*mgmtv1alpha1.UserAccount{team, personal}, "3", ""},
		{"several teams", []*mgmtv1alpha1.UserAccount{team, other}, "", "2 accounts are available: choose one with neosync accounts switch NAME"},
		{"none", nil, "", "no account"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := DefaultAccount(tc.accts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || a.GetId() != tc.want {
				t.Fatalf("got %v, %v", a, err)
			}
		})
	}
}

func TestFindAccount(t *testing.T) {
	t.Parallel()
	accts := []*mgmtv1alpha1.UserAccount{acct("id-1", "Team", false), acct("team", "other", false)}
	if a := FindAccount(accts, "team"); a.GetId() != "team" {
		t.Errorf("an id match wins over a name match: %v", a)
	}
	if a := FindAccount(accts, "OTHER"); a.GetId() != "team" {
		t.Errorf("names match case-insensitively: %v", a)
	}
	if a := FindAccount(accts, "nope"); a != nil {
		t.Errorf("found %v", a)
	}
}
