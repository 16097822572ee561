package transformers

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"strconv"
)

// ipTypes are the address classes generate_ip_address can produce.
var ipTypes = []string{"ipv4_public", "ipv4_private_a", "ipv4_private_b", "ipv4_private_c", "ipv4_link_local", "ipv4_multicast", "ipv4_loopback", "ipv6"}

func ipAddressGenerator() *Definition {
	const src = "generate_ip_address"
	return genDef(src, "Generate IP address", "Generates an IP address of the chosen class: public, private (10/8, 172.16/12, 192.168/16), link-local, multicast or loopback IPv4, or global unicast IPv6.",
		TypeString, []Param{enumParam("ip_type", "The address class.", "ipv4_public", ipTypes...)},
		func(p Params, _ Options) (Func, error) {
			gen := ipGenerators[p.String("ip_type")]
			return func(c *Call) (any, error) {
				var buf [39]byte
				b := gen(c.Rand).AppendTo(buf[:0])
				if c.MaxLength > 0 && len(b) > c.MaxLength {
					return nil, valueErr(src, c, "column holds "+strconv.Itoa(c.MaxLength)+" characters, too few for the address "+string(b))
				}
				return string(b), nil
			}, nil
		})
}

// ipv4In returns a random address of prefix/bits.
func ipv4In(prefix [4]byte, bits int) func(*rand.Rand) netip.Addr {
	base := binary.BigEndian.Uint32(prefix[:])
	return func(r *rand.Rand) netip.Addr {
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], base|r.Uint32()>>bits)
		return netip.AddrFrom4(a)
	}
}

var ipGenerators = map[string]func(*rand.Rand) netip.Addr{
	"ipv4_public":    randPublicIPv4,
	"ipv4_private_a": ipv4In([4]byte{10}, 8),
	"ipv4_private_b": ipv4In([4]byte{172, 16}, 12),
	"ipv4_private_c": ipv4In([4]byte{192, 168}, 16),
	"ipv4_loopback":  ipv4In([4]byte{127}, 8),
	"ipv4_multicast": ipv4In([4]byte{224}, 4),
	"ipv4_link_local": func(r *rand.Rand) netip.Addr {
		// RFC 3927 reserves the first and last /24 of 169.254/16.
		return netip.AddrFrom4([4]byte{169, 254, byte(1 + r.IntN(254)), byte(r.Uint32())})
	},
	"ipv6": randGlobalIPv6,
}

// nonPublicIPv4 lists the special-purpose IPv4 blocks (RFC 6890 and its
// updates) that a public address must avoid.
var nonPublicIPv4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.88.99.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// isPublicIPv4 reports whether a is outside every special-purpose block.
func isPublicIPv4(a netip.Addr) bool {
	for _, p := range nonPublicIPv4 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// randPublicIPv4 draws until the address is public (about 1.15 draws).
func randPublicIPv4(r *rand.Rand) netip.Addr {
	for {
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], r.Uint32())
		if addr := netip.AddrFrom4(a); isPublicIPv4(addr) {
			return addr
		}
	}
}

// randGlobalIPv6 returns an address in 2003::/16..3ffe::/16, inside global
// unicast 2000::/3 and clear of 2001::/16 (Teredo, documentation and other
// special blocks), 2002::/16 (6to4) and 3fff::/16 (documentation).
func randGlobalIPv6(r *rand.Rand) netip.Addr {
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], r.Uint64())
	binary.BigEndian.PutUint64(a[8:], r.Uint64())
	binary.BigEndian.PutUint16(a[:2], uint16(randIntBetween(r, 0x2003, 0x3ffe)))
	return netip.AddrFrom16(a)
}
