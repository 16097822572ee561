package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// DialError is a connection that was refused by the policy or could not be
// made. Its message is the same in both cases and carries no operating
// system detail; Cause (never shown to users) holds the underlying error,
// nil when the policy refused.
type DialError struct {
	Addr  string
	Cause error
}

// Error describes the problem for people, identically for refused and
// unreachable addresses.
func (e *DialError) Error() string {
	return fmt.Sprintf("cannot connect to %s: the host is unreachable or not allowed by the API's connection policy", e.Addr)
}

// Unwrap returns the underlying cause (nil when the policy refused).
func (e *DialError) Unwrap() error { return e.Cause }

// Denied reports whether the policy, not the network, refused.
func (e *DialError) Denied() bool { return e.Cause == nil }

// Timeout reports false: callers classify a DialError by its type, and a
// timeout must not read differently from a refusal.
func (e *DialError) Timeout() bool { return false }

// Temporary reports false (see Timeout).
func (e *DialError) Temporary() bool { return false }

// Dialer dials through a Policy. The zero value allows everything.
type Dialer struct {
	Policy *Policy
	// Timeout bounds one dial attempt; zero means 10 s.
	Timeout time.Duration
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// DialContext connects to addr on network ("tcp", "tcp4", "tcp6" or
// "unix") when the policy allows it. A host name is resolved here and every
// address checked; the connection is made to a checked IP, never to the
// name, so a second resolution cannot change where it goes.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := net.Dialer{Timeout: d.Timeout, KeepAlive: 30 * time.Second}
	if nd.Timeout == 0 {
		nd.Timeout = 10 * time.Second
	}
	switch network {
	case "unix":
		if !d.Policy.AllowsUnix() {
			return nil, &DialError{Addr: "unix socket " + addr}
		}
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, &DialError{Addr: "unix socket " + addr, Cause: err}
		}
		return c, nil
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &DialError{Addr: addr, Cause: fmt.Errorf("network %q is not supported", network)}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &DialError{Addr: addr, Cause: err}
	}
	var ips []netip.Addr
	name := ""
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip.Unmap()}
	} else {
		name = host
		r := d.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		want := "ip"
		switch network {
		case "tcp4":
			want = "ip4"
		case "tcp6":
			want = "ip6"
		}
		resolved, err := r.LookupNetIP(ctx, want, host)
		if err != nil {
			return nil, &DialError{Addr: addr, Cause: err}
		}
		for _, ip := range resolved {
			ips = append(ips, ip.Unmap())
		}
	}
	// Every address must pass: a name that resolves to one allowed and one
	// denied address is refused, whichever the dial would have picked.
	for _, ip := range ips {
		if !d.Policy.AllowsAddr(name, ip) {
			return nil, &DialError{Addr: addr}
		}
	}
	if d.deniedByName(ctx, name, ips) {
		return nil, &DialError{Addr: addr}
	}
	var errs []error
	for _, ip := range ips {
		c, err := nd.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, &DialError{Addr: addr, Cause: errors.Join(errs...)}
}

// deniedByName reports whether one of ips is an address of a host name on
// the deny list (and not explicitly allowed): a name such as "postgres"
// denies the service, not only that spelling, so dialing its IP or
// another name for it is refused as well. Names are resolved on each dial,
// so a service that moves stays denied; a name that does not resolve
// denies nothing.
func (d *Dialer) deniedByName(ctx context.Context, name string, ips []netip.Addr) bool {
	hosts := d.Policy.deniedHosts()
	if len(hosts) == 0 {
		return false
	}
	r := d.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	for _, h := range hosts {
		resolved, err := r.LookupNetIP(ctx, "ip", h)
		if err != nil {
			continue
		}
		for _, denied := range resolved {
			for _, ip := range ips {
				if denied.Unmap() == ip && !d.Policy.allowsExplicitly(name, ip) {
					return true
				}
			}
		}
	}
	return false
}
