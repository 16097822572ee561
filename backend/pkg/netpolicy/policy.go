// Package netpolicy decides which network addresses a tenant's database
// connection may reach, and dials only those.
//
// A Policy is built once at start from two comma lists (the API's and the
// worker's NEOSYNC_CONNECTION_ALLOW and NEOSYNC_CONNECTION_DENY). Each entry
// is a CIDR (10.0.0.0/8), an IP, a host name (db.internal; on the deny
// list it also denies the addresses it resolves to), the word unix
// (Unix-domain sockets) or a named group: loopback, link-local (with the
// cloud metadata addresses), private, all.
//
// Decisions are taken on the addresses actually dialed: Dialer.DialContext
// resolves a host name itself, checks every resolved address, and dials the
// checked IP, so a name that resolves to an allowed address for the check
// and to a denied one for the connection (DNS rebinding) cannot slip
// through. An address that matches ALLOW is allowed; otherwise one that
// matches DENY is refused; anything else is allowed.
//
// A refused address and an unreachable one produce the same error, with no
// operating-system detail, so the connection check cannot be used to map
// which hosts and ports exist behind the API.
package netpolicy

import (
	"fmt"
	"net/netip"
	"strings"
)

// Policy is a parsed allow and deny list. The zero value and nil allow
// everything.
type Policy struct {
	allow, deny rules
}

// rules is one parsed list.
type rules struct {
	prefixes []netip.Prefix
	hosts    map[string]bool
	// named are the host names written in the list itself (not brought in
	// by a group): a denied one denies its addresses too (Dialer).
	named []string
	unix  bool
}

// groups are the named entries a list may use.
var groups = map[string][]string{
	// 0.0.0.0 and :: reach the local host on Linux, so they count as loopback.
	"loopback": {"127.0.0.0/8", "::1/128", "0.0.0.0/8", "::/128", "localhost"},
	// Link-local includes the cloud metadata services (169.254.169.254,
	// fd00:ec2::254) and Alibaba's 100.100.100.200.
	"link-local": {"169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32", "metadata.google.internal"},
	"private":    {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "100.64.0.0/10"},
	"all":        {"0.0.0.0/0", "::/0", "unix"},
}

// MultiAccountDeny is the DENY list used when the API serves several
// accounts (auth mode apikey or oidc) and NEOSYNC_CONNECTION_DENY is unset:
// the API host itself, its Unix sockets and the link-local and metadata
// addresses.
const MultiAccountDeny = "loopback,link-local,unix"

// ListError is an entry of a list that is not understood.
type ListError struct {
	Entry  string
	Reason string
}

// Error describes the problem for people.
func (e *ListError) Error() string {
	return fmt.Sprintf("entry %q %s", e.Entry, e.Reason)
}

// Parse builds a Policy from comma-separated allow and deny lists.
func Parse(allow, deny string) (*Policy, error) {
	a, err := parseRules(allow)
	if err != nil {
		return nil, err
	}
	d, err := parseRules(deny)
	if err != nil {
		return nil, err
	}
	return &Policy{allow: a, deny: d}, nil
}

func parseRules(list string) (rules, error) {
	r := rules{hosts: map[string]bool{}}
	var add func(entry string, depth int) error
	add = func(entry string, depth int) error {
		e := strings.ToLower(strings.TrimSpace(entry))
		if e == "" {
			return nil
		}
		if members, ok := groups[e]; ok && depth == 0 {
			for _, m := range members {
				if err := add(m, 1); err != nil {
					return err
				}
			}
			return nil
		}
		if e == "unix" {
			r.unix = true
			return nil
		}
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return &ListError{Entry: entry, Reason: "is not a valid CIDR"}
			}
			r.prefixes = append(r.prefixes, p.Masked())
			return nil
		}
		if ip, err := netip.ParseAddr(e); err == nil {
			ip = ip.Unmap()
			r.prefixes = append(r.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			return nil
		}
		if !validHostName(e) {
			return &ListError{Entry: entry, Reason: "is not a CIDR, IP, host name, unix, loopback, link-local, private or all"}
		}
		r.hosts[strings.TrimSuffix(e, ".")] = true
		if depth == 0 {
			r.named = append(r.named, strings.TrimSuffix(e, "."))
		}
		return nil
	}
	for _, entry := range strings.Split(list, ",") {
		if err := add(entry, 0); err != nil {
			return rules{}, err
		}
	}
	return r, nil
}

func validHostName(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func (r rules) matchAddr(ip netip.Addr) bool {
	// A zoned address (fe80::1%eth0) is never inside a prefix: drop the
	// zone, or link-local entries would not match it.
	ip = ip.Unmap().WithZone("")
	for _, p := range r.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (r rules) matchHost(host string) bool {
	return r.hosts[strings.TrimSuffix(strings.ToLower(host), ".")]
}

// AllowsUnix reports whether Unix-domain sockets may be dialed.
func (p *Policy) AllowsUnix() bool {
	if p == nil {
		return true
	}
	return p.allow.unix || !p.deny.unix
}

// AllowsAddr reports whether ip may be dialed; host is the name it was
// resolved from ("" for a literal IP), so host-name entries apply too.
func (p *Policy) AllowsAddr(host string, ip netip.Addr) bool {
	if p == nil {
		return true
	}
	if p.allow.matchAddr(ip) || (host != "" && p.allow.matchHost(host)) {
		return true
	}
	return !p.deny.matchAddr(ip) && (host == "" || !p.deny.matchHost(host))
}

// allowsExplicitly reports whether the allow list names ip or host.
func (p *Policy) allowsExplicitly(host string, ip netip.Addr) bool {
	return p != nil && (p.allow.matchAddr(ip) || (host != "" && p.allow.matchHost(host)))
}

// deniedHosts lists the host names written on the deny list.
func (p *Policy) deniedHosts() []string {
	if p == nil {
		return nil
	}
	return p.deny.named
}

// FromSettings builds the policy a binary runs with from the values of
// NEOSYNC_CONNECTION_ALLOW and NEOSYNC_CONNECTION_DENY. An empty deny list
// means the deployment's default: MultiAccountDeny when the API serves
// several accounts (multiAccount), nothing otherwise; "none" means an
// empty deny list whatever the deployment.
func FromSettings(allow, deny string, multiAccount bool) (*Policy, error) {
	switch strings.ToLower(strings.TrimSpace(deny)) {
	case "":
		if multiAccount {
			deny = MultiAccountDeny
		}
	case "none":
		deny = ""
	}
	a, err := parseRules(allow)
	if err != nil {
		return nil, fmt.Errorf("NEOSYNC_CONNECTION_ALLOW: %w", err)
	}
	d, err := parseRules(deny)
	if err != nil {
		return nil, fmt.Errorf("NEOSYNC_CONNECTION_DENY: %w", err)
	}
	return &Policy{allow: a, deny: d}, nil
}
