package netpolicy

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestPolicyDecisions(t *testing.T) {
	t.Parallel()
	multi, err := Parse("", MultiAccountDeny)
	if err != nil {
		t.Fatal(err)
	}
	carve, err := Parse("10.1.2.0/24,db.internal", "all")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    *Policy
		host string
		ip   string
		want bool
	}{
		{nil, "", "127.0.0.1", true},
		{multi, "", "127.0.0.1", false},
		{multi, "", "127.5.5.5", false},
		{multi, "", "::1", false},
		{multi, "", "::ffff:127.0.0.1", false},
		{multi, "", "0.0.0.0", false},
		{multi, "", "169.254.169.254", false},
		{multi, "", "fd00:ec2::254", false},
		{multi, "", "fe80::1%eth0", false},
		{multi, "", "10.0.0.5", true},
		{multi, "", "93.184.216.34", true},
		{multi, "localhost", "10.0.0.5", false},
		{multi, "metadata.google.internal.", "10.0.0.5", false},
		{carve, "", "10.1.2.3", true},
		{carve, "", "10.1.3.3", false},
		{carve, "DB.internal", "192.0.2.1", true},
	} {
		if got := tc.p.AllowsAddr(tc.host, netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("AllowsAddr(%q, %s) = %v, want %v", tc.host, tc.ip, got, tc.want)
		}
	}
	var none *Policy
	if multi.AllowsUnix() || carve.AllowsUnix() || !none.AllowsUnix() {
		t.Errorf("unix sockets: multi-account %v, deny all %v, no policy %v", multi.AllowsUnix(), carve.AllowsUnix(), none.AllowsUnix())
	}
	for _, bad := range []string{"10.0.0.0/33", "not a host!", "300.1.1.1/8"} {
		var le *ListError
		if _, err := Parse(bad, ""); !errors.As(err, &le) {
			t.Errorf("Parse(%q) = %v, want a ListError", bad, err)
		}
	}
}

// TestDialChecksResolvedAddresses dials a name that resolves to loopback:
// the name itself is not denied, its address is.
func TestDialChecksResolvedAddresses(t *testing.T) {
	t.Parallel()
	port := loopbackPort(t)
	deny, _ := Parse("", "127.0.0.0/8,::1")
	d := &Dialer{Policy: deny}
	_, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort("localhost", port))
	var de *DialError
	if !errors.As(err, &de) || !de.Denied() {
		t.Fatalf("dial localhost under a loopback deny = %v, want denied", err)
	}
	c, err := (&Dialer{}).DialContext(context.Background(), "tcp", net.JoinHostPort("localhost", port))
	if err != nil {
		t.Fatalf("dial without policy: %v", err)
	}
	c.Close()
	_, err = (&Dialer{Policy: deny}).DialContext(context.Background(), "unix", "/tmp/x.sock")
	if err != nil && !errors.As(err, &de) {
		t.Fatalf("unix dial error %v is not a DialError", err)
	}
}

// TestDeniedNameDeniesItsAddresses checks that a host name on the deny
// list (a compose service such as "postgres") denies the addresses it
// resolves to, so a tenant cannot reach the service by its IP instead.
func TestDeniedNameDeniesItsAddresses(t *testing.T) {
	t.Parallel()
	port := loopbackPort(t)
	byName, _ := Parse("", "localhost")
	var de *DialError
	for _, host := range []string{"localhost", "127.0.0.1"} {
		_, err := (&Dialer{Policy: byName}).DialContext(context.Background(), "tcp", net.JoinHostPort(host, port))
		if !errors.As(err, &de) || !de.Denied() {
			t.Errorf("dial %s with localhost denied = %v, want denied", host, err)
		}
	}
	allowed, _ := Parse("127.0.0.1", "localhost")
	c, err := (&Dialer{Policy: allowed}).DialContext(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		t.Fatalf("an explicitly allowed address: %v", err)
	}
	c.Close()
}

// loopbackPort listens on 127.0.0.1 for the test's duration and returns
// the port, so a dial that the policy lets through connects.
func loopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
