// Package describe turns API messages into the short words and phrases the
// CLI's tables show: an account's type, a connection's kind and target, a
// run's status. Secrets never reach it unmasked: the API masks them on read.
package describe

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// AccountType is "personal" or "team".
func AccountType(a *mgmtv1alpha1.UserAccount) string {
	if a.GetType() == mgmtv1alpha1.UserAccountType_USER_ACCOUNT_TYPE_PERSONAL {
		return "personal"
	}
	return "team"
}

// Role is the caller's role in an account as people say it: "admin",
// "job developer", "job executor", "job viewer" ("" when unknown).
func Role(r mgmtv1alpha1.AccountRole) string {
	if r == mgmtv1alpha1.AccountRole_ACCOUNT_ROLE_UNSPECIFIED {
		return ""
	}
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(r.String(), "ACCOUNT_ROLE_"), "_", " "))
}

// ConnectionType is "postgres", "mysql" or "s3".
func ConnectionType(c *mgmtv1alpha1.ConnectionConfig) string {
	switch c.GetConfig().(type) {
	case *mgmtv1alpha1.ConnectionConfig_PgConfig:
		return "postgres"
	case *mgmtv1alpha1.ConnectionConfig_MysqlConfig:
		return "mysql"
	case *mgmtv1alpha1.ConnectionConfig_AwsS3Config:
		return "s3"
	}
	return "unknown"
}

// ConnectionTarget is "user@host:port/database" (no password), for tables.
func ConnectionTarget(c *mgmtv1alpha1.ConnectionConfig) string {
	switch cfg := c.GetConfig().(type) {
	case *mgmtv1alpha1.ConnectionConfig_PgConfig:
		if u := cfg.PgConfig.GetUrl(); u != "" {
			return urlTarget(u)
		}
		if e := cfg.PgConfig.GetUrlFromEnv(); e != "" {
			return "$" + e
		}
		conn := cfg.PgConfig.GetConnection()
		return target(conn.GetUser(), conn.GetHost(), conn.GetPort(), conn.GetName())
	case *mgmtv1alpha1.ConnectionConfig_MysqlConfig:
		if u := cfg.MysqlConfig.GetUrl(); u != "" {
			return urlTarget(u)
		}
		if e := cfg.MysqlConfig.GetUrlFromEnv(); e != "" {
			return "$" + e
		}
		conn := cfg.MysqlConfig.GetConnection()
		return target(conn.GetUser(), conn.GetHost(), conn.GetPort(), conn.GetName())
	case *mgmtv1alpha1.ConnectionConfig_AwsS3Config:
		s3 := cfg.AwsS3Config
		return "s3://" + s3.GetBucket() + "/" + s3.GetPathPrefix()
	}
	return ""
}

func target(user, host string, port int32, db string) string {
	s := host
	if port != 0 {
		s = net.JoinHostPort(host, strconv.Itoa(int(port)))
	}
	if user != "" {
		s = user + "@" + s
	}
	return s + "/" + db
}

// urlTarget strips the scheme, password and query from a URL or DSN.
func urlTarget(raw string) string {
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "(unparsable URL)"
		}
		s := u.Host + u.Path
		if u.User != nil {
			s = u.User.Username() + "@" + s
		}
		return s
	}
	// go-sql-driver DSN user:pass@tcp(host:port)/db or key=value DSN.
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		user, _, _ := strings.Cut(raw[:at], ":")
		rest, _, _ := strings.Cut(raw[at+1:], "?")
		return user + "@" + rest
	}
	var host, port, db, user string
	for _, kv := range strings.Fields(raw) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "host":
			host = v
		case "port":
			port = v
		case "dbname":
			db = v
		case "user":
			user = v
		}
	}
	p, _ := strconv.Atoi(port)
	return target(user, host, int32(p), db)
}

// RunStatus is a run's status in lower case ("running", "failed").
func RunStatus(s mgmtv1alpha1.JobRunStatus) string {
	name := strings.TrimPrefix(s.String(), "JOB_RUN_STATUS_")
	return strings.ToLower(name)
}

// IsTerminal reports whether a run in status s will not change again.
func IsTerminal(s mgmtv1alpha1.JobRunStatus) bool {
	switch s {
	case mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_COMPLETE, mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_FAILED,
		mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_CANCELED, mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_TERMINATED:
		return true
	}
	return false
}

// JobType is "sync" or "generate".
func JobType(j *mgmtv1alpha1.Job) string {
	switch j.GetType() {
	case mgmtv1alpha1.JobType_JOB_TYPE_SYNC:
		return "sync"
	case mgmtv1alpha1.JobType_JOB_TYPE_GENERATE:
		return "generate"
	}
	return "unknown"
}

// JobSourceConnectionID is the connection a job reads (or takes its schema from).
func JobSourceConnectionID(j *mgmtv1alpha1.Job) string {
	if s := j.GetSource().GetSync(); s != nil {
		return s.GetConnectionId()
	}
	return j.GetSource().GetGenerate().GetFkSourceConnectionId()
}

// Name returns names[id], or the id itself when the name is unknown.
func Name(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

// Count is "1 table" / "3 tables".
func Count(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
