package lookup

import (
	"context"
	"fmt"
	"strings"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
)

// runPages bounds how many pages of an account's runs a short id is
// looked up in (newest first), so a typo does not walk a whole history.
const runPages = 20

// IsRunPrefix reports whether s can be the start of a run id: at least 4
// characters of lower- or upper-case hex and dashes, not a whole UUID.
func IsRunPrefix(s string) bool {
	if len(s) < 4 || len(s) >= 36 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return false
		}
	}
	return true
}

// MatchRuns returns the ids of runs that start with prefix (case-
// insensitive).
func MatchRuns(runs []*mgmtv1alpha1.JobRun, prefix string) []string {
	prefix = strings.ToLower(prefix)
	var out []string
	for _, r := range runs {
		if strings.HasPrefix(strings.ToLower(r.GetId()), prefix) {
			out = append(out, r.GetId())
		}
	}
	return out
}

// RunID turns what a user typed for a run — its id, or the short id the
// web app and `runs list` print (a prefix of it) — into the run's id. A
// prefix is looked up among the account's runs, newest first; anything
// else is passed on for the API to judge.
func RunID(ctx context.Context, c *apiclient.Client, accountID, idOrPrefix string) (string, error) {
	if _, err := uuid.Parse(idOrPrefix); err == nil || !IsRunPrefix(idOrPrefix) {
		return idOrPrefix, nil
	}
	var matches []string
	req := &mgmtv1alpha1.GetJobRunsRequest{PageSize: 500, Id: &mgmtv1alpha1.GetJobRunsRequest_AccountId{AccountId: accountID}}
	for range runPages {
		resp, err := c.Jobs.GetJobRuns(ctx, connect.NewRequest(req))
		if err != nil {
			return "", err
		}
		matches = append(matches, MatchRuns(resp.Msg.GetJobRuns(), idOrPrefix)...)
		if req.PageToken = resp.Msg.GetNextPageToken(); req.PageToken == "" {
			break
		}
	}
	switch len(matches) {
	case 0:
		return "", exitcode.NotFoundf("no run has an id starting with %q", idOrPrefix)
	case 1:
		return matches[0], nil
	}
	return "", exitcode.Usage(fmt.Errorf("%q starts the ids of %d runs (%s); give more of the id", idOrPrefix, len(matches), strings.Join(matches[:min(3, len(matches))], ", ")))
}
