package server_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
)

// fakeMySQL is a hostile MySQL server: it accepts any login and answers
// every query with a LOCAL INFILE request for path, recording whatever file
// content the client sends back.
type fakeMySQL struct {
	Addr string
	path string
	mu   sync.Mutex
	got  []byte
	// queries counts the queries it was sent (so a test can tell it was
	// really asked something).
	queries int
}

func startFakeMySQL(t *testing.T, path string) *fakeMySQL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeMySQL{Addr: ln.Addr().String(), path: path}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeMySQL) received() ([]byte, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]byte(nil), f.got...), f.queries
}

func writeMyPacket(w io.Writer, seq byte, payload []byte) error {
	h := []byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), seq}
	_, err := w.Write(append(h, payload...))
	return err
}

func readMyPacket(r io.Reader) (byte, []byte, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(h[0]) | int(h[1])<<8 | int(h[2])<<16
	p := make([]byte, n)
	_, err := io.ReadFull(r, p)
	return h[3], p, err
}

var myOK = []byte{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}

func (f *fakeMySQL) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	// Handshake v10: protocol 41, secure connection, plugin auth, local files.
	caps := uint32(0x1 | 0x8 | 0x80 | 0x200 | 0x2000 | 0x8000 | 0x80000)
	var hs bytes.Buffer
	hs.WriteByte(10)
	hs.WriteString("5.7.99-fake\x00")
	_ = binary.Write(&hs, binary.LittleEndian, uint32(1))
	hs.WriteString("abcdefgh\x00")
	_ = binary.Write(&hs, binary.LittleEndian, uint16(caps))
	hs.WriteByte(33)
	_ = binary.Write(&hs, binary.LittleEndian, uint16(2))
	_ = binary.Write(&hs, binary.LittleEndian, uint16(caps>>16))
	hs.WriteByte(21)
	hs.Write(make([]byte, 10))
	hs.WriteString("ijklmnopqrst\x00")
	hs.WriteString("mysql_native_password\x00")
	if writeMyPacket(c, 0, hs.Bytes()) != nil {
		return
	}
	if _, _, err := readMyPacket(c); err != nil {
		return
	}
	if writeMyPacket(c, 2, myOK) != nil {
		return
	}
	for {
		_, p, err := readMyPacket(c)
		if err != nil || len(p) == 0 {
			return
		}
		switch p[0] {
		case 0x01: // COM_QUIT
			return
		case 0x03: // COM_QUERY: ask for the file
			f.mu.Lock()
			f.queries++
			f.mu.Unlock()
			if writeMyPacket(c, 1, append([]byte{0xFB}, f.path...)) != nil {
				return
			}
			seq := byte(2)
			for {
				s, data, err := readMyPacket(c)
				if err != nil {
					return
				}
				seq = s + 1
				if len(data) == 0 {
					break
				}
				f.mu.Lock()
				f.got = append(f.got, data...)
				f.mu.Unlock()
			}
			if writeMyPacket(c, seq, myOK) != nil {
				return
			}
		default: // COM_PING and the rest
			if writeMyPacket(c, 1, myOK) != nil {
				return
			}
		}
	}
}

// fakePostgres is a hostile Postgres server: it asks every client for a
// cleartext password and records the passwords it is sent.
type fakePostgres struct {
	Addr      string
	mu        sync.Mutex
	passwords []string
	startups  int
}

func startFakePostgres(t *testing.T) *fakePostgres {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePostgres{Addr: ln.Addr().String()}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakePostgres) received() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.passwords...), f.startups
}

func (f *fakePostgres) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	for {
		var n uint32
		if binary.Read(c, binary.BigEndian, &n) != nil || n < 8 || n > 1<<16 {
			return
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		code := binary.BigEndian.Uint32(body[:4])
		if code == 80877103 || code == 80877104 { // SSL or GSS encryption request
			if _, err := c.Write([]byte{'N'}); err != nil {
				return
			}
			continue
		}
		break
	}
	f.mu.Lock()
	f.startups++
	f.mu.Unlock()
	// AuthenticationCleartextPassword.
	if _, err := c.Write([]byte{'R', 0, 0, 0, 8, 0, 0, 0, 3}); err != nil {
		return
	}
	var typ [1]byte
	var n uint32
	if _, err := io.ReadFull(c, typ[:]); err != nil || typ[0] != 'p' {
		return
	}
	if binary.Read(c, binary.BigEndian, &n) != nil || n < 4 || n > 1<<16 {
		return
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(c, body); err != nil {
		return
	}
	f.mu.Lock()
	f.passwords = append(f.passwords, string(bytes.TrimRight(body, "\x00")))
	f.mu.Unlock()
	msg := "SFATAL\x00C28P01\x00Mpassword authentication failed\x00\x00"
	out := []byte{'E', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(out[1:], uint32(4+len(msg)))
	_, _ = c.Write(append(out, msg...))
}
